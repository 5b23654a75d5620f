"""The vocabulary of the domain: one name for each concept, used everywhere."""

from django.db import models


class Role(models.TextChoices):
    """What a person may do. Each role is a Django group of the same name."""

    REPORTER = "reporter", "Reporter"
    CURATOR = "curator", "Curator"
    SERVICE = "service", "Service (read-only API)"
    ADMIN = "admin", "Administrator"


class StoryKind(models.TextChoices):
    TEXT = "text", "Text"
    AUDIO = "audio", "Audio"
    VIDEO = "video", "Video"
    PHOTO = "photo", "Photo"


class StoryStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    PROCESSING = "processing", "Processing"
    NEEDS_REVIEW = "needs_review", "Needs review"
    APPROVED = "approved", "Approved"
    PUBLISHED = "published", "Published"
    REJECTED = "rejected", "Rejected"
    FAILED = "failed", "Failed"
    WITHDRAWN = "withdrawn", "Withdrawn"


class AssetRole(models.TextChoices):
    """Where a file sits on the way from upload to publication."""

    ORIGINAL = "original", "Original upload"
    NORMALISED = "normalised", "Normalised for processing"
    DERIVATIVE = "derivative", "Derivative (thumbnail, poster)"
    PUBLIC = "public", "Public, anonymised"


class ConsentScope(models.TextChoices):
    """What a reporter allows, one scope at a time."""

    STORE = "store", "Store my story"
    PUBLISH_TEXT = "publish_text", "Publish the text"
    PUBLISH_AUDIO = "publish_audio", "Publish audio with my voice"
    # The anonymised picture only: faces and personal text blurred, a video as a still.
    PUBLISH_IMAGE = "publish_image", "Publish my picture, faces and personal text blurred"
    # Only together with PUBLISH_IMAGE: the face unblurred, and a video as it was filmed.
    PUBLISH_FACE = "publish_face", "Publish my face unblurred"
    RESEARCH = "research", "Use in research exports"


class ConsentChannel(models.TextChoices):
    WEB = "web", "Web form"
    API = "api", "API"
    VERBAL = "verbal", "Recorded verbally"
    # A consent dialogue in a channel (stories/domain/channels/): the reporter's numbered reply.
    EMAIL = "email", "E-mail reply"
    TELEGRAM = "telegram", "Telegram reply"
    # A facilitator read the consent text aloud and ticked what the storyteller agreed to
    # (the drive page's facilitator mode, in a workshop).
    FACILITATOR = "facilitator", "Read aloud by a facilitator"


class AuditAction(models.TextChoices):
    STORY_SUBMITTED = "story.submitted", "Story submitted"
    STORY_TRANSITIONED = "story.transitioned", "Story status changed"
    STORY_EDITED = "story.edited", "Story edited"
    CONSENT_WITHDRAWN = "consent.withdrawn", "Consent withdrawn"
    MEDIA_DELETED = "media.deleted", "Media deleted"
    THEME_DECIDED = "theme.decided", "Theme confirmed, rejected or added"
    TAXONOMY_EDITED = "taxonomy.edited", "Theme taxonomy edited"
    TRANSCRIPT_EDITED = "transcript.edited", "Transcript corrected"
    REDACTION_DECIDED = "redaction.decided", "Redaction added, kept or lifted"
    CONSENT_NARROWED = "consent.narrowed", "Consent narrowed"
    COLLECTION_EDITED = "collection.edited", "Collection created or changed"
    COLLECTION_PUBLISHED = "collection.published", "Collection published"
    STORY_PUBLISHED = "story.published", "Anonymised story published"
    STORY_ERASED = "story.erased", "Leftovers of a withdrawn story erased"
    ADMIN_CHANGED = "admin.changed", "Changed in the admin"
    CLIP_MADE = "clip.made", "Clip made"
    CLIP_REMOVED = "clip.removed", "Clip removed"


class ThemeSource(models.TextChoices):
    """Who said a story speaks to a theme. The three are kept apart."""

    REPORTER = "reporter", "Reporter (self-signified)"
    MACHINE = "machine", "Machine suggestion"
    CURATOR = "curator", "Curator"


class ThemeTagState(models.TextChoices):
    SUGGESTED = "suggested", "Suggested"
    CONFIRMED = "confirmed", "Confirmed"
    REJECTED = "rejected", "Rejected"


class ThemeAction(models.TextChoices):
    """What a curator does with a theme on a story."""

    CONFIRM = "confirm", "Confirm"
    REJECT = "reject", "Reject"
    ADD = "add", "Add"


class RedactionField(models.TextChoices):
    """Which of a story's texts a redaction's character offsets point into, or the
    recording itself (``audio``: a time range, in milliseconds)."""

    TITLE = "title", "Title"
    TEXT = "text", "Written text"
    TRANSCRIPT = "transcript", "Transcript"
    AUDIO = "audio", "Recording"


class RedactionSource(models.TextChoices):
    DETECTOR = "detector", "Found by the personal-data detector"
    CURATOR = "curator", "Added by a curator"
