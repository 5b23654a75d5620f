"""Provisioning Whisper weights offline: assembly, hashes, conversion, idempotency."""

from __future__ import annotations

import base64
import gzip
import json
from pathlib import Path

import numpy as np
import pytest

from media_pipeline.speech.ct2_format import CT2FormatError, read_ct2_model
from media_pipeline.speech.weights import (
    SOURCES,
    WeightsError,
    _copy_verified,
    alignment_heads_dump,
    faster_whisper_model_dir,
    openai_whisper_checkpoint,
    provision,
    sha256_file,
)

# Systran/faster-whisper-base model.bin, assembled from the two weight packages.
PINNED_BASE_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"


def test_pinned_hash_is_the_one_in_code() -> None:
    assert SOURCES["base"].model_sha256 == PINNED_BASE_SHA256


def test_assembled_model_bin_has_pinned_hash(speech_models_dir: Path) -> None:
    model_dir = faster_whisper_model_dir(speech_models_dir, "base")
    assert sha256_file(model_dir / "model.bin") == PINNED_BASE_SHA256
    assert (model_dir / "model.bin").stat().st_size == 145_217_532
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        assert (model_dir / name).is_file()
    # Atomic writes leave no temporary files behind.
    assert not list(model_dir.parent.parent.rglob("*.tmp"))


def test_provision_is_idempotent(speech_models_dir: Path) -> None:
    report = provision(speech_models_dir)
    assert [item.action for item in report.items] == ["present", "present"]
    assert report.created == []


def test_hash_mismatch_writes_nothing(tmp_path: Path) -> None:
    source = tmp_path / "part"
    source.write_bytes(b"not a model")
    target = tmp_path / "out" / "model.bin"
    with pytest.raises(WeightsError, match="does not match the pinned"):
        _copy_verified([source], target, PINNED_BASE_SHA256)
    assert not target.exists()
    assert list(target.parent.iterdir()) == []


def test_corrupt_model_is_rebuilt(tmp_path: Path) -> None:
    provision(tmp_path, engines=["faster-whisper"])
    model_bin = faster_whisper_model_dir(tmp_path, "base") / "model.bin"
    with model_bin.open("r+b") as fp:
        fp.seek(1000)
        fp.write(b"\xff" * 16)
    report = provision(tmp_path, engines=["faster-whisper"])
    assert report.items[0].action == "created"
    assert sha256_file(model_bin) == PINNED_BASE_SHA256


def test_unknown_engine_and_model_are_refused(tmp_path: Path) -> None:
    with pytest.raises(WeightsError, match="unknown engine"):
        provision(tmp_path, engines=["kaldi"])
    with pytest.raises(WeightsError, match="No offline source"):
        provision(tmp_path, engines=["faster-whisper"], models=["large-v3"])


def test_reader_rejects_garbage(tmp_path: Path) -> None:
    junk = tmp_path / "model.bin"
    junk.write_bytes(b"\x06\x00\x00\x00garbage")
    with pytest.raises(CT2FormatError):
        read_ct2_model(junk)


def test_alignment_heads_encoding_matches_openai_table() -> None:
    import whisper

    def decode(dump: bytes) -> np.ndarray:
        return np.frombuffer(gzip.decompress(base64.b85decode(dump)), dtype=bool)

    heads = [[3, 1], [4, 2], [4, 3], [4, 7], [5, 1], [5, 2], [5, 4], [5, 6]]
    ours = decode(alignment_heads_dump(heads, 6, 8))
    assert np.array_equal(ours, decode(whisper._ALIGNMENT_HEADS["base"]))


@pytest.mark.slow
def test_checkpoint_loads_strictly_in_openai_whisper(speech_models_dir: Path) -> None:
    import torch
    import whisper
    from whisper.model import ModelDimensions, Whisper, sinusoids

    path = openai_whisper_checkpoint(speech_models_dir, "base")
    checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    assert checkpoint["dims"] == {
        "n_mels": 80,
        "n_audio_ctx": 1500,
        "n_audio_state": 512,
        "n_audio_head": 8,
        "n_audio_layer": 6,
        "n_vocab": 51865,
        "n_text_ctx": 448,
        "n_text_state": 512,
        "n_text_head": 8,
        "n_text_layer": 6,
    }
    state = checkpoint["model_state_dict"]
    reference = Whisper(ModelDimensions(**checkpoint["dims"])).state_dict()
    assert set(state) == set(reference)
    for name, tensor in reference.items():
        assert state[name].shape == tensor.shape, name
    Whisper(ModelDimensions(**checkpoint["dims"])).load_state_dict(state, strict=True)
    # The encoder's positional embedding is a fixed sinusoid: a mapping sanity check.
    assert torch.allclose(
        state["encoder.positional_embedding"].float(), sinusoids(1500, 512), atol=2e-3
    )
    # The plain openai-whisper loader accepts the file too.
    model = whisper.load_model(str(path), device="cpu")
    assert model.dims.n_vocab == 51865
    manifest = json.loads(path.with_name("base.pt.json").read_text())
    assert manifest["source_sha256"] == PINNED_BASE_SHA256
    assert manifest["sha256"] == sha256_file(path)
