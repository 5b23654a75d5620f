"""Resumable upload throughput and server memory: ``python bench/upload_tus.py [--mb 1024]``.

Starts ``manage.py runserver --noreload`` or, with ``--server gunicorn``, one gunicorn
gthread worker (``config.wsgi``) on a scratch var dir, uploads a generated file of
``--mb`` MiB through the tus API in ``--chunk-mib`` chunks with http.client, and measures

* throughput (MiB/s, from the first PATCH to the last response, which includes the
  server's sha256 of the whole file),
* the serving process's resident memory (gunicorn: the worker's; VmRSS from /proc,
  polled every 20 ms) before, at its peak, and after,
* that the server's sha256 (and the stored file's) equals the client's.

Prints a table and rewrites the "Uploads" section of docs/performance.md (between the
``<!-- upload_tus -->`` markers) unless ``--no-docs``.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import http.client
import os
import platform
import shutil
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from docs_section import DOCS, replace_section

ROOT = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024
DRIVE = "bench-uploads"


@dataclass
class Result:
    server: str
    mib: int
    chunk_mib: int
    fsync: bool
    seconds: float
    rss_before: int
    rss_peak: int
    rss_after: int
    sha_client: str
    sha_server: str
    sha_disk: str

    @property
    def throughput(self) -> float:
        return self.mib / self.seconds

    @property
    def growth_mib(self) -> float:
        return (self.rss_peak - self.rss_before) / 1024

    @property
    def sha_ok(self) -> bool:
        return self.sha_client == self.sha_server == self.sha_disk


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


class RssPoller(threading.Thread):
    def __init__(self, pid: int, interval: float = 0.02) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak = 0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            self.peak = max(self.peak, rss_kib(self.pid))
            time.sleep(self.interval)

    def reset(self) -> None:
        self.peak = rss_kib(self.pid)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def generate(path: Path, mib: int) -> str:
    """Write ``mib`` MiB of random bytes; return their sha256."""
    digest = hashlib.sha256()
    block = 16 * MIB
    left = mib * MIB
    with open(path, "wb") as out:
        while left:
            data = os.urandom(min(block, left))
            digest.update(data)
            out.write(data)
            left -= len(data)
    return digest.hexdigest()


class Client:
    def __init__(self, port: int) -> None:
        self.port = port
        self.token = ""

    def request(
        self, method: str, path: str, headers: dict[str, str], body: bytes | None = None
    ) -> http.client.HTTPResponse:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        base = {"Tus-Resumable": "1.0.0"}
        if self.token:
            base["Upload-Token"] = self.token
        conn.request(method, path, body=body, headers={**base, **headers})
        response = conn.getresponse()
        response.read()
        conn.close()
        return response

    def patch_from_file(self, path: str, source, offset: int, length: int) -> int:
        """Send ``length`` bytes of ``source`` from ``offset``, 1 MiB at a time."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        conn.putrequest("PATCH", path)
        headers = {
            "Tus-Resumable": "1.0.0",
            "Upload-Token": self.token,
            "Upload-Offset": str(offset),
            "Content-Type": "application/offset+octet-stream",
            "Content-Length": str(length),
        }
        for name, value in headers.items():
            conn.putheader(name, value)
        conn.endheaders()
        source.seek(offset)
        left = length
        while left:
            piece = source.read(min(MIB, left))
            conn.send(piece)
            left -= len(piece)
        response = conn.getresponse()
        response.read()
        conn.close()
        if response.status != 204:
            raise RuntimeError(f"PATCH at {offset} answered {response.status}")
        return int(response.getheader("Upload-Offset") or -1)


def wait_until_up(client: Client, server: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the server exited; see its log")
        try:
            if client.request("OPTIONS", "/api/v1/uploads/", {}).status == 204:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not come up")


def server_command(kind: str, port: int) -> list[str]:
    if kind == "gunicorn":
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        return [
            gunicorn,
            "config.wsgi:application",
            f"--bind=127.0.0.1:{port}",
            "--workers=1",
            "--threads=4",
            "--worker-class=gthread",
            "--timeout=300",
        ]
    return [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]


def serving_pid(kind: str, server: subprocess.Popen[bytes]) -> int:
    """runserver serves in its own process; gunicorn in its (single) worker."""
    if kind != "gunicorn":
        return server.pid
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise RuntimeError("gunicorn started no worker")


def run(
    mib: int, chunk_mib: int, fsync: bool, var_dir: Path, keep: bool, kind: str = "runserver"
) -> Result:
    var_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "TARINA_VAR_DIR": str(var_dir),
        "DJANGO_DEBUG": "0",
        "TARINA_MAX_UPLOAD_BYTES": str(max(mib * MIB, 500 * MIB)),
        "TARINA_UPLOAD_FSYNC": "1" if fsync else "0",
        "TARINA_UPLOAD_CREATE_THROTTLE": "1000/minute",
        "TARINA_LOG_LEVEL": "WARNING",
    }
    env.pop("DATABASE_URL", None)
    manage(env, "migrate", "--verbosity", "0")
    manage(
        env,
        "shell",
        "-c",
        "from stories.models import Drive; Drive.objects.update_or_create("
        f"slug='{DRIVE}', defaults={{'title': 'Upload bench', 'allow_light_touch': True, "
        "'is_open': True})",
    )
    source_path = var_dir / "bench-source.bin"
    print(f"Generating {mib} MiB ...", flush=True)
    sha_client = generate(source_path, mib)

    port = free_port()
    log = open(var_dir / "bench-server.log", "wb")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        server_command(kind, port),
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    client = Client(port)
    try:
        wait_until_up(client, server)
        pid = serving_pid(kind, server)
        metadata = f"drive {base64.b64encode(DRIVE.encode()).decode()}"
        created = client.request(
            "POST",
            "/api/v1/uploads/",
            {"Upload-Length": str(mib * MIB), "Upload-Metadata": metadata},
        )
        if created.status != 201:
            raise RuntimeError(f"creation answered {created.status}")
        client.token = created.getheader("Upload-Token") or ""
        path = urlsplit(created.getheader("Location") or "").path
        # A first, small request warms the code paths before the baseline is taken.
        client.request("HEAD", path, {})
        poller = RssPoller(pid)
        rss_before = rss_kib(pid)
        poller.reset()
        poller.start()
        print(f"Uploading in {chunk_mib} MiB chunks (fsync {'on' if fsync else 'off'}) ...")
        started = time.perf_counter()
        offset, total, chunk = 0, mib * MIB, chunk_mib * MIB
        with open(source_path, "rb") as source:
            while offset < total:
                offset = client.patch_from_file(path, source, offset, min(chunk, total - offset))
        seconds = time.perf_counter() - started
        time.sleep(0.1)
        poller.stopped.set()
        poller.join()
        rss_after = rss_kib(pid)
        status = client.request("HEAD", path, {})
        sha_server = status.getheader("Upload-Sha256") or ""
        stored = var_dir / "media" / "private" / "uploads" / path.strip("/").rsplit("/", 1)[1]
        stored = stored.with_name(stored.name.replace("-", ""))
        with open(stored, "rb") as handle:
            sha_disk = hashlib.file_digest(handle, "sha256").hexdigest()
        client.request("DELETE", path, {})
    finally:
        server.terminate()
        server.wait(30)
        log.close()
        if not keep:
            source_path.unlink(missing_ok=True)
    return Result(
        server=kind,
        mib=mib,
        chunk_mib=chunk_mib,
        fsync=fsync,
        seconds=seconds,
        rss_before=rss_before,
        rss_peak=max(poller.peak, rss_after),
        rss_after=rss_after,
        sha_client=sha_client,
        sha_server=sha_server,
        sha_disk=sha_disk,
    )


def table(results: list[Result]) -> str:
    lines = [
        "| server | file MiB | chunk MiB | fsync | seconds | MiB/s "
        "| server RSS before → peak → after MiB | RSS growth MiB | sha256 |",
        "|---|---:|---:|---|---:|---:|---|---:|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.server} | {r.mib} | {r.chunk_mib} | {'on' if r.fsync else 'off'} "
            f"| {r.seconds:.1f} "
            f"| {r.throughput:.0f} | {r.rss_before / 1024:.0f} → {r.rss_peak / 1024:.0f} → "
            f"{r.rss_after / 1024:.0f} | {r.growth_mib:.1f} "
            f"| {'match' if r.sha_ok else 'MISMATCH'} |"
        )
    return "\n".join(lines)


def update_docs(body: str) -> None:
    replace_section(
        "upload_tus",
        body,
        heading="Uploads",
        intro=(
            "Resumable (tus) uploads, `python bench/upload_tus.py`: a generated file sent over "
            "loopback to `manage.py runserver --noreload` or one gunicorn gthread worker "
            "(`--server gunicorn`) in chunks with http.client. MiB/s counts from the first "
            "PATCH to the last response, which includes the server's sha256 of the whole "
            "file. RSS is the server process's VmRSS, polled every 20 ms; growth is peak "
            "minus the value after a warm-up request."
        ),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=1024, help="File size in MiB.")
    parser.add_argument("--chunk-mib", type=int, nargs="+", default=[16], help="8 to 16 MiB.")
    parser.add_argument("--no-fsync", action="store_true", help="Also run with fsync off.")
    parser.add_argument(
        "--server", nargs="+", choices=["runserver", "gunicorn"], default=["runserver"]
    )
    parser.add_argument("--var-dir", type=Path, default=ROOT / "var" / "bench-uploads")
    parser.add_argument("--keep", action="store_true", help="Keep the generated file.")
    parser.add_argument("--no-docs", action="store_true", help="Do not touch docs/performance.md.")
    args = parser.parse_args()

    var_dir = args.var_dir.resolve()
    results = []
    for kind in args.server:
        for fsync in (True, False) if args.no_fsync else (True,):
            for chunk in args.chunk_mib:
                results.append(run(args.mb, chunk, fsync, var_dir, args.keep, kind))
    cpus = os.cpu_count()
    disk = shutil.disk_usage(var_dir)
    header = (
        f"{date.today()}, Python {platform.python_version()}, {cpus} CPUs, "
        f"loopback, {disk.free // (1024**3)} GiB free on the var disk"
    )
    out = f"{header}\n\n{table(results)}"
    print()
    print(out)
    if not args.no_docs:
        update_docs(out)
        print(f"\nUpdated the Uploads section of {DOCS.relative_to(ROOT)}.")
    if not all(r.sha_ok for r in results):
        sys.exit("sha256 mismatch")


if __name__ == "__main__":
    main()
