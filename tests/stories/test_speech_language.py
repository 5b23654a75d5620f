"""The language among the drive's expected ones, weights per language, and a curator's fix.

Real speech (espeak-ng, no language given by the reporter) on a drive expecting Finnish and
Swedish, real Whisper base; a second weights folder is installed with ``provision_models``.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from django.core.files import File
from django.core.management import CommandError, call_command
from django.urls import reverse

from media_pipeline.speech.weights import SOURCES, faster_whisper_model_dir
from stories.domain import speech
from stories.enums import AssetRole, StoryKind, StoryStatus
from stories.models import MediaAsset, Story, Transcript
from tests.factories import DriveFactory, StoryFactory

pytestmark = pytest.mark.slow

SAID = {
    "sv": "Jag bor i en liten stad vid havet. På morgonen går jag till jobbet och på kvällen "
    "lagar jag mat med min familj.",
    "fi": "Asun pienessä kaupungissa meren rannalla. Aamulla menen töihin ja illalla laitan "
    "ruokaa perheeni kanssa.",
    "de": "Ich wohne in einer kleinen Stadt am Meer. Am Morgen gehe ich zur Arbeit und am "
    "Abend koche ich mit meiner Familie.",
}
BASE_SHA256 = SOURCES["base"].model_sha256


@pytest.fixture(scope="module")
def recordings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One espeak-ng recording per language, 16 kHz mono WAV."""
    folder = tmp_path_factory.mktemp("speech")
    made = {}
    for language, text in SAID.items():
        raw, wav = folder / f"{language}-raw.wav", folder / f"{language}.wav"
        subprocess.run(["espeak-ng", "-v", language, "-s", "140", "-w", str(raw), text], check=True)
        subprocess.run(["sox", "-D", str(raw), "-r", "16000", "-c", "1", str(wav)], check=True)
        made[language] = wav
    return made


@pytest.fixture
def models(settings, speech_models_dir: Path) -> Path:
    settings.TARINA_MODELS_DIR = speech_models_dir
    settings.TARINA_WHISPER_MODEL = "base"
    settings.TARINA_WHISPER_MODEL_BY_LANGUAGE = {}
    settings.TARINA_DIARISE = False  # told apart in test_speakers.py
    return speech_models_dir


def heard(wav: Path, language: str = "") -> Story:
    """An audio story on a drive expecting fi and sv, transcribed."""
    story = StoryFactory(
        drive=DriveFactory(expected_languages=["fi", "sv"]),
        kind=StoryKind.AUDIO,
        title="",
        text="",
        language=language,
        status=StoryStatus.NEEDS_REVIEW,
    )
    asset = MediaAsset.objects.create(
        story=story, role=AssetRole.NORMALISED, variant="audio16k", mime_type="audio/wav"
    )
    with wav.open("rb") as handle:
        asset.file.save("speech.wav", File(handle))
    speech.transcribe_story(story)
    return story


def test_swedish_and_finnish_are_heard_right_and_swedish_uses_its_own_weights(
    db, settings, models: Path, recordings: dict[str, Path], tmp_path: Path
) -> None:
    operator_dir = tmp_path / "models"
    call_command(
        "provision_models",
        from_dir=str(faster_whisper_model_dir(models, "base")),
        name="base-sv",
        sha256=BASE_SHA256,
        models_dir=str(operator_dir),
    )
    installed = faster_whisper_model_dir(operator_dir, "base-sv")
    assert (installed / "model.bin").is_file()
    settings.TARINA_WHISPER_MODEL_BY_LANGUAGE = {"sv": str(installed)}

    swedish = Transcript.objects.get(story=heard(recordings["sv"]))
    assert swedish.language == "sv", swedish.language_decision
    assert (swedish.model, swedish.weights_sha256) == ("base-sv", BASE_SHA256)
    assert swedish.language_decision["chosen"] == "sv"
    assert swedish.language_decision["expected"] == ["fi", "sv"]

    # Finnish has no weights of its own: the decision alone (decoding is as above).
    finnish = speech.configured_transcriber("fi").decide_language(
        recordings["fi"], None, ["fi", "sv"]
    )
    assert finnish.chosen == "fi", finnish
    assert speech.configured_transcriber("fi").model_name == "base"


def test_weights_that_do_not_match_their_checksum_are_refused(
    db, models: Path, tmp_path: Path
) -> None:
    with pytest.raises(CommandError, match="does not match"):
        call_command(
            "provision_models",
            from_dir=str(faster_whisper_model_dir(models, "base")),
            name="tampered",
            sha256="0" * 64,
            models_dir=str(tmp_path),
        )
    assert not faster_whisper_model_dir(tmp_path, "tampered").exists()


def test_german_falls_back_to_an_expected_language_only_when_unsure_and_the_console_says_so(
    db, client, curator, models: Path, recordings: dict[str, Path]
) -> None:
    story = heard(recordings["de"])
    transcript = Transcript.objects.get(story=story)
    decision = transcript.language_decision
    assert decision["detected"] == "de"
    if decision["detected_probability"] < decision["threshold"]:
        assert transcript.language in {"fi", "sv"}
        assert decision["reason"] == "fallback"
    else:
        assert (transcript.language, decision["reason"]) == ("de", "overwhelming")

    client.force_login(curator)
    page = client.get(reverse("frontend:console-story", args=[story.pk])).content.decode()
    assert f'data-language-decision="{decision["reason"]}"' in page
    if decision["reason"] == "fallback":
        assert "Whisper found DE most likely" in page
        assert f"below the {decision['threshold']:.2f}" in page

    # The curator corrects it: one click, then the worker transcribes in German.
    url = reverse("story-transcript-language", args=[story.pk])
    assert client.post(url, {"language": "xx"}, content_type="application/json").status_code == 400
    answer = client.post(url, {"language": "DE"}, content_type="application/json")
    assert answer.status_code == 202, answer.content
    story.refresh_from_db()
    assert story.language == "de"
    speech.transcribe_in_language(story, "de")
    corrected = Transcript.objects.get(story=story)
    assert (corrected.language, corrected.language_decision["reason"]) == ("de", "corrected")
    assert "Stadt" in corrected.text
