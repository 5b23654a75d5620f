"""Submitting a story: the rules a submission must meet, and the one transaction that
creates the story, its files and its consent.

The API (``stories.api.serializers``) and the web form (``frontend.views.reporter``) both
hold submissions to the rules here, so a reporter meets the same limits and reads the same
words whichever way they send a story.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy

from stories import media_checks, rules
from stories.domain import audit, consent, processing, questions, receipts
from stories.domain import text as plain_text
from stories.domain import themes as theme_tags
from stories.domain import uploads as upload_domain
from stories.domain.roles import AnyUser
from stories.enums import (
    AssetRole,
    AuditAction,
    ConsentChannel,
    ConsentScope,
    StoryKind,
    StoryStatus,
)
from stories.models import ConsentText, Drive, MediaAsset, Story, Theme, Upload

TITLE_MAX_CHARS = 200
PLACE_MAX_CHARS = 100
THEMES_MAX = 13
LANGUAGE_CODE = re.compile(r"^[a-z]{2}$")

# Messages a reporter reads, in the language of the request (``gettext_lazy``: these are
# built at import, before any request has chosen a language). The ones in braces are
# formatted with str.format, as DRF formats its error messages.
TOO_MANY_THEMES = gettext_lazy("Choose at most {max_length} themes.")
TOO_MANY_FILES = gettext_lazy("Too many files for one story.")
NEEDS_A_FILE = {
    StoryKind.AUDIO: gettext_lazy("An audio story needs at least one file."),
    StoryKind.VIDEO: gettext_lazy("A video story needs at least one file."),
    StoryKind.PHOTO: gettext_lazy("A photo story needs at least one file."),
}
NOT_A_LANGUAGE = gettext_lazy("Use a two-letter ISO 639-1 code, such as fi or sv.")
NO_SUCH_THEME = gettext_lazy("There is no theme called '{value}'.")
# DRF's own wording for these, so that the form and the API say the same. DRF's catalogue
# translates them; the alias keeps makemessages from copying them, untranslated, into ours.
drf_wording = gettext_lazy
NOT_A_CHOICE = drf_wording('"{input}" is not a valid choice.')
TOO_LONG = drf_wording("Ensure this field has no more than {max_length} characters.")
NULL_CHARACTERS = drf_wording("Null characters are not allowed.")

Errors = dict[str, list[str]]


class SubmissionRefused(Exception):
    """This signed-in account may not submit stories at all (a 403, not a field error)."""


class InvalidSubmission(Exception):
    """The submission breaks a rule; ``errors`` says which, as ``{field: [message, ...]}``.

    Errors about the form as a whole are under ``"form"``.
    """

    def __init__(self, errors: Errors) -> None:
        super().__init__(errors)
        self.errors = errors


@dataclass(frozen=True)
class SubmissionRequest:
    """A story as a reporter sends it, its values already read from the request."""

    drive: Drive
    kind: StoryKind
    consent_scopes: Mapping[str, bool]
    title: str = ""
    text: str = ""
    language: str = ""
    place: str = ""
    files: Sequence[UploadedFile] = ()
    uploads: Sequence[Upload] = ()
    themes: Sequence[Theme] = ()
    answers: Mapping[str, Any] = field(default_factory=dict)
    reporter: AnyUser | None = None
    channel: ConsentChannel = ConsentChannel.API
    # The language the consent wording was read in, when not the story's own: a channel
    # asks in the reporter's language and leaves the speech's to the pipeline.
    consent_language: str = ""


@dataclass(frozen=True)
class Submission:
    """A stored story and its receipt: the receipt is shown once and never again."""

    story: Story
    receipt: str


# --- The rules, one at a time (the API's serializer asks them field by field) -----------


def drive_refusal(drive: Drive, user: AnyUser | None) -> str | None:
    """Why ``drive`` takes no story from ``user``, or None when it does.

    Raises ``SubmissionRefused`` for a signed-in account that may not submit anywhere.
    """
    if not drive.is_open:
        return gettext("This drive is closed and takes no new stories.")
    if rules.can_submit(user, drive):
        return None
    if user is not None and user.is_authenticated:
        raise SubmissionRefused(gettext("This account cannot submit stories."))
    return gettext("This drive takes stories only from signed-in reporters.")


def consent_refusal(scopes: Mapping[str, bool]) -> str | None:
    """Consent to store is the minimum: without it nothing can be kept."""
    if scopes.get(ConsentScope.STORE.value):
        return None
    return gettext("We can only keep your story if you agree that we store it.")


def face_refusal(scopes: Mapping[str, bool]) -> str | None:
    """An unblurred face is a way of publishing the picture: it needs the picture's scope."""
    if scopes.get(ConsentScope.PUBLISH_FACE.value) and not scopes.get(
        ConsentScope.PUBLISH_IMAGE.value
    ):
        return gettext(
            "Showing your face unblurred is only possible if you also agree to publish "
            "your picture or video."
        )
    return None


def oversized_file(files: Sequence[UploadedFile]) -> str | None:
    """The first file larger than ``TARINA_MAX_UPLOAD_BYTES``, as a message; None if none."""
    limit = settings.TARINA_MAX_UPLOAD_BYTES
    for upload in files:
        if (upload.size or 0) > limit:
            return gettext("'%(name)s' is larger than the limit of %(mb)s MB.") % {
                "name": upload.name,
                "mb": limit // (1024 * 1024),
            }
    return None


def kind_refusal(
    kind: str, text: str, files: Sequence[UploadedFile], uploads: Sequence[Upload]
) -> Errors:
    """What does not fit between the story's kind, its text and its files (checked last)."""
    if len(files) + len(uploads) > settings.TARINA_MAX_FILES_PER_STORY:
        return {"files": [str(TOO_MANY_FILES)]}
    if kind == StoryKind.TEXT:
        if files or uploads:
            return {"files": [gettext("A text story has no files; choose audio, video or photo.")]}
        if not text.strip():
            return {"text": [gettext("A text story needs its text.")]}
        return {}
    if not files and not uploads:
        return {"files": [str(NEEDS_A_FILE[StoryKind(kind)])]}
    problems = [problem for f in files if (problem := media_checks.kind_mismatch(kind, f))]
    problems += [p for u in uploads if (p := upload_domain.kind_mismatch(kind, u))]
    return {"files": [str(p) for p in problems]} if problems else {}


def language_code(value: str) -> str:
    """``value`` as an ISO 639-1 code (case and spaces forgiven), or "" when it is blank.

    Raises ``ValueError`` with a message for anything else.
    """
    code = value.strip().lower()
    if code and not LANGUAGE_CODE.match(code):
        raise ValueError(str(NOT_A_LANGUAGE))
    return code


# --- The whole form, for callers without a serializer (the web form) --------------------


@dataclass(frozen=True)
class FormInput:
    """A submission as a plain HTML form sends it: strings, slugs and files."""

    drive: Drive
    kind: str
    consent_scopes: Mapping[str, bool]
    title: str = ""
    text: str = ""
    language: str = ""
    place: str = ""
    theme_slugs: Sequence[str] = ()
    answers: Mapping[str, Any] = field(default_factory=dict)
    files: Sequence[UploadedFile] = ()
    reporter: AnyUser | None = None
    channel: ConsentChannel = ConsentChannel.WEB


def read_form(form: FormInput) -> SubmissionRequest:
    """``form`` checked against every rule, as a request ``submit`` takes.

    Raises ``InvalidSubmission`` with every field's problems, and checks how kind, text and
    files fit together only once each field is fine (as the API does); raises
    ``SubmissionRefused`` for an account that may not submit.
    """
    errors: Errors = {}

    def check(name: str, rule: Callable[[], Any]) -> Any:
        try:
            return rule()
        except _FieldError as problem:
            errors[name] = problem.messages
            return None

    check("drive", lambda: _no_problem(drive_refusal(form.drive, form.reporter)))
    kind = check("kind", lambda: _kind(form.kind))
    title = check("title", lambda: _text(form.title, TITLE_MAX_CHARS))
    text = check("text", lambda: _text(form.text, settings.TARINA_MAX_TEXT_CHARS, trim=False))
    language = check("language", lambda: _language(form.language))
    place = check("place", lambda: _text(form.place, PLACE_MAX_CHARS))
    scopes = form.consent_scopes
    check("consent", lambda: _no_problem(consent_refusal(scopes) or face_refusal(scopes)))
    themes = check("themes", lambda: _themes(form.theme_slugs))
    answers = check("answers", lambda: _answers(form.drive, form.answers))
    check("files", lambda: _files(form.files))
    if errors:
        raise InvalidSubmission(errors)
    errors = kind_refusal(kind, text, form.files, ())
    if errors:
        raise InvalidSubmission(errors)
    return SubmissionRequest(
        drive=form.drive,
        kind=kind,
        title=title,
        text=text,
        language=language,
        place=place,
        consent_scopes=form.consent_scopes,
        files=form.files,
        themes=themes,
        answers=answers,
        reporter=form.reporter,
        channel=form.channel,
    )


class _FieldError(Exception):
    def __init__(self, *messages: str | Promise) -> None:
        super().__init__(*messages)
        self.messages = [str(message) for message in messages]


def _no_problem(problem: str | None) -> None:
    if problem is not None:
        raise _FieldError(problem)


def _kind(value: str) -> StoryKind:
    if value not in StoryKind.values:
        raise _FieldError(str(NOT_A_CHOICE).format(input=value))
    return StoryKind(value)


def _text(value: str, limit: int, *, trim: bool = True) -> str:
    """Text a person wrote: trimmed (unless ``trim`` is off), invisible controls removed."""
    if trim:
        value = value.strip()
    value = plain_text.clean(value)
    problems = []
    if len(value) > limit:
        problems.append(str(TOO_LONG).format(max_length=limit))
    if "\x00" in value:
        problems.append(str(NULL_CHARACTERS))
    if problems:
        raise _FieldError(*problems)
    return value


def _language(value: str) -> str:
    try:
        return language_code(value)
    except ValueError as problem:
        raise _FieldError(str(problem)) from None


def _themes(slugs: Sequence[str]) -> list[Theme]:
    # A slug with NUL names nothing (PostgreSQL cannot even look it up).
    named = [slug for slug in slugs if "\x00" not in slug]
    found = {theme.slug: theme for theme in Theme.objects.filter(slug__in=named)}
    unknown = [slug.replace("\x00", "") for slug in slugs if slug not in found]
    if unknown:
        raise _FieldError(*(str(NO_SUCH_THEME).format(value=slug) for slug in unknown))
    if len(slugs) > THEMES_MAX:
        raise _FieldError(str(TOO_MANY_THEMES).format(max_length=THEMES_MAX))
    return [found[slug] for slug in slugs]


def _answers(drive: Drive, answers: Mapping[str, Any]) -> dict[str, Any]:
    try:
        return questions.clean(drive, answers)
    except questions.InvalidAnswers as problem:
        raise _FieldError(str(problem)) from problem


def _files(files: Sequence[UploadedFile]) -> Sequence[UploadedFile]:
    if len(files) > settings.TARINA_MAX_FILES_PER_STORY:
        raise _FieldError(TOO_MANY_FILES)
    _no_problem(oversized_file(files))
    return files


# --- Storing it ---------------------------------------------------------------------------


def consent_text_for(drive: Drive, language: str) -> ConsentText | None:
    """The newest consent wording of ``drive`` in ``language``, else in its default language."""
    texts = drive.consent_texts.order_by("-version")
    newest = texts.first()
    if newest is None:
        return None
    same_version = texts.filter(version=newest.version)
    return (
        same_version.filter(language=language).first()
        or same_version.filter(language=drive.default_language).first()
        or newest
    )


def submit(request: SubmissionRequest) -> Submission:
    """Store a new story and enqueue its processing once the transaction commits.

    ``request`` is expected to meet the rules above already (``read_form`` or the API's
    serializer); anything that still fails here rolls the whole submission back.
    """
    drive, reporter = request.drive, request.reporter
    receipt, receipt_hash = receipts.issue()
    owner = reporter if reporter is not None and reporter.is_authenticated else None
    now = timezone.now()
    with transaction.atomic():
        story = Story.objects.create(
            drive=drive,
            kind=request.kind,
            title=request.title,
            text=request.text,
            language=request.language,
            place=request.place,
            answers=dict(request.answers),
            reporter=owner,
            receipt_hash=receipt_hash,
            status=StoryStatus.SUBMITTED,
            status_changed_at=now,
            submitted_at=now,
        )
        consent.record(
            story,
            request.consent_scopes,
            consent_text=consent_text_for(
                drive, request.consent_language or request.language or drive.default_language
            ),
            channel=request.channel,
            given_by=reporter,
        )
        for upload in request.files:
            store_original(story, upload)
        for finished in request.uploads:  # resumable uploads: moved in, not copied
            upload_domain.attach(finished, story)
        if request.themes:
            theme_tags.record_reporter_themes(story, [t.slug for t in request.themes])
        audit.record(
            AuditAction.STORY_SUBMITTED,
            story,
            actor=reporter,
            actor_label="" if owner else "light-touch reporter",
            kind=request.kind,
            files=len(request.files) + len(request.uploads),
        )
        processing.enqueue(story)
    return Submission(story=story, receipt=receipt)


def store_original(story: Story, upload: UploadedFile) -> MediaAsset:
    """Save an uploaded file, privately, as an original of ``story``."""
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return MediaAsset.objects.create(
        story=story,
        role=AssetRole.ORIGINAL,
        file=upload,
        # The browser's Content-Type is only a hint; the pipeline sniffs the bytes.
        mime_type=upload.content_type or "",
        size=upload.size or 0,
        sha256=digest.hexdigest(),
    )
