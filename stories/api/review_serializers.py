"""Serializers for curators' review, redaction, collections and consent narrowing."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from stories.api.converters import MAX_ROW_ID
from stories.api.serializers import (
    NOT_TEXT,
    RECEIPT_OR_STORY,
    SlugLookupField,
    StoryThemeSerializer,
    TextField,
)
from stories.enums import ConsentScope, RedactionField
from stories.models import Collection, Redaction, Story, Theme, Transcript, TranscriptRevision

NOT_A_LIST = gettext_lazy("Send a list of theme slugs.")


class RedactionSerializer(serializers.ModelSerializer):
    start_seconds = serializers.SerializerMethodField(
        help_text="For a muted stretch of the recording (field audio): its start in seconds."
    )
    end_seconds = serializers.SerializerMethodField(
        help_text="For a muted stretch of the recording (field audio): its end in seconds."
    )

    class Meta:
        model = Redaction
        fields = [
            "id",
            "field",
            "start",
            "end",
            "start_seconds",
            "end_seconds",
            "text",
            "type",
            "confidence",
            "source",
            "detector",
            "redact",
            "decided_at",
        ]
        read_only_fields = fields

    def get_start_seconds(self, redaction: Redaction) -> float | None:
        return redaction.start / 1000 if redaction.field == RedactionField.AUDIO else None

    def get_end_seconds(self, redaction: Redaction) -> float | None:
        return redaction.end / 1000 if redaction.field == RedactionField.AUDIO else None


class RedactionAddSerializer(serializers.Serializer):
    """A span of a text (character offsets), or with ``field: "audio"`` a stretch of the
    recording to mute (``start_seconds`` < ``end_seconds``, within the recording)."""

    field = serializers.ChoiceField(choices=RedactionField.choices)
    start = serializers.IntegerField(min_value=0, required=False)
    end = serializers.IntegerField(min_value=1, required=False)
    type = serializers.CharField(max_length=20, required=False)
    start_seconds = serializers.FloatField(min_value=0, required=False)
    end_seconds = serializers.FloatField(min_value=0, required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["field"] == RedactionField.AUDIO:
            if "start_seconds" not in attrs or "end_seconds" not in attrs:
                raise serializers.ValidationError(
                    "To mute the recording give start_seconds and end_seconds."
                )
            if attrs["start_seconds"] >= attrs["end_seconds"]:
                raise serializers.ValidationError("start_seconds must come before end_seconds.")
        elif not {"start", "end", "type"} <= attrs.keys():
            raise serializers.ValidationError("Give start, end and type of the span to redact.")
        return attrs


class RedactionDecisionSerializer(serializers.Serializer):
    # Required in the PATCH that sends it too: the decision is the whole body.
    request_rules = {"required": ["redact"]}

    redact = serializers.BooleanField(help_text="false lifts the redaction: the span is published.")


class TranscriptRevisionSerializer(serializers.ModelSerializer):
    author: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = TranscriptRevision
        fields = ["number", "text", "author", "created_at"]


class TranscriptSerializer(serializers.ModelSerializer):
    """What the machine heard (kept as is) and the curators' corrections."""

    machine_text = serializers.CharField(source="text")
    text = serializers.SerializerMethodField()
    revisions = TranscriptRevisionSerializer(many=True)

    class Meta:
        model = Transcript
        fields = [
            "id",
            "engine",
            "model",
            "language",
            "duration",
            "machine_text",
            "text",
            "segments",
            "revisions",
        ]

    def get_text(self, transcript: Transcript) -> str:
        revisions = list(transcript.revisions.all())
        return revisions[-1].text if revisions else transcript.text


class TranscriptEditSerializer(serializers.Serializer):
    text = TextField(max_length=200_000, trim_whitespace=False)


class ReviewStorySerializer(serializers.ModelSerializer):
    """A story as its reviewer sees it: words, transcript, theme suggestions, personal data."""

    drive: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    transcripts = TranscriptSerializer(many=True)
    themes = StoryThemeSerializer(source="theme_tags", many=True)
    redactions = RedactionSerializer(many=True)

    class Meta:
        model = Story
        fields = [
            "id",
            "drive",
            "kind",
            "status",
            "status_reason",
            "title",
            "text",
            "language",
            "place",
            "submitted_at",
            "disguise_voice",
            "transcripts",
            "themes",
            "redactions",
        ]


class ApprovalSerializer(serializers.Serializer):
    disguise_voice = serializers.BooleanField(
        default=False, help_text="Disguise the reporter's voice in the published audio."
    )
    picture = serializers.RegexField(
        r"^[0-9a-f]{64}$",
        required=False,
        help_text="Fingerprint of the anonymised picture looked at (GET picture/); a picture "
        "is published only once a curator looked at it as it is.",
    )


class RejectionSerializer(serializers.Serializer):
    reason = TextField(
        max_length=2000, help_text="Shown to the reporter when they check their receipt."
    )


class StatusReasonSerializer(serializers.Serializer):
    """Why a curator unpublished a story or sent it back to review (optional; audited)."""

    reason = TextField(max_length=2000, required=False, allow_blank=True, default="")


class ReleaseCheckSerializer(serializers.Serializer):
    """What the release check heard when the audio was last built for publishing."""

    state = serializers.ChoiceField(choices=["passed", "refused", "outdated", "not_checked"])
    reason = serializers.CharField(allow_blank=True)
    findings = serializers.ListField(
        child=serializers.DictField(),
        help_text="[{start, end, types}]: stretches where a redacted value was still heard.",
    )
    checked_at = serializers.DateTimeField(allow_null=True)
    seconds = serializers.FloatField(required=False, help_text="How long the check took.")


class PreviewSerializer(serializers.Serializer):
    """Exactly what publishing would make public, before it is published."""

    publishable = serializers.BooleanField()
    reason = serializers.CharField(allow_blank=True)
    title = serializers.CharField(allow_blank=True)
    text = serializers.CharField(allow_blank=True)
    audio = serializers.BooleanField(help_text="Whether anonymised audio would be published.")
    redacted_ranges = serializers.ListField(
        child=serializers.ListField(child=serializers.FloatField()),
        help_text="Seconds [start, end] of the recording that would be toned out.",
    )
    release_check = ReleaseCheckSerializer(
        allow_null=True,
        help_text="The last check that the published audio no longer says what was redacted.",
    )
    image = serializers.CharField(
        allow_blank=True, help_text="'' (no picture), 'anonymised' or 'face shown'."
    )
    picture = serializers.CharField(
        allow_blank=True, help_text="Fingerprint of the picture that would be published."
    )
    picture_seen = serializers.BooleanField(help_text="A curator looked at exactly that picture.")
    video = serializers.BooleanField(
        help_text="Whether the video itself may be published (key frames are read for text "
        "when publishing)."
    )
    themes = serializers.ListField(child=serializers.SlugField())


class CollectionSerializer(serializers.ModelSerializer):
    themes: serializers.SlugRelatedField = SlugLookupField(
        slug_field="slug", queryset=Theme.objects.all(), many=True, required=False
    )
    stories = serializers.SerializerMethodField()
    title = TextField(max_length=200)
    description = TextField(required=False, allow_blank=True)

    class Meta:
        model = Collection
        fields = ["id", "slug", "title", "description", "themes", "stories", "published_at"]
        read_only_fields = ["id", "slug", "published_at"]

    def to_internal_value(self, data: Any) -> Any:
        # A JSON object is iterable, so DRF would read ``"themes": {}`` as no themes.
        if isinstance(data, dict) and "themes" in data and not isinstance(data["themes"], list):
            raise serializers.ValidationError({"themes": [NOT_A_LIST]})
        return super().to_internal_value(data)

    def get_stories(self, collection: Collection) -> list[int]:
        return [entry.story_id for entry in collection.entries.all()]


class CollectionEntrySerializer(serializers.Serializer):
    story = serializers.IntegerField(min_value=1, max_value=MAX_ROW_ID)


class PublishResultSerializer(serializers.Serializer):
    queued = serializers.ListField(child=serializers.IntegerField())
    skipped = serializers.DictField(child=serializers.CharField())


class ConsentNarrowingSerializer(serializers.Serializer):
    """Keep some scopes, withdraw the rest: by receipt or, signed in, by story id (exactly
    one of the two)."""

    receipt = serializers.CharField(
        required=False, max_length=100, error_messages={"invalid": NOT_TEXT}
    )
    story = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ROW_ID)
    keep = serializers.MultipleChoiceField(choices=ConsentScope.choices)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if bool(attrs.get("receipt")) == bool(attrs.get("story")):
            raise serializers.ValidationError(RECEIPT_OR_STORY)
        return attrs


# Named "Consent" in the OpenAPI schema, as it was before the rename.
@extend_schema_serializer(component_name="Consent")
class ConsentStateSerializer(serializers.Serializer):
    """A story's consent after a change: the scopes left and the story's status."""

    scopes = serializers.ListField(child=serializers.CharField())
    status = serializers.CharField()
