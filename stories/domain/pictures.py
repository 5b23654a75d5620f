"""The picture a story would publish: what consent allows, what is blurred, who looked.

One function, :func:`render`, makes the anonymised picture for both the curator's preview
and publication, and :func:`derivative` keeps its result by fingerprint, so publication
copies exactly the file the curator saw. Consent decides:

- ``publish_image``: the anonymised picture (a photo, or a video's still): faces blurred,
  personal text blurred (all text when the drive says so), regions a curator marked blurred;
- ``publish_face`` (only with ``publish_image``): the face is not blurred; text still is;
- anything else (``publish_text`` alone included): no picture at all.

A picture is published only when a curator looked at it: ``Story.picture_seen`` holds the
fingerprint of the picture they saw, and a picture that changed since is held back.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext

from media_pipeline import anonymise, privacy
from stories.domain import audit, consent_state, redactions
from stories.domain.roles import AnyUser
from stories.enums import AssetRole, AuditAction, StoryKind
from stories.models import ConsentRecord, MediaAsset, Story
from stories.storage import local_path

# Bumped whenever the anonymiser's output changes, so previews are rebuilt and looked at again.
RENDERER_VERSION = "pictures-1"
PREVIEW_VARIANT = "preview"
MAX_BOXES = 50


class InvalidBoxes(ValueError):
    """Regions to blur that are not a list of boxes inside the picture."""


class PictureChanged(Exception):
    """The picture a curator confirms is not the one that would be published now."""


@dataclass(frozen=True)
class PicturePlan:
    """What publishing would do with the story's picture now."""

    source: MediaAsset
    kind: str
    show_face: bool
    text: anonymise.TextPolicy
    marked: tuple[anonymise.RelativeBox, ...]
    language: str
    known: tuple[str, ...]
    fingerprint: str


def original(story: Story) -> MediaAsset | None:
    """The story's first original upload."""
    return story.assets.filter(role=AssetRole.ORIGINAL).order_by("created_at").first()


def plan(story: Story, record: ConsentRecord | None) -> PicturePlan | None:
    """The picture publishing would make public, or None when none may be published."""
    if story.kind not in (StoryKind.PHOTO, StoryKind.VIDEO) or record is None:
        return None
    if not record.publish_image:
        return None  # consent to the words (or the voice) is never consent to the picture
    source = original(story)
    if source is None or not source.file.name:
        return None
    show_face = record.publish_face
    text: anonymise.TextPolicy = "all" if story.drive.blur_all_text else "personal"
    marked = tuple(stored_boxes(story))
    language = story.language or "en"
    known = tuple(sorted(redactions.known_identifiers(story)))
    state = {
        "renderer": RENDERER_VERSION,
        "source": [source.pk, source.sha256, source.file.name],
        "kind": story.kind,
        "face": show_face,
        "text": text,
        "marked": [[b.x, b.y, b.width, b.height] for b in marked],
        "language": language,
        "known": known,
    }
    digest = hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()
    return PicturePlan(source, story.kind, show_face, text, marked, language, known, digest)


def redaction(picture: PicturePlan) -> anonymise.PictureRedaction:
    """The anonymiser's instructions for ``picture``: the detector reads in the story's
    language and knows the reporter's own names, as it does for the story's texts."""
    names = redactions.gazetteer()

    def detect(text: str) -> list[privacy.PersonalDataSpan]:
        return privacy.detect(
            text, picture.language, known_identifiers=picture.known, gazetteer=names
        )

    return anonymise.PictureRedaction(
        blur_faces=not picture.show_face,
        blur_text=picture.text,
        detect=detect,
        marked=picture.marked,
    )


def render(picture: PicturePlan, dest: Path) -> anonymise.AnonymisedImage:
    """Write the anonymised picture (a photo, or a video's still) to ``dest``."""
    with local_path(picture.source.file) as source:
        if picture.kind == StoryKind.PHOTO:
            return anonymise.anonymise_image(source, dest, redaction=redaction(picture))
        return anonymise.anonymise_video_poster(source, dest, redaction=redaction(picture))


def derivative(story: Story, picture: PicturePlan) -> MediaAsset:
    """The rendered picture for ``picture``'s fingerprint, built on first use and kept
    (private storage) until the fingerprint changes; its summary is in ``picture_preview``."""
    cached = _cached(story, picture)
    if cached is not None:
        return cached
    with tempfile.TemporaryDirectory(prefix="tarina-picture-") as scratch:
        built = render(picture, Path(scratch) / "picture.jpg")
        return _keep(story, picture, built)


def _cached(story: Story, picture: PicturePlan) -> MediaAsset | None:
    story.refresh_from_db(fields=["picture_preview"])
    if (story.picture_preview or {}).get("fingerprint") != picture.fingerprint:
        return None
    asset = _preview_asset(picture.source)
    if asset is None or not asset.file.name or not asset.file.storage.exists(asset.file.name):
        return None
    return asset


def _preview_asset(source: MediaAsset) -> MediaAsset | None:
    return MediaAsset.objects.filter(
        source=source, role=AssetRole.DERIVATIVE, variant=PREVIEW_VARIANT
    ).first()


def _keep(story: Story, picture: PicturePlan, built: anonymise.AnonymisedImage) -> MediaAsset:
    """Store ``built`` as the story's one preview, replacing an older one."""
    with transaction.atomic():
        Story.objects.select_for_update().filter(pk=story.pk).first()
        asset = _preview_asset(picture.source) or MediaAsset(
            story=story, source=picture.source, role=AssetRole.DERIVATIVE, variant=PREVIEW_VARIANT
        )
        old = asset.file.name
        with built.path.open("rb") as handle:
            asset.file.save("picture.jpg", File(handle), save=False)
        asset.mime_type, asset.size = built.mime_type, built.size_bytes
        asset.width, asset.height = built.width, built.height
        asset.save()
        summary = {
            "fingerprint": picture.fingerprint,
            "faces": len(built.faces),
            "words": len(built.text),
            "marked": len(built.marked),
        }
        Story.objects.filter(pk=story.pk).update(picture_preview=summary)
        story.picture_preview = summary
        if old and old != asset.file.name:
            storage = asset.file.storage
            transaction.on_commit(lambda: storage.delete(old))
    return asset


@dataclass(frozen=True)
class PictureState:
    """What a curator is shown about a story's picture."""

    original: MediaAsset | None
    published: str  # "none", "anonymised" or "face shown"
    fingerprint: str
    seen: bool
    boxes: list[dict[str, float]]


def state(story: Story) -> PictureState | None:
    """The picture side of a story's review, or None for stories without a picture."""
    if story.kind not in (StoryKind.PHOTO, StoryKind.VIDEO):
        return None
    picture = plan(story, consent_state.current(story))
    boxes = [as_dict(box) for box in stored_boxes(story)]
    if picture is None:
        return PictureState(original(story), "none", "", False, boxes)
    published = "face shown" if picture.show_face else "anonymised"
    seen = is_seen(story, picture)
    return PictureState(picture.source, published, picture.fingerprint, seen, boxes)


def is_seen(story: Story, picture: PicturePlan) -> bool:
    """Whether a curator looked at exactly this picture."""
    return bool(story.picture_seen) and story.picture_seen == picture.fingerprint


def confirm_seen(story: Story, record: ConsentRecord | None, fingerprint: str) -> PicturePlan:
    """Record that a curator looked at the picture with ``fingerprint``; it must be the one
    publishing would make now, or :class:`PictureChanged` is raised."""
    picture = plan(story, record)
    if picture is None:
        raise PictureChanged(gettext("No picture of this story would be published."))
    if fingerprint != picture.fingerprint:
        raise PictureChanged(
            gettext(
                "The picture has changed since you looked at it. Look at it again before "
                "approving or publishing."
            )
        )
    Story.objects.filter(pk=story.pk).update(picture_seen=fingerprint)
    story.picture_seen = fingerprint
    return picture


def not_seen_reason(story: Story, record: ConsentRecord | None) -> str | None:
    """Why the picture may not go out yet (nobody looked at it as it is now), or None."""
    picture = plan(story, record)
    if picture is None or is_seen(story, picture):
        return None
    if story.picture_seen:
        return gettext(
            "The picture that would be published has changed since a curator looked at it. "
            "Open the story in the console, look at the picture again and confirm it."
        )
    return gettext(
        "No curator has looked at the picture that would be published. Open the story in "
        "the console, look at the picture and confirm it."
    )


def stored_boxes(story: Story) -> list[anonymise.RelativeBox]:
    """The regions a curator marked to blur, as stored on the story."""
    return parse_boxes(story.picture_boxes or [])


def parse_boxes(raw: Any) -> list[anonymise.RelativeBox]:
    """Boxes from ``[{"x", "y", "width", "height"}, ...]`` (fractions of the picture).

    Raises :class:`InvalidBoxes` with a sentence a curator can act on.
    """
    if not isinstance(raw, list):
        raise InvalidBoxes(gettext("Boxes must be a list."))
    if len(raw) > MAX_BOXES:
        raise InvalidBoxes(gettext("At most %(n)d boxes can be marked.") % {"n": MAX_BOXES})
    return [_box(item, n) for n, item in enumerate(raw, start=1)]


def _box(item: object, n: int) -> anonymise.RelativeBox:
    keys = ("x", "y", "width", "height")
    if not isinstance(item, Mapping) or set(item) != set(keys):
        raise InvalidBoxes(gettext("Box %(n)d needs exactly x, y, width and height.") % {"n": n})
    values = [item[k] for k in keys]
    if any(isinstance(v, bool) or not isinstance(v, int | float) for v in values):
        raise InvalidBoxes(gettext("Box %(n)d: x, y, width and height are numbers.") % {"n": n})
    try:
        return anonymise.RelativeBox(*(float(v) for v in values))
    except ValueError:
        raise InvalidBoxes(
            gettext(
                "Box %(n)d must lie inside the picture: x, y, width and height are fractions "
                "of the picture between 0 and 1, and width and height are not zero."
            )
            % {"n": n}
        ) from None


def set_boxes(
    story: Story, boxes: Sequence[anonymise.RelativeBox], *, actor: AnyUser | None
) -> None:
    """Store the regions a curator marked; the picture changes, so it must be looked at again."""
    stored = [as_dict(box) for box in boxes]
    Story.objects.filter(pk=story.pk).update(picture_boxes=stored)
    story.picture_boxes = stored
    audit.record(AuditAction.REDACTION_DECIDED, story, actor=actor, picture_boxes=len(stored))


def as_dict(box: anonymise.RelativeBox) -> dict[str, float]:
    return {"x": box.x, "y": box.y, "width": box.width, "height": box.height}


def moving_video_allowed(story: Story, picture: PicturePlan | None) -> bool:
    """Whether the video's own pictures may go out: the face is allowed, and no key frame
    shows text that would have to be blurred (frames copied as they are cannot be)."""
    if picture is None or picture.kind != StoryKind.VIDEO or not picture.show_face:
        return False
    with local_path(picture.source.file) as source:
        words = anonymise.text_in_key_frames(source, redaction(picture))
    return not words
