"""Serializers, tiered by who is asking: a reporter sees less than a curator."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied

from stories.api.converters import MAX_ROW_ID
from stories.api.parsers import load_json
from stories.domain import questions, submission
from stories.domain import text as plain_text
from stories.domain import uploads as upload_domain
from stories.enums import ConsentChannel, ConsentScope, StoryKind, StoryStatus, ThemeAction
from stories.models import ConsentRecord, ConsentText, Drive, MediaAsset, Story, StoryTheme, Theme

# Messages a reporter reads, in the language of the request (``gettext_lazy``: these are
# built at import, before any request has chosen a language). The submission rules' own
# messages live with the rules, in ``stories.domain.submission``.
NOT_AN_UPLOAD_ID = gettext_lazy("This is not the id of an upload.")
NOT_TEXT = gettext_lazy("Send this as text.")
NOT_YES_OR_NO = gettext_lazy("Send this as true or false.")
RECEIPT_OR_STORY = gettext_lazy(
    "Send either the receipt you were given or, when signed in, the story's id."
)


class TextField(serializers.CharField):
    """Text a person wrote, without invisible control characters (``stories.domain.text``).

    Only a JSON string is text: DRF would turn ``0`` or ``1.5`` into ``"0"``, which the
    schema's ``type: string`` refuses; and its length is counted as sent.
    """

    default_error_messages = {"invalid": NOT_TEXT}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        if self.max_length is not None and len(data) > self.max_length:
            # Measured as sent, as the schema's maxLength is: not after cleaning.
            self.fail("max_length", max_length=self.max_length)
        text = plain_text.clean(super().to_internal_value(data))
        if not text and not self.allow_blank:
            # Only control characters, which cleaning drops: as blank as "" (the domain
            # would refuse it with an error, a 500).
            self.fail("blank")
        return text


class SlugLookupField(serializers.SlugRelatedField):
    """A slug that names an object; one with NUL names nothing (PostgreSQL cannot look it up)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data.replace("\x00", ""))
        return super().to_internal_value(data)


@extend_schema_field(
    {"type": "string", "pattern": "^\\s*([A-Za-z]{2})?\\s*$", "description": "ISO 639-1."}
)
class LanguageField(serializers.CharField):
    """An ISO 639-1 code such as ``fi``; case and spaces are forgiven."""

    default_error_messages = {"invalid": NOT_TEXT}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 8)
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        try:
            return submission.language_code(super().to_internal_value(data))
        except ValueError as problem:
            raise serializers.ValidationError(str(problem)) from None


class ConsentScopesSerializer(serializers.Serializer):
    """The scopes a reporter agrees to. Storing is required; everything else is a choice."""

    store = serializers.BooleanField(default=False, error_messages={"invalid": NOT_YES_OR_NO})
    publish_text = serializers.BooleanField(
        default=False, error_messages={"invalid": NOT_YES_OR_NO}
    )
    publish_audio = serializers.BooleanField(
        default=False, error_messages={"invalid": NOT_YES_OR_NO}
    )
    publish_image = serializers.BooleanField(
        default=False, error_messages={"invalid": NOT_YES_OR_NO}
    )
    publish_face = serializers.BooleanField(
        default=False, error_messages={"invalid": NOT_YES_OR_NO}
    )
    research = serializers.BooleanField(default=False, error_messages={"invalid": NOT_YES_OR_NO})

    def validate_store(self, value: bool) -> bool:
        refusal = submission.consent_refusal({ConsentScope.STORE.value: value})
        if refusal is not None:
            raise serializers.ValidationError(refusal)
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        refusal = submission.face_refusal(attrs)
        if refusal is not None:
            raise serializers.ValidationError({ConsentScope.PUBLISH_FACE.value: refusal})
        return attrs


@extend_schema_field(
    {
        "type": "object",
        "properties": {scope.value: {"type": "boolean"} for scope in ConsentScope},
        "required": [ConsentScope.STORE.value],
        "description": 'Scopes agreed to, e.g. {"store": true}; a JSON string in multipart.',
    }
)
class ConsentField(serializers.Field):
    """Consent as a JSON object, or as a JSON-encoded string in multipart requests."""

    default_error_messages = {
        # Doubled braces: DRF formats error messages with str.format.
        "invalid": gettext_lazy('Consent must be a JSON object such as {{"store": true}}.'),
    }

    def to_internal_value(self, data: Any) -> dict[str, bool]:
        if isinstance(data, str):
            try:
                data = load_json(data)
            except ValueError:
                self.fail("invalid")
        if not isinstance(data, dict):
            self.fail("invalid")
        scopes = ConsentScopesSerializer(data=data)
        scopes.is_valid(raise_exception=True)
        return dict(scopes.validated_data)

    def to_representation(self, value: Any) -> Any:
        return value


class StorySubmitSerializer(serializers.Serializer):
    """What a reporter sends to tell a story."""

    drive = SlugLookupField(
        slug_field="slug",
        queryset=Drive.objects.all(),
        error_messages={"does_not_exist": gettext_lazy("There is no drive called '{value}'.")},
    )
    kind = serializers.ChoiceField(choices=StoryKind.choices)
    title = TextField(
        max_length=submission.TITLE_MAX_CHARS, required=False, allow_blank=True, default=""
    )
    text = TextField(
        max_length=settings.TARINA_MAX_TEXT_CHARS,
        required=False,
        allow_blank=True,
        default="",
        trim_whitespace=False,
    )
    language = LanguageField(default="")
    place = TextField(
        max_length=submission.PLACE_MAX_CHARS, required=False, allow_blank=True, default=""
    )
    consent = ConsentField()
    themes = serializers.ListField(
        child=SlugLookupField(
            slug_field="slug",
            queryset=Theme.objects.all(),
            error_messages={"does_not_exist": submission.NO_SUCH_THEME},
        ),
        required=False,
        default=list,
        max_length=submission.THEMES_MAX,
        error_messages={"max_length": submission.TOO_MANY_THEMES},
        help_text="Themes the reporter feels the story speaks to (optional).",
    )
    answers = serializers.JSONField(
        required=False,
        default=dict,
        help_text="Answers to the drive's questions (optional; see the drive's `questions`): "
        'a triad as {"corner": weight 0-10, ...}, a slider as 0-100, a choice or an area '
        'as its key, e.g. {"about": {"power": 2, "care": 7}, "felt": 70, "area": "kallio"}.',
    )
    files = serializers.ListField(
        child=serializers.FileField(allow_empty_file=False),
        required=False,
        default=list,
        max_length=settings.TARINA_MAX_FILES_PER_STORY,
        error_messages={"max_length": submission.TOO_MANY_FILES},
    )
    channel = serializers.ChoiceField(
        choices=[ConsentChannel.API.value, ConsentChannel.FACILITATOR.value],
        default=ConsentChannel.API.value,
        help_text="How consent was given: `api` (the sender agreed themselves) or "
        "`facilitator` (a facilitator read the consent text aloud and ticked what the "
        "storyteller agreed to; the drive page's facilitator mode sends this).",
    )
    uploads = serializers.ListField(
        child=serializers.UUIDField(error_messages={"invalid": NOT_AN_UPLOAD_ID}),
        required=False,
        default=list,
        max_length=settings.TARINA_MAX_FILES_PER_STORY,
        error_messages={"max_length": submission.TOO_MANY_FILES},
        help_text="Ids of finished resumable uploads (/api/v1/uploads/), instead of or besides "
        "files. Without an account, send their Upload-Token headers (comma-separated).",
    )

    def validate_drive(self, drive: Drive) -> Drive:
        try:
            refusal = submission.drive_refusal(drive, self.context["request"].user)
        except submission.SubmissionRefused as refused:
            raise PermissionDenied(str(refused)) from None
        if refusal is not None:
            raise serializers.ValidationError(refusal)
        return drive

    def validate_files(self, files: list[Any]) -> list[Any]:
        problem = submission.oversized_file(files)
        if problem is not None:
            raise serializers.ValidationError(problem)
        return files

    def validate_uploads(self, ids: list[Any]) -> list[Any]:
        request = self.context["request"]
        tokens = upload_domain.tokens_from(request.headers.get("Upload-Token"))
        try:
            return upload_domain.for_submission(ids, request.user, tokens)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        problems = submission.kind_refusal(
            attrs["kind"], attrs["text"], attrs["files"], attrs.get("uploads", [])
        )
        if problems:
            raise serializers.ValidationError(problems)
        try:
            attrs["answers"] = questions.clean(attrs["drive"], attrs.get("answers"))
        except questions.InvalidAnswers as problem:
            raise serializers.ValidationError({"answers": [str(problem)]}) from None
        return attrs

    def to_request(self) -> submission.SubmissionRequest:
        """The validated submission, as ``stories.domain.submission.submit`` takes it."""
        data = self.validated_data
        channel = ConsentChannel(data.get("channel", ConsentChannel.API))
        return submission.SubmissionRequest(
            drive=data["drive"],
            kind=StoryKind(data["kind"]),
            title=data["title"],
            text=data["text"],
            language=data["language"],
            place=data["place"],
            consent_scopes=data["consent"],
            files=data["files"],
            uploads=data["uploads"],
            themes=data["themes"],
            answers=data["answers"],
            reporter=self.context["request"].user,
            channel=channel,
        )


class StoryJsonSubmitSerializer(StorySubmitSerializer):
    """A submission as the schema documents it, in JSON: everything but ``files`` (JSON
    carries no file: files come as tus ``uploads``, or as multipart). Only the schema uses
    it; the view reads every encoding with ``StorySubmitSerializer``."""

    files = None  # type: ignore[assignment]


class ConsentTextSerializer(serializers.ModelSerializer):
    class Meta:
        model = ConsentText
        fields = ["version", "language", "text"]


class DriveSerializer(serializers.ModelSerializer):
    consent_version = serializers.SerializerMethodField()
    consent_texts = serializers.SerializerMethodField()

    class Meta:
        model = Drive
        fields = [
            "slug",
            "title",
            "description",
            "prompts",
            "expected_languages",
            "default_language",
            "allow_light_touch",
            "is_open",
            "blur_all_text",
            "questions",
            "areas",
            "consent_version",
            "consent_texts",
        ]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        instance = self.instance if isinstance(self.instance, Drive) else None
        asked = attrs.get("questions", instance.questions if instance else [])
        places = attrs.get("areas", instance.areas if instance else {})
        try:
            questions.check_definitions(asked, places)
        except questions.InvalidQuestions as problem:
            raise serializers.ValidationError({"questions": [str(problem)]}) from None
        return attrs

    def _current_texts(self, drive: Drive) -> list[ConsentText]:
        # Uses the prefetched texts: no query per drive.
        texts = list(drive.consent_texts.all())
        newest = max((t.version for t in texts), default=None)
        return [t for t in texts if t.version == newest]

    def get_consent_version(self, drive: Drive) -> int | None:
        texts = self._current_texts(drive)
        return texts[0].version if texts else None

    def get_consent_texts(self, drive: Drive) -> list[dict[str, Any]]:
        return ConsentTextSerializer(self._current_texts(drive), many=True).data  # type: ignore[return-value]


class ConsentRecordSerializer(serializers.ModelSerializer):
    scopes = serializers.ListField(child=serializers.ChoiceField(ConsentScope.choices))

    class Meta:
        model = ConsentRecord
        fields = [
            "scopes",
            "consent_version",
            "consent_language",
            "channel",
            "given_at",
            "withdrawn_at",
        ]


class MediaAssetSerializer(serializers.ModelSerializer):
    """File facts only: no URL, because originals are never public."""

    class Meta:
        model = MediaAsset
        fields = [
            "id",
            "role",
            "variant",
            "mime_type",
            "size",
            "sha256",
            "duration",
            "width",
            "height",
        ]


class StorySerializer(serializers.ModelSerializer):
    """A story as its reporter sees it."""

    drive: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    processing = serializers.SerializerMethodField()
    consent = serializers.SerializerMethodField()
    assets = MediaAssetSerializer(many=True, read_only=True)

    class Meta:
        model = Story
        fields = [
            "id",
            "drive",
            "kind",
            "title",
            "text",
            "language",
            "place",
            "status",
            "status_reason",
            "processing",
            "consent",
            "assets",
            "submitted_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_processing(self, story: Story) -> dict[str, Any]:
        return {"step": story.processing_step, "percent": story.processing_percent}

    def get_consent(self, story: Story) -> dict[str, Any] | None:
        # Uses the prefetched records, newest first.
        records = list(story.consent_records.all())
        return ConsentRecordSerializer(records[0]).data if records else None


class CuratorStorySerializer(StorySerializer):
    """A story as a curator sees it: who sent it and how processing went."""

    # Null for a story told without an account (a light-touch drive).
    reporter: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta(StorySerializer.Meta):
        fields = [*StorySerializer.Meta.fields, "reporter"]
        read_only_fields = fields

    def get_processing(self, story: Story) -> dict[str, Any]:
        return {
            **super().get_processing(story),
            "timings": story.processing_timings,
            "attempts": story.processing_attempts,
        }


# Where a status is changed instead of PATCHing it: each action does all of its work
# (a published story's public copy goes before it is approved again, rejected or reopened;
# publishing builds a fresh copy; withdrawal erases). ``{id}`` is the story's.
STATUS_ACTIONS: dict[str, str] = {
    StoryStatus.APPROVED: "POST /api/v1/stories/{id}/approve/ (or unpublish/ when published)",
    StoryStatus.REJECTED: "POST /api/v1/stories/{id}/reject/",
    StoryStatus.NEEDS_REVIEW: "POST /api/v1/stories/{id}/reopen/",
    StoryStatus.PUBLISHED: "POST /api/v1/stories/{id}/publish/",
    StoryStatus.SUBMITTED: "POST /api/v1/stories/{id}/retry/",
    StoryStatus.WITHDRAWN: 'POST /api/v1/withdrawals/ {{"story": {id}, "reason": "..."}}',
}
STATUS_NOT_WRITABLE = (
    "A story's status is not edited; it changes through its actions: approve/, reject/, "
    "reopen/, publish/, unpublish/ and retry/ under /api/v1/stories/{id}/, and "
    "POST /api/v1/withdrawals/."
)


class StoryUpdateSerializer(serializers.Serializer):
    """Fields that may be PATCHed: the story's words and details, never its status.

    A status changes only through the story's actions; a PATCH that carries ``status`` or
    ``status_reason`` is refused (400) with the action endpoint to use.
    """

    # The answer names the endpoint from STATUS_ACTIONS, with the id given in the context
    # as ``story_id``.

    title = TextField(max_length=submission.TITLE_MAX_CHARS, required=False, allow_blank=True)
    text = TextField(
        max_length=settings.TARINA_MAX_TEXT_CHARS,
        required=False,
        allow_blank=True,
        trim_whitespace=False,
    )
    language = LanguageField()
    place = TextField(max_length=100, required=False, allow_blank=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        sent = self.initial_data
        if "status" in sent or "status_reason" in sent:
            raise serializers.ValidationError({"status": [self._where_instead(sent)]})
        return attrs

    def _where_instead(self, sent: Any) -> str:
        """The action endpoint for the status asked for, or the list of them."""
        story_id = self.context.get("story_id", "{id}")
        target = sent.get("status")
        action = STATUS_ACTIONS.get(target) if isinstance(target, str) else None
        if action is None:
            return STATUS_NOT_WRITABLE.format(id=story_id)
        return f"A story's status is not edited; use {action.format(id=story_id)}."


class ReceiptStatusSerializer(serializers.Serializer):
    status = serializers.CharField()
    reason = serializers.CharField(allow_blank=True)
    processing_percent = serializers.IntegerField()


class ReceiptLookupSerializer(serializers.Serializer):
    """A receipt to look up, in the body: never in a URL, where access logs would keep it."""

    receipt = serializers.CharField(max_length=100, error_messages={"invalid": NOT_TEXT})


class WithdrawalSerializer(serializers.Serializer):
    """By ``receipt``, or signed in by ``story`` id: exactly one of the two."""

    receipt = serializers.CharField(
        required=False, max_length=100, error_messages={"invalid": NOT_TEXT}
    )
    story = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ROW_ID)
    reason = TextField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="Why, when a curator withdraws a story on its reporter's behalf "
        "(required then): kept in the audit trail.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if bool(attrs.get("receipt")) == bool(attrs.get("story")):
            raise serializers.ValidationError(RECEIPT_OR_STORY)
        return attrs


class SubmissionResponseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    receipt = serializers.CharField(help_text="Shown only once. Keep it to check or withdraw.")


class ThemeSerializer(serializers.ModelSerializer):
    """A theme in the reader's language (``?lang=`` or Accept-Language)."""

    # A declared field named like Field.label: fine for DRF, confusing for the stubs.
    label = serializers.SerializerMethodField()  # type: ignore[assignment]
    description = serializers.SerializerMethodField()
    published_stories = serializers.IntegerField(read_only=True)

    class Meta:
        model = Theme
        fields = ["slug", "constellation", "label", "description", "published_stories"]

    def _language(self) -> str:
        return str(self.context.get("language", "en"))

    def get_label(self, theme: Theme) -> str:
        return theme.label(self._language())

    def get_description(self, theme: Theme) -> str:
        return theme.description(self._language())


class StoryThemeSerializer(serializers.ModelSerializer):
    theme: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )

    class Meta:
        model = StoryTheme
        fields = [
            "theme",
            "source",
            "state",
            "score",
            "suggested",
            "evidence",
            "taxonomy_version",
            "decided_at",
        ]


class ThemeEvidenceSerializer(serializers.Serializer):
    """A passage of the transcript a curator chose as evidence for a theme."""

    text = serializers.CharField(max_length=2000)
    start = serializers.IntegerField(min_value=0, help_text="Character offset in the transcript.")
    end = serializers.IntegerField(min_value=0)
    segment_start = serializers.FloatField(min_value=0, required=False, help_text="Seconds.")
    segment_end = serializers.FloatField(min_value=0, required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["end"] <= attrs["start"]:
            raise serializers.ValidationError({"end": "The passage ends before it starts."})
        return attrs


class ThemeDecisionSerializer(serializers.Serializer):
    theme = serializers.SlugField()
    action = serializers.ChoiceField(choices=ThemeAction.choices)
    evidence = ThemeEvidenceSerializer(required=False)
