"""Bring public copies made by older versions up to date: the backfill after an upgrade.

Stories published before the synchronised transcript existed have a public copy without
``segments`` (so no player timing and no captions), and non-English ones published before
translation have none. Nothing here writes a public copy itself: a stale copy is rebuilt
by ``publication`` (queued, or at once), so consent, hidden spans and the release check
apply exactly as on any publishing; a missing translation is queued like after a
transcription. Running it twice does nothing more the second time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from stories.domain import consent_state, dispatch, publication, transcripts, translation
from stories.enums import StoryStatus
from stories.models import PublishedStory, Story

CHUNK = 200


@dataclass
class Backfill:
    """What a backfill found and did (counts of stories)."""

    without_segments: int = 0
    rebuilt: int = 0
    queued: int = 0
    refused: int = 0
    translations_queued: int = 0


def _published() -> Iterator[PublishedStory]:
    return (
        PublishedStory.objects.filter(story__status=StoryStatus.PUBLISHED)
        .select_related("story")
        .order_by("pk")
        .iterator(chunk_size=CHUNK)
    )


def lacks_segments(copy: PublishedStory) -> bool:
    """Whether a rebuild would give ``copy`` the timed transcript it lacks: it publishes
    sound, the consent allows the text, and the story has a transcript."""
    if copy.segments or not (copy.audio or copy.video):
        return False
    record = consent_state.current(copy.story)
    return bool(record and record.publish_text) and transcripts.primary(copy.story) is not None


def lacks_translation(story: Story) -> bool:
    """A recording not in English that has no translation yet."""
    return translation.needed(story) and translation.of(story) is None


def rebuild(*, dry_run: bool = False, now: bool = False) -> Backfill:
    """Rebuild the public copies that lack segments and queue the missing translations.

    ``now`` builds here (this process needs the speech model for the release check of a
    story with sound); otherwise the builds are queued for the workers. ``dry_run`` only
    counts. A copy the release check refuses is taken down, as publishing would.
    """
    done = Backfill()
    for copy in _published():
        story = copy.story
        if lacks_translation(story):
            done.translations_queued += 1
            if not dry_run:
                # Routed to the transcription queue (the Whisper weights) by its task route.
                dispatch.send_on_commit(dispatch.TRANSLATE_STORY, story.pk)
        if not lacks_segments(copy):
            continue
        done.without_segments += 1
        if dry_run:
            continue
        # The copy's inputs did not change, so its fingerprint would skip the build: the
        # old fingerprint is cleared so that the usual path builds it again.
        PublishedStory.objects.filter(pk=copy.pk).update(fingerprint="")
        if not now:
            publication.enqueue(story)
            done.queued += 1
            continue
        try:
            publication.publish(story)
        except publication.NotPublishable:
            done.refused += 1
        else:
            done.rebuilt += 1
    return done
