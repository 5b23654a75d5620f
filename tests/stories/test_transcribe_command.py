"""``manage.py transcribe``: files transcribed from the command line, with real Whisper."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.media_pipeline.speech.test_transcription import CLIPS


def test_transcribe_command_rejects_a_bad_path(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no such file"):
        call_command("transcribe", str(tmp_path / "nope.ogg"), "--json")


@pytest.mark.slow
def test_transcribe_command_prints_json(
    speech_models_dir: Path, fleurs_dir: Path, settings, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.TARINA_MODELS_DIR = speech_models_dir
    call_command("transcribe", str(fleurs_dir / f"{CLIPS['de']}.ogg"), "--json", "--language", "de")
    (result,) = json.loads(capsys.readouterr().out)
    assert result["engine"] == "faster-whisper"
    assert result["model"] == "base"
    assert result["language"] == "de"
    assert result["seconds"] > 0
    assert result["duration"] > 10
    assert result["text"]
    assert result["segments"][0]["words"][0]["word"].strip()
