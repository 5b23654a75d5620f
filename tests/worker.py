"""Running a real Celery worker process against the test database, for integration tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from django.db import connection

from config.celery import app as celery_app

T = TypeVar("T")

ROOT = Path(__file__).resolve().parent.parent


def database_url_for_workers() -> str:
    """The URL of the test database pytest-django created, for a process of its own."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    credentials = f"{user}{password}@" if user else ""
    host = db.get("HOST") or "localhost"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{db['NAME']}"


class WorkerProcess:
    """``celery worker`` in a subprocess: started, awaited until it answers a ping, stopped."""

    def __init__(
        self,
        database_url: str,
        log_path: Path,
        queues: str = "media,transcribe",
        *,
        extra_args: tuple[str, ...] = (),
        env: dict[str, str] | None = None,
    ) -> None:
        self.database_url = database_url
        self.log_path = log_path
        self.queues = queues
        # ``("--beat", "--schedule", path)`` for Celery beat inside the worker, as `make run`.
        self.extra_args = extra_args
        # Set for this worker only (a failpoint, say), on top of the test's environment.
        self.env = env or {}
        self.name = f"tarina-test-{uuid.uuid4().hex[:8]}@localhost"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60) -> None:
        """Start the worker, with nothing left over in its queues from earlier runs."""
        celery_app.control.purge()
        env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "PYTHONUNBUFFERED": "1",
            **self.env,
        }
        command = [
            sys.executable, "-m", "celery", "--app", "config", "worker",
            "--queues", self.queues, "--concurrency", "1", "--hostname", self.name,
            "--loglevel", "INFO", "--without-gossip", "--without-mingle", *self.extra_args,
        ]  # fmt: skip
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
        self.wait_until_ready(timeout)

    def wait_until_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"The worker exited early:\n{self.log()}")
            if celery_app.control.ping(destination=[self.name], timeout=1.0):
                return
        raise RuntimeError(f"The worker did not answer within {timeout} s:\n{self.log()}")

    def stop(self) -> None:
        """Warm shutdown, then a hard kill if it does not go."""
        if self.process is None or self.process.poll() is not None:
            forget_worker(self.name)
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()
        forget_worker(self.name)

    def kill(self) -> None:
        """SIGKILL the worker and its pool children, as a crash or the OOM killer would."""
        if self.process is None:
            return
        subprocess.run(["pkill", "-KILL", "-P", str(self.process.pid)], check=False)
        self.process.kill()
        self.process.wait(timeout=20)
        forget_worker(self.name)

    def kill_main_process(self) -> list[int]:
        """SIGKILL the worker's main process only, as the OOM killer would; its pool
        children's pids (they must die with it: PR_SET_PDEATHSIG)."""
        assert self.process is not None
        children = self.children()
        self.process.kill()
        self.process.wait(timeout=20)
        return children

    def children(self) -> list[int]:
        """The pids of the worker's pool children."""
        if self.process is None:
            return []
        found = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True, check=False
        )
        return [int(pid) for pid in found.stdout.split()]

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-5000:] if self.log_path.exists() else ""


def forget_worker(name: str) -> None:
    """Unbind a stopped worker's control queue from the filesystem broker, and drop what
    waits in it.

    That broker writes each broadcast (a ping, an inspect) as one file per bound control
    queue, and every test worker binds one under a name of its own that nothing unbinds.
    Over a whole test run the dead workers' queues gathered thousands of files, which
    every live worker lists at each poll: control replies then missed their timeouts and
    a fault-injection test waited in vain for an idle worker. (Redis broadcasts by
    publishing, so dead bindings cost it nothing.)
    """
    if not str(celery_app.conf.broker_url).startswith("filesystem"):
        return
    queue = f"{name}.celery.pidbox"
    with celery_app.connection_for_write() as connection:
        channel = connection.default_channel
        # Bound here too, so that this process knows the binding it then deletes.
        channel.queue_bind(queue, exchange="celery.pidbox", routing_key="")
        channel.queue_delete(queue)
        channel.queue_purge(queue)


def wait_for(predicate: Callable[[], T], timeout: float = 60, interval: float = 0.2) -> T:
    """Poll ``predicate`` until it returns something truthy; return that, or fail."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"Condition not met within {timeout} s")


def alive(pid: int) -> bool:
    """Whether process ``pid`` exists and is not a zombie (dead, waiting to be reaped)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"
