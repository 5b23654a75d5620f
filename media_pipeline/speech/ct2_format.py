"""Read CTranslate2 ``model.bin`` files and map Whisper ones to openai-whisper's layout.

The binary layout (CTranslate2 ``ModelSpec._serialize``, binary version 6) is::

    uint32 version, string spec_name, uint32 revision, uint32 n_variables,
    n_variables x (string name, uint8 rank, rank x uint32 dim, uint8 dtype,
                   uint32 n_bytes, n_bytes data),
    uint32 n_aliases, n_aliases x (string alias, string target)

where ``string`` is a uint16 length followed by that many bytes, the last one NUL.
All integers are little-endian.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

# Order of CTranslate2's DataType enum (include/ctranslate2/types.h).
_DTYPES: tuple[str, ...] = ("float32", "int8", "int16", "int32", "float16", "bfloat16")
# Binary versions whose layout is the one described above.
_SUPPORTED_VERSIONS = range(5, 7)


class CT2FormatError(ValueError):
    """The file is not a CTranslate2 model this module can read."""


@dataclass(frozen=True)
class CT2Variable:
    """One variable of a CTranslate2 model: its name and a NumPy array of its data."""

    name: str
    value: np.ndarray


@dataclass(frozen=True)
class CT2Model:
    """A parsed CTranslate2 model: spec name, revision, variables and aliases."""

    spec: str
    revision: int
    variables: dict[str, np.ndarray]
    aliases: dict[str, str]

    def get(self, name: str) -> np.ndarray:
        """Return a variable by name, following aliases (e.g. the tied output projection)."""
        return self.variables[self.aliases.get(name, name)]


def _read_exact(fp: BinaryIO, n: int) -> bytes:
    data = fp.read(n)
    if len(data) != n:
        raise CT2FormatError("unexpected end of file")
    return data


def _read_int(fp: BinaryIO, fmt: str) -> int:
    size = struct.calcsize(fmt)
    (value,) = struct.unpack(fmt, _read_exact(fp, size))
    return int(value)


def _read_string(fp: BinaryIO) -> str:
    length = _read_int(fp, "<H")
    raw = _read_exact(fp, length)
    if not raw.endswith(b"\0"):
        raise CT2FormatError("string is not NUL-terminated")
    return raw[:-1].decode("utf-8")


def read_ct2_model(path: Path) -> CT2Model:
    """Parse a CTranslate2 ``model.bin`` into NumPy arrays (one copy of the weights in memory)."""
    variables: dict[str, np.ndarray] = {}
    aliases: dict[str, str] = {}
    with path.open("rb") as fp:
        version = _read_int(fp, "<I")
        if version not in _SUPPORTED_VERSIONS:
            raise CT2FormatError(f"unsupported CTranslate2 binary version {version}")
        spec = _read_string(fp)
        revision = _read_int(fp, "<I")
        for _ in range(_read_int(fp, "<I")):
            name = _read_string(fp)
            rank = _read_int(fp, "<B")
            shape = tuple(_read_int(fp, "<I") for _ in range(rank))
            dtype_id = _read_int(fp, "<B")
            if dtype_id >= len(_DTYPES) or _DTYPES[dtype_id] == "bfloat16":
                # Whisper conversions are float16/float32; bfloat16 has no NumPy dtype.
                raise CT2FormatError(f"{name}: unsupported dtype id {dtype_id}")
            dtype = np.dtype(_DTYPES[dtype_id]).newbyteorder("<")
            n_bytes = _read_int(fp, "<I")
            expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
            if n_bytes != expected:
                raise CT2FormatError(f"{name}: {n_bytes} bytes for shape {shape} {dtype}")
            variables[name] = np.frombuffer(_read_exact(fp, n_bytes), dtype=dtype).reshape(shape)
        for _ in range(_read_int(fp, "<I")):
            alias = _read_string(fp)
            aliases[alias] = _read_string(fp)
        if fp.read(1):
            raise CT2FormatError("trailing bytes after the alias table")
    return CT2Model(spec=spec, revision=revision, variables=variables, aliases=aliases)


def whisper_dims(model: CT2Model) -> dict[str, int]:
    """Derive openai-whisper ``ModelDimensions`` from the shapes in a Whisper CT2 model."""
    if model.spec != "WhisperSpec":
        raise CT2FormatError(f"expected a WhisperSpec model, got {model.spec}")

    def count_layers(prefix: str) -> int:
        pattern = re.compile(rf"^{prefix}/layer_(\d+)/")
        return 1 + max(int(m.group(1)) for n in model.variables if (m := pattern.match(n)))

    conv1 = model.get("encoder/conv1/weight")
    audio_pos = model.get("encoder/position_encodings/encodings")
    embed = model.get("decoder/embeddings/weight")
    text_pos = model.get("decoder/position_encodings/encodings")
    return {
        "n_mels": int(conv1.shape[1]),
        "n_audio_ctx": int(audio_pos.shape[0]),
        "n_audio_state": int(audio_pos.shape[1]),
        "n_audio_head": int(model.get("encoder/num_heads")),
        "n_audio_layer": count_layers("encoder"),
        "n_vocab": int(embed.shape[0]),
        "n_text_ctx": int(text_pos.shape[0]),
        "n_text_state": int(text_pos.shape[1]),
        "n_text_head": int(model.get("decoder/num_heads")),
        "n_text_layer": count_layers("decoder"),
    }


def _split_rows(array: np.ndarray, parts: int) -> list[np.ndarray]:
    if array.shape[0] % parts:
        raise CT2FormatError(f"cannot split {array.shape} into {parts} equal parts")
    return list(np.split(array, parts, axis=0))


def _linear(model: CT2Model, src: str, dst: str, *, bias: bool = True) -> Iterator[tuple]:
    yield f"{dst}.weight", model.get(f"{src}/weight")
    if bias:
        yield f"{dst}.bias", model.get(f"{src}/bias")


def _layer_norm(model: CT2Model, src: str, dst: str) -> Iterator[tuple]:
    yield f"{dst}.weight", model.get(f"{src}/gamma")
    yield f"{dst}.bias", model.get(f"{src}/beta")


def _fused(model: CT2Model, src: str, dsts: list[str]) -> Iterator[tuple]:
    """Split a fused projection (rows stacked q|k|v or k|v) into openai-whisper linears.

    openai-whisper's ``key`` projections have no bias; CTranslate2 stores zeros there
    when fusing, which we check rather than silently dropping a real bias.
    """
    weights = _split_rows(model.get(f"{src}/weight"), len(dsts))
    biases = _split_rows(model.get(f"{src}/bias"), len(dsts))
    for dst, weight, bias in zip(dsts, weights, biases, strict=True):
        yield f"{dst}.weight", weight
        if dst.endswith(".key"):
            if np.any(bias != 0):
                raise CT2FormatError(f"{src}: non-zero key bias cannot be represented")
        else:
            yield f"{dst}.bias", bias


def _self_attention(model: CT2Model, src: str, dst: str) -> Iterator[tuple]:
    """A transformer block's self-attention: fused q|k|v, output projection, layer norm."""
    yield from _fused(
        model,
        f"{src}/self_attention/linear_0",
        [f"{dst}.attn.{p}" for p in ("query", "key", "value")],
    )
    yield from _linear(model, f"{src}/self_attention/linear_1", f"{dst}.attn.out")
    yield from _layer_norm(model, f"{src}/self_attention/layer_norm", f"{dst}.attn_ln")


def _feed_forward(model: CT2Model, src: str, dst: str) -> Iterator[tuple]:
    """A transformer block's two-layer MLP and its layer norm."""
    yield from _linear(model, f"{src}/ffn/linear_0", f"{dst}.mlp.0")
    yield from _linear(model, f"{src}/ffn/linear_1", f"{dst}.mlp.2")
    yield from _layer_norm(model, f"{src}/ffn/layer_norm", f"{dst}.mlp_ln")


def whisper_state_dict(model: CT2Model) -> dict[str, np.ndarray]:
    """Map a Whisper CTranslate2 model onto openai-whisper ``Whisper.state_dict()`` names."""
    dims = whisper_dims(model)
    out: dict[str, np.ndarray] = {}

    def add(items: Iterator[tuple]) -> None:
        for name, value in items:
            out[name] = value

    # Encoder.
    out["encoder.positional_embedding"] = model.get("encoder/position_encodings/encodings")
    add(_linear(model, "encoder/conv1", "encoder.conv1"))
    add(_linear(model, "encoder/conv2", "encoder.conv2"))
    for i in range(dims["n_audio_layer"]):
        src, dst = f"encoder/layer_{i}", f"encoder.blocks.{i}"
        add(_self_attention(model, src, dst))
        add(_feed_forward(model, src, dst))
    add(_layer_norm(model, "encoder/layer_norm", "encoder.ln_post"))

    # Decoder. The output projection is tied to the token embedding in both formats.
    out["decoder.positional_embedding"] = model.get("decoder/position_encodings/encodings")
    out["decoder.token_embedding.weight"] = model.get("decoder/embeddings/weight")
    for i in range(dims["n_text_layer"]):
        src, dst = f"decoder/layer_{i}", f"decoder.blocks.{i}"
        add(_self_attention(model, src, dst))
        add(_linear(model, f"{src}/attention/linear_0", f"{dst}.cross_attn.query"))
        add(
            _fused(
                model,
                f"{src}/attention/linear_1",
                [f"{dst}.cross_attn.{p}" for p in ("key", "value")],
            )
        )
        add(_linear(model, f"{src}/attention/linear_2", f"{dst}.cross_attn.out"))
        add(_layer_norm(model, f"{src}/attention/layer_norm", f"{dst}.cross_attn_ln"))
        add(_feed_forward(model, src, dst))
    add(_layer_norm(model, "decoder/layer_norm", "decoder.ln"))

    return out
