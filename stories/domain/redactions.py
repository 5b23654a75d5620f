"""Personal data in a story: found by the detector, decided by curators, hidden on publication.

Every span the detector finds is hidden by default. Curators lift the ones they judge safe
and add the ones it missed. Re-detecting after an edit keeps their decisions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from media_pipeline import privacy
from stories.domain import audit, transcripts
from stories.domain.roles import AnyUser
from stories.enums import AuditAction, RedactionField, RedactionSource
from stories.models import Redaction, Story

# The kinds of personal data a curator can mark by hand (the detector's types).
SPAN_TYPES = [t.value for t in privacy.SpanType]


class InvalidRedaction(ValueError):
    """A span that does not fit the text, or an unknown kind of personal data."""


def story_texts(story: Story) -> dict[str, str]:
    """The texts of a story that redactions point into, by field."""
    transcript = transcripts.primary(story)
    return {
        RedactionField.TITLE: story.title,
        RedactionField.TEXT: story.text,
        RedactionField.TRANSCRIPT: transcripts.current_text(transcript) if transcript else "",
    }


def known_identifiers(story: Story) -> list[str]:
    """The reporter's own account and display names: always personal data."""
    reporter = story.reporter
    if reporter is None:
        return []
    names = [reporter.username, reporter.get_full_name(), reporter.first_name, reporter.last_name]
    return [name for name in names if name and len(name) > 1]


def gazetteer() -> privacy.Gazetteer:
    """The name gazetteer, built on first use from the installed packages (no network)."""
    path = privacy.gazetteer_path(settings.TARINA_MODELS_DIR)
    if not path.exists():
        privacy.build_gazetteer(path.parent)
    return privacy.load_gazetteer(path)


def detect(story: Story, fields: Iterable[str] | None = None) -> list[Redaction]:
    """(Re)find personal data in the story's texts and store it as redactions.

    A curator's earlier decision on the same piece of text carries over, and spans they
    added are found again in the new text; spans that no longer fit are dropped.
    """
    texts = story_texts(story)
    names = gazetteer()
    found: list[Redaction] = []
    for field in fields or texts:
        spans = privacy.detect(
            texts[field],
            story.language or "en",
            known_identifiers=known_identifiers(story),
            gazetteer=names,
        )
        found.extend(_replace_field(story, field, texts[field], spans))
    return found


def _replace_field(
    story: Story, field: str, text: str, spans: Sequence[privacy.PersonalDataSpan]
) -> list[Redaction]:
    with transaction.atomic():
        old = list(Redaction.objects.select_for_update().filter(story=story, field=field))
        decided = {
            (r.type, r.text): r
            for r in old
            if r.source == RedactionSource.DETECTOR and r.decided_at
        }
        rows = []
        for span in spans:
            earlier = decided.get((span.type.value, span.text))
            rows.append(
                Redaction(
                    story=story,
                    field=field,
                    start=span.start,
                    end=span.end,
                    text=span.text,
                    type=span.type.value,
                    confidence=span.confidence,
                    source=RedactionSource.DETECTOR,
                    detector=span.source[:40],
                    key=(span.key or "")[:200],
                    redact=earlier.redact if earlier else True,
                    decided_by=earlier.decided_by if earlier else None,
                    decided_at=earlier.decided_at if earlier else None,
                )
            )
        for added in (r for r in old if r.source == RedactionSource.CURATOR):
            moved = _find_again(added, text, rows)
            if moved is not None:
                rows = [r for r in rows if not _inside(r, moved)] + [moved]
        Redaction.objects.filter(story=story, field=field).delete()
        return Redaction.objects.bulk_create(sorted(rows, key=lambda r: r.start))


def _inside(row: Redaction, outer: Redaction) -> bool:
    return outer.start <= row.start and row.end <= outer.end


def _overlaps(a: Redaction, b: Redaction) -> bool:
    return a.start < b.end and b.start < a.end


def _find_again(added: Redaction, text: str, rows: list[Redaction]) -> Redaction | None:
    """A curator's span at its place in the new text: the first clean occurrence."""
    for match in re.finditer(re.escape(added.text), text):
        moved = Redaction(
            story_id=added.story_id,
            field=added.field,
            start=match.start(),
            end=match.end(),
            text=added.text,
            type=added.type,
            confidence=1.0,
            source=RedactionSource.CURATOR,
            key=added.key,
            redact=added.redact,
            decided_by=added.decided_by,
            decided_at=added.decided_at,
        )
        if not any(_overlaps(moved, r) and not _inside(r, moved) for r in rows):
            return moved
    return None


def add(
    story: Story, field: str, start: int, end: int, type: str, *, actor: AnyUser | None
) -> Redaction:
    """Hide a span the detector missed. It replaces detected spans lying inside it."""
    if field not in RedactionField.values:
        raise InvalidRedaction(f"Unknown field {field!r}: use title, text or transcript.")
    if type not in {t.value for t in privacy.SpanType}:
        raise InvalidRedaction(f"Unknown type {type!r}.")
    text = story_texts(story)[field]
    if not 0 <= start < end <= len(text):
        raise InvalidRedaction(f"The span {start}-{end} lies outside the {field}.")
    with transaction.atomic():
        existing = list(Redaction.objects.select_for_update().filter(story=story, field=field))
        candidate = Redaction(story=story, field=field, start=start, end=end)
        if any(_overlaps(candidate, r) and not _inside(r, candidate) for r in existing):
            raise InvalidRedaction(
                "The span cuts through an existing redaction: cover it whole or lift it first."
            )
        Redaction.objects.filter(pk__in=[r.pk for r in existing if _inside(r, candidate)]).delete()
        redaction = Redaction.objects.create(
            story=story,
            field=field,
            start=start,
            end=end,
            text=text[start:end],
            type=type,
            source=RedactionSource.CURATOR,
            key=text[start:end].casefold()[:200],
            decided_by=_user(actor),
            decided_at=timezone.now(),
        )
        audit.record(
            AuditAction.REDACTION_DECIDED, story, actor=actor, redaction=redaction.pk, redact=True
        )
    return redaction


def decide(redaction: Redaction, *, redact: bool, actor: AnyUser | None) -> Redaction:
    """Keep a span hidden, or lift it (publish it as written) when a curator judges it safe."""
    redaction.redact = redact
    redaction.decided_by = _user(actor)
    redaction.decided_at = timezone.now()
    with transaction.atomic():
        redaction.save(update_fields=["redact", "decided_by", "decided_at"])
        audit.record(
            AuditAction.REDACTION_DECIDED,
            redaction.story,
            actor=actor,
            redaction=redaction.pk,
            redact=redact,
        )
    return redaction


def _user(actor: AnyUser | None) -> Any:
    return actor if actor is not None and actor.is_authenticated else None


def anonymise(story: Story) -> dict[str, str]:
    """The story's texts with every hidden span replaced by its placeholder.

    People are numbered once across title, text and transcript, so "[Person 1]" is the
    same person everywhere in the published story.
    """
    texts = story_texts(story)
    hidden: dict[str, list[privacy.PersonalDataSpan]] = {field: [] for field in texts}
    for r in story.redactions.filter(redact=True).order_by("start"):
        if r.field in hidden:  # stretches of the recording muted by hand have no text
            hidden[r.field].append(_as_span(r))
    numbering = privacy.PersonNumbering()
    return {
        field: privacy.redact(text, hidden[field], numbering=numbering)
        for field, text in texts.items()
    }


def _as_span(redaction: Redaction) -> privacy.PersonalDataSpan:
    return privacy.PersonalDataSpan(
        type=privacy.SpanType(redaction.type),
        start=redaction.start,
        end=redaction.end,
        text=redaction.text,
        confidence=redaction.confidence,
        source=redaction.detector or redaction.source,
        key=redaction.key or None,
    )
