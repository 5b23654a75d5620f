"""What the channels say to a reporter, in their language (en, fi, sv, de)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy, ngettext_lazy

from stories.enums import ConsentScope, StoryKind

# The numbered choices, in the order they are offered: only the ones a story's kind can use.
SCOPES_FOR_KIND: dict[str, tuple[ConsentScope, ...]] = {
    StoryKind.TEXT: (ConsentScope.PUBLISH_TEXT, ConsentScope.RESEARCH),
    StoryKind.PHOTO: (
        ConsentScope.PUBLISH_TEXT,
        ConsentScope.PUBLISH_IMAGE,
        ConsentScope.PUBLISH_FACE,
        ConsentScope.RESEARCH,
    ),
    StoryKind.AUDIO: (
        ConsentScope.PUBLISH_TEXT,
        ConsentScope.PUBLISH_AUDIO,
        ConsentScope.RESEARCH,
    ),
    StoryKind.VIDEO: (
        ConsentScope.PUBLISH_TEXT,
        ConsentScope.PUBLISH_AUDIO,
        ConsentScope.PUBLISH_IMAGE,
        ConsentScope.PUBLISH_FACE,
        ConsentScope.RESEARCH,
    ),
}

CHOICE_LABELS = {
    ConsentScope.PUBLISH_TEXT: gettext_lazy("Publish my words (the text, or what I say)"),
    ConsentScope.PUBLISH_AUDIO: gettext_lazy("Publish my recording, my voice disguised"),
    ConsentScope.PUBLISH_IMAGE: gettext_lazy("Publish my picture, faces and personal text blurred"),
    ConsentScope.PUBLISH_FACE: gettext_lazy("Also show faces unblurred"),
    ConsentScope.RESEARCH: gettext_lazy("Use my story in research"),
}

SUBJECT = gettext_lazy("Your story: one question before we keep it")
THANKS = gettext_lazy("Thank you for your story. Before we keep it, please read this:")
REPLY_WITH_NUMBERS = gettext_lazy(
    'Reply with the numbers of everything you allow, for example "1 2":'
)
REPLY_ZERO = gettext_lazy("Reply 0 if we may keep your story but publish none of it.")
REPLY_STOP = gettext_lazy(
    "Reply STOP to delete it now. Without a reply it is deleted after %(days)s days."
)
NOT_UNDERSTOOD = gettext_lazy("Sorry, we did not understand your reply.")
NEW_CONSENT_TEXT = gettext_lazy(
    "The consent text has changed since we asked; please read it again."
)
RECEIPT = gettext_lazy(
    "Thank you, your story is saved. Your receipt is %(receipt)s. Keep it safe: we show it "
    "only this once. To withdraw your story at any time, reply STOP %(receipt)s."
)
DRAFT_DELETED = gettext_lazy("Your story has been deleted. Nothing of it was kept.")
WITHDRAWN = gettext_lazy("Your story has been withdrawn and everything of it erased.")
NO_SUCH_RECEIPT = gettext_lazy("We found no story with that receipt.")
NO_SUCH_DRIVE = gettext_lazy("No story drive takes stories at this address.")
NOT_KEPT = gettext_lazy("We could not keep your story:")
TOO_MANY = gettext_lazy(
    "Too many stories came from you or to this drive just now. Try again later."
)

# A file sent while the draft waits for its answer (not the parts of one album: those join
# it without a word).
ADDED = ngettext_lazy(
    "We added this to your story, which now has %(count)s file.",
    "We added this to your story, which now has %(count)s files.",
    "count",
)
NOT_ADDED = gettext_lazy("We could not add this to your story:")
UNCHANGED = ngettext_lazy(
    "Your story is as it was, with %(count)s file.",
    "Your story is as it was, with %(count)s files.",
    "count",
)
TEXT_TAKES_NO_FILES = gettext_lazy(
    "Your story began as words only, so it cannot take files. To tell it with pictures or a "
    "recording, reply STOP and send it again with them."
)
NOTHING_WAITS = gettext_lazy(
    "No story of yours is waiting for an answer. To tell one, send it here: in words, with "
    "pictures or with a recording."
)
