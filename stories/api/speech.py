"""Curators' speech actions: correct a recording's language, mute one speaker.

Views parse the request and call ``stories.domain``; the console's speech panel
(``frontend/console/_speech.html``) posts here.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from stories.api.parsers import API_PARSERS
from stories.api.permissions import CuratorsOnly
from stories.api.review_serializers import RedactionSerializer
from stories.domain import speaker_muting, speech
from stories.enums import StoryStatus
from stories.models import Story

# A withdrawn story has nothing left to hear; a published one is taken back first.
_NOT_NOW = (StoryStatus.WITHDRAWN, StoryStatus.PUBLISHED)


class LanguageCorrectionSerializer(serializers.Serializer[dict[str, str]]):
    language = serializers.CharField(
        max_length=8, help_text="Whisper language code the recording is in, e.g. sv."
    )


class LanguageCorrectionAnswerSerializer(serializers.Serializer[dict[str, str]]):
    language = serializers.CharField()


class SpeakerSerializer(serializers.Serializer[dict[str, str]]):
    speaker = serializers.CharField(max_length=32, help_text='As shown, e.g. "Speaker 2".')


class TranscriptLanguageView(APIView):
    permission_classes = [CuratorsOnly]
    parser_classes = API_PARSERS

    @extend_schema(
        request=LanguageCorrectionSerializer, responses={202: LanguageCorrectionAnswerSerializer}
    )
    def post(self, request: Request, pk: int) -> Response:
        """Set the recording's language and transcribe it again in it (queued; the new
        transcript replaces the old one, and corrections to the old one with it)."""
        incoming = LanguageCorrectionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        story = get_object_or_404(Story.objects.select_related("drive"), pk=pk)
        if story.status in _NOT_NOW:
            return Response(
                {"detail": "Not while the story is published or withdrawn."},
                status=status.HTTP_409_CONFLICT,
            )
        try:
            code = speech.request_transcription(
                story, incoming.validated_data["language"], actor=request.user
            )
        except speech.InvalidLanguage as exc:
            return Response({"language": [str(exc)]}, status=status.HTTP_400_BAD_REQUEST)
        return Response({"language": code}, status=status.HTTP_202_ACCEPTED)


class SpeakerMuteView(APIView):
    permission_classes = [CuratorsOnly]
    parser_classes = API_PARSERS

    @extend_schema(request=SpeakerSerializer, responses={201: RedactionSerializer(many=True)})
    def post(self, request: Request, pk: int) -> Response:
        """Mute one speaker entirely: their turns in the published audio, their words in
        the transcript."""
        incoming = SpeakerSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        story = get_object_or_404(Story, pk=pk)
        added = speaker_muting.mute_speaker(
            story, incoming.validated_data["speaker"], actor=request.user
        )
        return Response(RedactionSerializer(added, many=True).data, status=status.HTTP_201_CREATED)
