"""Clips: short anonymised excerpts of a published story, made by a curator to share.

A clip is cut from the story's *published* audio (already redacted and, where chosen,
voice-disguised), never from the original, and listened to again by the same release
check as its story before it is kept. Its quote is the anonymised text of the passage:
the hidden spans it touches become their placeholders. Only a published story whose
consent allows its voice to be published gives clips.

A clip is public while its story is published. When the story is withdrawn, unpublished
or rebuilt with other audio (``take_down``), or a curator deletes it (``remove``), its
file and its meaning vector go and its row stays as a tombstone without words, so its
URLs answer 410 Gone.

A clip's meaning is the vector of its own public words (title and quote), made with it
(``clip_embeddings``): the public may search clips by meaning in any language, and a
story page lists other stories' clips close to the story.
"""

from __future__ import annotations

import logging
import re
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.core.files.storage import storages
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from media_pipeline import privacy
from media_pipeline.anonymise.excerpt import cut_excerpt
from media_pipeline.meaning import Neighbour, encoder
from media_pipeline.speech import alignment
from stories.domain import (
    audio_redactions,
    audit,
    clip_embeddings,
    consent_state,
    embeddings,
    file_journal,
    publication_media,
    publicity,
    redactions,
    release_check,
    transcripts,
)
from stories.domain.roles import AnyUser
from stories.enums import AuditAction, RedactionField, StoryStatus
from stories.models import Clip, Collection, PublishedStory, Redaction, Story, Theme
from stories.storage import local_path

log = logging.getLogger(__name__)
STORAGE = "public"
MIN_SECONDS = 1.0
MAX_SECONDS = 120.0
TITLE_LENGTH = 200
# Marks the passage's edges in the transcript while it is anonymised; never in a text.
_FROM, _TO = "\x00", "\x01"


class ClipRefused(ValueError):
    """The clip cannot be made; the message says why, for the curator."""


class ClipGone(Exception):
    """The clip existed and is no longer public (its story left the public, or it was
    deleted): answered 410 Gone."""


@dataclass(frozen=True)
class Passage:
    """What a clip would quote: the anonymised text between two times."""

    start: float
    end: float
    quote: str


def live() -> QuerySet[Clip]:
    """Clips the public may see: not removed, of stories published now."""
    return (
        Clip.objects.filter(removed_at__isnull=True, story__status=StoryStatus.PUBLISHED)
        .exclude(audio="")
        .select_related("theme", "story__publication")
        .order_by("-created_at", "-id")
    )


def public(public_id: str) -> Clip:
    """The public clip by its public id; ``ClipGone`` if it was public once,
    ``publicity.NotPublished`` if it never was."""
    found = live().filter(public_id=public_id).first()
    if found is not None:
        return found
    if Clip.objects.filter(public_id=public_id).exists():
        raise ClipGone(public_id)
    raise publicity.NotPublished(public_id)


def of_story(story_id: int) -> list[Clip]:
    """The story's clips that are still public, newest first."""
    return list(live().filter(story_id=story_id))


def in_collection(collection: Collection) -> list[Clip]:
    """Public clips of the stories in ``collection``, newest first."""
    return list(live().filter(story__collection_entries__collection=collection).distinct())


def source(story: Story) -> PublishedStory:
    """The published copy a clip of ``story`` is cut from, or ``ClipRefused``."""
    publication = PublishedStory.objects.filter(story=story).first()
    if story.status != StoryStatus.PUBLISHED or publication is None:
        raise ClipRefused(gettext("Only a published story can give clips."))
    record = consent_state.current(story)
    if record is None or not record.publish_audio or not publication.audio:
        raise ClipRefused(gettext("The reporter's consent does not allow publishing the voice."))
    check = release_check.summary(story, publication.fingerprint)
    if check["state"] != "passed":
        raise ClipRefused(gettext("The published audio has not passed the release check."))
    return publication


def passage(story: Story, start: float, end: float) -> Passage:
    """The anonymised transcript text spoken between ``start`` and ``end`` seconds.

    Words are placed in time as the muting places them (the diff with the machine's
    words, and the alignment of a correction); a hidden span the passage touches is
    quoted whole, as its placeholder, so no part of a hidden value is ever quoted.
    """
    transcript = transcripts.primary(story)
    if transcript is None:
        return Passage(start, end, "")
    text = transcripts.current_text(transcript)
    timed = [
        (t.token.start, t.token.end, t.time)
        for t in alignment.diff_timings(text, audio_redactions.machine_words(transcript))
        if t.time
    ]
    revision = audio_redactions.latest_revision(transcript)
    if revision is not None:
        timed += [
            (w["char_start"], w["char_end"], (float(w["start"]), float(w["end"])))
            for w in revision.aligned_words or []
        ]
    inside = [(a, b) for a, b, (t0, t1) in timed if start <= (t0 + t1) / 2 <= end]
    if not inside:
        return Passage(start, end, "")
    first, last = min(a for a, _ in inside), max(b for _, b in inside)
    hidden = sorted(
        story.redactions.filter(redact=True, field=RedactionField.TRANSCRIPT),
        key=lambda r: r.start,
    )
    for span in hidden:  # widen the passage to whole hidden spans
        if span.start < last and first < span.end:
            first, last = min(first, span.start), max(last, span.end)
    return Passage(start, end, _anonymised_between(story, text, hidden, first, last))


def _span(redaction: Redaction, offset: int = 0) -> privacy.PersonalDataSpan:
    """A stored hidden span as the redactor takes it, moved ``offset`` characters on."""
    return privacy.PersonalDataSpan(
        type=privacy.SpanType(redaction.type),
        start=redaction.start + offset,
        end=redaction.end + offset,
        text=redaction.text,
        confidence=redaction.confidence,
        source=redaction.detector or redaction.source,
        key=redaction.key or None,
    )


def _anonymised_between(
    story: Story, text: str, hidden: list[Redaction], first: int, last: int
) -> str:
    """The anonymised transcript between characters ``first`` and ``last``, numbered as
    the published story numbers people (title and text first, as ``redactions.anonymise``)."""
    numbering = privacy.PersonNumbering()
    texts = redactions.story_texts(story)
    for field in (RedactionField.TITLE, RedactionField.TEXT):
        rows = story.redactions.filter(redact=True, field=field).order_by("start")
        privacy.redact(texts[field], [_span(r) for r in rows], numbering=numbering)
    marked = text[:first] + _FROM + text[first:last] + _TO + text[last:]
    # Spans after an edge mark move one character on per mark before them.
    shifted = [_span(r, (r.start >= first) + (r.start >= last)) for r in hidden]
    anonymised = privacy.redact(marked, shifted, numbering=numbering)
    quote = anonymised[anonymised.index(_FROM) + 1 : anonymised.index(_TO)]
    return re.sub(r"\s+", " ", quote).strip()


def make(
    story: Story,
    *,
    start: float,
    end: float,
    title: str = "",
    theme: Theme | None = None,
    actor: AnyUser | None = None,
) -> Clip:
    """Cut a clip of ``story`` from ``start`` to ``end`` seconds of its published audio.

    Raises ``ClipRefused`` (with a reason for the curator) when the story gives no clips,
    the times do not fit, or the release check hears a redacted value in the excerpt.
    """
    publication = source(story)
    duration = publication.duration or 0.0
    if not (0 <= start < end):
        raise ClipRefused(gettext("A clip must start before it ends."))
    if end > duration + 0.05:
        raise ClipRefused(gettext("A clip must end within the recording."))
    if not MIN_SECONDS <= end - start <= MAX_SECONDS:
        raise ClipRefused(
            gettext("A clip lasts from %(least)d to %(most)d seconds.")
            % {"least": MIN_SECONDS, "most": MAX_SECONDS}
        )
    end = min(end, duration)
    quoted = passage(story, start, end)
    _refuse_leaks(story, quoted.quote)
    title = title.strip()[:TITLE_LENGTH]
    # Embedded before the transaction: no lock is held while the encoder runs.
    meaning = clip_embeddings.clip_text(title, quoted.quote)
    vector = clip_embeddings.vector_for(meaning)
    clip = Clip(story=story, start=round(start, 3), end=round(end, 3))
    # In the story's public folder: withdrawal clears it whole, the reconciler knows it.
    name = f"{publication_media.public_folder(story)}/{uuid.uuid4().hex}.wav"
    with tempfile.TemporaryDirectory(prefix="tarina-clip-") as scratch:
        workdir = Path(scratch)
        with local_path(publication.audio) as published:
            excerpt = cut_excerpt(published, workdir / "clip.wav", start, end)
        _listen_again(story, publication, excerpt.path, start, end, workdir)
        stored = file_journal.write(STORAGE, name, story.pk, excerpt.path)
    try:
        with transaction.atomic():
            # The story may have left the public while the clip was cut: it wins.
            still = Story.objects.select_for_update().filter(
                pk=story.pk, status=StoryStatus.PUBLISHED
            )
            current = PublishedStory.objects.filter(story=story).values_list("audio", flat=True)
            if not still.exists() or current.first() != publication.audio.name:
                raise ClipRefused(gettext("The story changed while the clip was cut."))
            clip.title = title
            clip.theme = theme
            clip.quote = quoted.quote
            clip.start, clip.end = excerpt.start, excerpt.end
            clip.audio = stored
            clip.source_audio = str(publication.audio.name)
            clip.created_by = actor if actor is not None and actor.is_authenticated else None
            clip.save()
            clip_embeddings.keep(clip, meaning, vector)
            file_journal.settle(STORAGE, [stored])
            audit.record(
                AuditAction.CLIP_MADE,
                story,
                actor=actor,
                clip=clip.public_id,
                seconds=clip.duration,
            )
            publicity.changed()
    except BaseException:
        file_journal.abandon(STORAGE, [stored])
        raise
    return clip


def _refuse_leaks(story: Story, quote: str) -> None:
    """Belt and braces: no hidden value may appear in a quote, whatever the mapping did."""
    folded = quote.casefold()
    hidden = story.redactions.filter(redact=True).exclude(field=RedactionField.AUDIO)
    for value in hidden.values_list("text", flat=True):
        if value and len(value) >= 3 and value.casefold() in folded:
            raise ClipRefused(gettext("The quote would show a hidden value."))


def _listen_again(
    story: Story,
    publication: PublishedStory,
    audio: Path,
    start: float,
    end: float,
    workdir: Path,
) -> None:
    """The story's release check, on the excerpt: listen where its redactions fall."""
    transcript = transcripts.primary(story)
    if transcript is None:
        raise ClipRefused(gettext("The story has no transcript to check the clip against."))
    muted = [
        (max(a, start) - start, min(b, end) - start)
        for a, b in audio_redactions.ranges(story, transcript)
        if a < end + release_check.MARGIN_SECONDS and start - release_check.MARGIN_SECONDS < b
    ]
    windows = release_check.stretches([(max(0.0, a), max(0.0, b)) for a, b in muted], end - start)
    findings = release_check.listen(story, transcript, audio, windows, workdir)
    if findings:
        raise ClipRefused(
            gettext("The clip was not made: a redacted value can still be heard in it.")
        )


def remove(clip: Clip, *, actor: AnyUser | None = None) -> bool:
    """A curator deletes a clip: its file goes, its URLs answer 410. True if it was live."""
    with transaction.atomic():
        gone = _retire(Clip.objects.filter(pk=clip.pk))
        if gone:
            audit.record(AuditAction.CLIP_REMOVED, clip.story, actor=actor, clip=clip.public_id)
    return bool(gone)


def take_down(story: Story, *, keep_audio: str = "") -> int:
    """The story left the public (or its published audio changed): its clips go, all but
    those cut from ``keep_audio``. Returns how many went."""
    clips = Clip.objects.filter(story=story, removed_at__isnull=True)
    if keep_audio:
        clips = clips.exclude(source_audio=keep_audio)
    return _retire(clips)


def _retire(clips: QuerySet[Clip]) -> int:
    """Blank the clips' words, mark them removed and delete their files on commit."""
    found = list(clips.filter(removed_at__isnull=True).values_list("pk", "audio"))
    if not found:
        return 0
    Clip.objects.filter(pk__in=[pk for pk, _ in found]).update(
        removed_at=timezone.now(), title="", quote="", audio="", theme=None
    )
    clip_embeddings.forget([pk for pk, _ in found])
    names = [name for _, name in found if name]

    def delete() -> None:
        for name in names:
            storages[STORAGE].delete(name)

    transaction.on_commit(delete)
    publicity.changed()
    log.info("%d clips taken down", len(found))
    return len(found)


# --- Meaning ------------------------------------------------------------------------


def search(meaning: str, limit: int = 20) -> list[Clip]:
    """Public clips closest in meaning to ``meaning``, in any language, closest first;
    those below the stories' query floor are left out."""
    text = " ".join(meaning.split())
    if not text:
        return []
    among = live()
    allowed = set(among.values_list("pk", flat=True))
    found = clip_embeddings.store().nearest(encoder().query(text), limit, allowed=allowed)
    return _in_order(among, [n for n in found if n.similarity >= embeddings.QUERY_FLOOR])


def related_to(publication: PublishedStory, limit: int = embeddings.RELATED_LIMIT) -> list[Clip]:
    """Other stories' public clips closest in meaning to ``publication`` (none while the
    story has no vector): one product of its vector with the clips' vectors."""
    vector = embeddings.stored_vector(publication)
    if vector is None:
        return []
    # The story's own clips are left out of the search, and the few candidates are checked
    # against the public clips, rather than reading every public clip's id for each page.
    own = Clip.objects.filter(story_id=publication.story_id).values_list("pk", flat=True)
    found = clip_embeddings.store().nearest(vector, limit * 2, exclude=list(own))
    close = [n for n in found if n.similarity >= embeddings.RELATED_FLOOR]
    return _in_order(live().exclude(story_id=publication.story_id), close)[:limit]


def _in_order(among: QuerySet[Clip], found: list[Neighbour]) -> list[Clip]:
    ranked = [int(n.key) for n in found]  # type: ignore[call-overload]
    rows = {c.pk: c for c in among.filter(pk__in=ranked)}
    return [rows[pk] for pk in ranked if pk in rows]
