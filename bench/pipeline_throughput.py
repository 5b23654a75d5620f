"""Pipeline throughput for 1-minute phone recordings: ``python bench/pipeline_throughput.py``.

One Celery worker (``--queues media,transcribe --concurrency 1``, the default engine and
settings, Whisper loaded once per worker process) on this machine's cores, PostgreSQL and
Redis, and a database of the benchmark's own (``tarina_perf_pipeline``, created and
migrated when missing). Recordings are made at run time: FLEURS clips of one language
from ``../shared/speech/fleurs`` (never copied into the repository), in random order with
0.4-1.2 s pauses, cut to ``--seconds`` (60) and encoded as a phone or browser would:
AAC-LC 48 kHz mono 96 kb/s in M4A, and Opus 48 kHz mono 32 kb/s in WebM (the reporter
web app's MediaRecorder), taking turns. Each is submitted through the real API (a
multipart POST of ``/api/v1/stories/``, in this process) with consent to store.

After one warm-up story (model loading, not counted):

* **one at a time**: ``--sequential`` stories, each uploaded when the previous one reached
  review: the time from the upload's response (the upload complete and the story
  submitted) to ``needs_review`` (``status_changed_at``), p50 and p95;
* **backlog**: ``--backlog`` stories uploaded at once: stories per hour is their number
  over the time from the first upload to the last ``needs_review``.

``--layout split`` runs the production layout of docs/deployment.md instead: a media
worker and a transcribe worker, one process each, on the same cores.

Prints a table, with the median time of each pipeline step, and writes it into
docs/performance.md between the ``<!-- pipeline_throughput -->`` markers unless
``--no-docs``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from docs_section import ensure_database, load_average, machine, postgres_version, replace_section  # noqa: E402

FLEURS = ROOT.parent / "shared" / "speech" / "fleurs"
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/tarina_perf_pipeline"
DEFAULT_REDIS = "redis://127.0.0.1:6379/10"
DRIVE = "bench-pipeline"
# One worker for both queues (the benchmark's subject), or the production layout of
# docs/deployment.md: a media worker and a transcribe worker, one process each.
LAYOUTS = {"one": ["media,transcribe"], "split": ["media", "transcribe"]}
FORMATS = {
    # name: (container format, codec, bit rate, suffix, MIME type)
    "m4a": ("ipod", "aac", 96_000, ".m4a", "audio/mp4"),
    "webm": ("webm", "libopus", 32_000, ".webm", "audio/webm"),
}


@dataclass
class Recording:
    path: Path
    language: str
    fmt: str
    seconds: float


@dataclass
class Outcome:
    recording: Recording
    story_id: int
    uploaded: datetime.datetime
    status: str = ""
    done: datetime.datetime | None = None
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def latency(self) -> float:
        assert self.done is not None
        return (self.done - self.uploaded).total_seconds()


def percentile(values: list[float], fraction: float) -> float:
    """Linear-interpolated percentile (fraction in 0..1)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


# --- Recordings -------------------------------------------------------------------------


def make_recording(out: Path, language: str, fmt: str, seconds: float, rng: random.Random) -> Path:
    """FLEURS clips of ``language`` joined with pauses, cut to ``seconds``, phone-encoded."""
    import av
    import numpy as np

    from media_pipeline.speech.audio import decode_audio

    rate = 16_000
    clips = sorted(FLEURS.glob(f"fleurs-{language}-*.ogg"))
    if not clips:
        raise SystemExit(f"No FLEURS clips for {language} in {FLEURS}")
    parts: list[Any] = []
    total = 0
    while total < seconds * rate:
        pause = np.zeros(int(rng.uniform(0.4, 1.2) * rate), dtype=np.float32)
        speech = decode_audio(rng.choice(clips))
        parts += [pause, speech]
        total += len(pause) + len(speech)
    # Quiet room noise, as a phone microphone picks up.
    samples = np.concatenate(parts)[: int(seconds * rate)]
    samples = samples + np.random.default_rng(rng.randint(0, 2**31)).normal(
        0, 0.002, len(samples)
    ).astype(np.float32)
    container_format, codec, bit_rate, suffix, _ = FORMATS[fmt]
    path = out.with_suffix(suffix)
    with av.open(str(path), "w", format=container_format) as container:
        stream: Any = container.add_stream(codec, rate=48_000)
        stream.layout = "mono"
        stream.bit_rate = bit_rate
        resampler = av.AudioResampler(format=stream.format.name, layout="mono", rate=48_000)
        step = rate  # one second at a time, as a recorder writes
        for start in range(0, len(samples), step):
            chunk = samples[start : start + step].reshape(1, -1)
            frame = av.AudioFrame.from_ndarray(chunk, format="flt", layout="mono")
            frame.sample_rate = rate
            for resampled in resampler.resample(frame):
                container.mux(stream.encode(resampled))
        for resampled in resampler.resample(None):
            container.mux(stream.encode(resampled))
        container.mux(stream.encode(None))
    return path


def make_recordings(
    folder: Path, count: int, seconds: float, formats: list[str], rng: random.Random
) -> list[Recording]:
    recordings = []
    for index in range(count):
        language = ("en", "de")[index % 2]
        fmt = formats[(index // 2) % len(formats)]
        path = make_recording(folder / f"recording-{index:03d}", language, fmt, seconds, rng)
        recordings.append(Recording(path, language, fmt, seconds))
    return recordings


# --- The worker and the database ---------------------------------------------------------


def bench_env(args: argparse.Namespace) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(50),
        "DATABASE_URL": args.database_url,
        "CELERY_BROKER_URL": args.redis_url,
        "TARINA_VAR_DIR": str(args.var_dir),
        "TARINA_MODELS_DIR": str(args.models_dir),
        "TARINA_SUBMISSION_THROTTLE_ADDRESS": "100000/hour",
        "TARINA_SUBMISSION_THROTTLE_DRIVE": "100000/hour",
        "PYTHONUNBUFFERED": "1",
    }


def start_worker(env: dict[str, str], log: Path, name: str, queues: str) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-m", "celery", "--app", "config", "worker",
        "--queues", queues, "--concurrency", "1", "--hostname", name,
        "--loglevel", "INFO", "--without-gossip", "--without-mingle",
    ]  # fmt: skip
    with log.open("ab") as out:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)


def wait_for_worker(app: Any, name: str, worker: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise SystemExit("The worker exited; see its log in the var folder.")
        if app.control.ping(destination=[name], timeout=1.0):
            return
    raise SystemExit("The worker did not answer in time.")


# --- Submitting and waiting ----------------------------------------------------------------


def submit(client: Any, recording: Recording) -> Outcome:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    mime = FORMATS[recording.fmt][4]
    upload = SimpleUploadedFile(
        f"recording{recording.path.suffix}", recording.path.read_bytes(), content_type=mime
    )
    response = client.post(
        "/api/v1/stories/",
        {
            "drive": DRIVE,
            "kind": "audio",
            "consent": json.dumps({"store": True, "publish_text": True}),
            "files": [upload],
        },
    )
    if response.status_code != 201:
        raise SystemExit(f"Submission refused: {response.status_code} {response.content[:300]!r}")
    return Outcome(recording, int(response.json()["id"]), timezone.now())


def wait_done(outcomes: list[Outcome], timeout: float) -> None:
    from stories.enums import StoryStatus
    from stories.models import Story

    pending = {o.story_id: o for o in outcomes}
    deadline = time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        rows = Story.objects.filter(
            pk__in=list(pending), status__in=[StoryStatus.NEEDS_REVIEW, StoryStatus.FAILED]
        ).values("pk", "status", "status_changed_at", "processing_timings", "status_reason")
        for row in rows:
            outcome = pending.pop(row["pk"])
            outcome.status = row["status"]
            outcome.done = row["status_changed_at"]
            outcome.timings = dict(row["processing_timings"] or {})
            if outcome.status == StoryStatus.FAILED:
                print(f"  story {row['pk']} FAILED: {row['status_reason']}", flush=True)
        time.sleep(0.2)
    if pending:
        raise SystemExit(f"Stories {sorted(pending)} did not reach review in {timeout:.0f} s.")


def report(
    args: argparse.Namespace,
    sequential: list[Outcome],
    backlog: list[Outcome],
    started_load: tuple[float, float, float],
    load_during: list[float],
) -> str:
    ok_seq = [o for o in sequential if o.status == "needs_review"]
    ok_backlog = [o for o in backlog if o.status == "needs_review"]
    latencies = [o.latency for o in ok_seq]
    lines = [
        f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC; {machine()}; "
        f"{postgres_version(args.database_url)} and Redis on the same machine; "
        + " and ".join(f"a worker `--queues {q} --concurrency 1`" for q in LAYOUTS[args.layout])
        + "; faster-whisper `base` with the "
        f"default settings; recordings of {args.seconds:.0f} s (FLEURS en/de speech with "
        f"pauses and light noise), AAC in M4A and Opus in WebM taking turns. Machine load "
        f"(1-min load average) before starting: {started_load[0]:.1f}; during the run: "
        f"{min(load_during):.1f}-{max(load_during):.1f}.",
        "",
        "| measure | value |",
        "|---|---:|",
        f"| one at a time: stories | {len(sequential)} ({len(sequential) - len(ok_seq)} failed) |",
        f"| upload complete → needs_review, p50 | {percentile(latencies, 0.5):.1f} s |",
        f"| upload complete → needs_review, p95 | {percentile(latencies, 0.95):.1f} s |",
        f"| upload complete → needs_review, max | {max(latencies, default=float('nan')):.1f} s |",
    ]
    if backlog:
        first = min(o.uploaded for o in backlog)
        last = max(o.done for o in backlog if o.done is not None)
        makespan = (last - first).total_seconds()
        queued = [o.latency for o in ok_backlog]
        audio_hours = len(ok_backlog) * args.seconds / 3600
        lines += [
            f"| backlog: stories uploaded at once | {len(backlog)} "
            f"({len(backlog) - len(ok_backlog)} failed) |",
            f"| backlog: first upload → last needs_review | {makespan:.0f} s |",
            f"| **stories per hour** (1-minute recordings) | "
            f"**{3600 * len(ok_backlog) / makespan:.0f}** |",
            f"| audio hours processed per hour | {audio_hours * 3600 / makespan:.1f} |",
            f"| backlog: upload → needs_review p50 / p95 (incl. queueing) | "
            f"{percentile(queued, 0.5):.0f} s / {percentile(queued, 0.95):.0f} s |",
        ]
    steps: dict[str, list[float]] = {}
    for outcome in ok_seq:
        for name, seconds in outcome.timings.items():
            steps.setdefault(name, []).append(float(seconds))
    if steps:
        lines += ["", "Median time per pipeline step (one at a time):", ""]
        lines += ["| step | median s | max s |", "|---|---:|---:|"]
        for name, values in steps.items():
            lines.append(f"| {name} | {statistics.median(values):.2f} | {max(values):.2f} |")
    return "\n".join(lines)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("PERF_PIPELINE_DATABASE_URL", DEFAULT_DB)
    )
    parser.add_argument("--redis-url", default=os.environ.get("PERF_REDIS_URL", DEFAULT_REDIS))
    parser.add_argument("--var-dir", type=Path, default=ROOT / "var" / "perf-pipeline")
    parser.add_argument("--models-dir", type=Path, default=ROOT / "var" / "models")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--sequential", type=int, default=10)
    parser.add_argument("--backlog", type=int, default=10)
    parser.add_argument("--formats", nargs="+", default=list(FORMATS), choices=list(FORMATS))
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument(
        "--layout", choices=list(LAYOUTS), default="one", help="one worker, or media + transcribe"
    )
    parser.add_argument("--no-docs", action="store_true", help="Do not touch docs/performance.md.")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    args.var_dir.mkdir(parents=True, exist_ok=True)
    env = bench_env(args)
    os.environ.update(env)
    ensure_database(args.database_url)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    import django

    django.setup()
    from django.test import Client

    from config.celery import app
    from stories.models import Drive

    Drive.objects.update_or_create(
        slug=DRIVE,
        defaults={"title": "Pipeline benchmark", "allow_light_touch": True, "is_open": True},
    )
    rng = random.Random(args.seed)
    started_load = load_average()
    with tempfile.TemporaryDirectory(prefix="tarina-pipeline-") as tmp:
        total = 1 + args.sequential + args.backlog
        built = time.monotonic()
        recordings = make_recordings(Path(tmp), total, args.seconds, args.formats, rng)
        print(f"{total} recordings built in {time.monotonic() - built:.1f} s", flush=True)
        app.control.purge()
        workers: dict[str, subprocess.Popen[bytes]] = {}
        for queues in LAYOUTS[args.layout]:
            name = f"perf-{queues.replace(',', '-')}-{secrets.token_hex(4)}@localhost"
            workers[name] = start_worker(env, args.var_dir / "worker.log", name, queues)
        client = Client()
        load_during: list[float] = []
        try:
            for name, worker in workers.items():
                wait_for_worker(app, name, worker, timeout=120)
            warm = submit(client, recordings[0])
            wait_done([warm], timeout=600)
            print(f"warm-up story: {warm.latency:.1f} s (includes loading the models)")
            sequential = []
            for recording in recordings[1 : 1 + args.sequential]:
                load_during.append(load_average()[0])
                outcome = submit(client, recording)
                wait_done([outcome], timeout=600)
                sequential.append(outcome)
                print(
                    f"  {recording.language} {recording.fmt}: {outcome.latency:.1f} s "
                    f"{outcome.status} {outcome.timings}",
                    flush=True,
                )
            backlog = [submit(client, r) for r in recordings[1 + args.sequential :]]
            load_during.append(load_average()[0])
            wait_done(backlog, timeout=300 + 120 * len(backlog))
            load_during.append(load_average()[0])
        finally:
            for worker in workers.values():
                worker.terminate()
            for worker in workers.values():
                try:
                    worker.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    worker.kill()
    body = report(args, sequential, backlog, started_load, load_during)
    print()
    print(body)
    if not args.no_docs:
        replace_section(
            "pipeline_throughput",
            body,
            heading="Pipeline throughput",
            intro="`python bench/pipeline_throughput.py` (see its docstring).",
        )


if __name__ == "__main__":
    main()
