"""Write a benchmark's table into docs/performance.md between its markers."""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "performance.md"


def replace_section(name: str, body: str, *, heading: str, intro: str) -> None:
    """Put ``body`` between ``<!-- name -->`` markers; add ``heading`` and ``intro`` if new."""
    start, end = f"<!-- {name} -->", f"<!-- /{name} -->"
    text = DOCS.read_text() if DOCS.exists() else ""
    block = f"{start}\n{body.strip()}\n{end}"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        _, tail = rest.split(end, 1)
        text = f"{head}{block}{tail}"
    else:
        text = f"{text.rstrip()}\n\n## {heading}\n\n{intro.strip()}\n\n{block}\n"
    DOCS.write_text(text)


def machine() -> str:
    """One line about the machine: CPU model, cores, memory, Python, load average."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gib = 0.0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gib = int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0))
    return (
        f"{model or platform.processor() or 'unknown CPU'}, {cores} cores, "
        f"{memory_gib:.0f} GiB RAM, Python {platform.python_version()}, {platform.system()} "
        f"{platform.release()}"
    )


def load_average() -> tuple[float, float, float]:
    one, five, fifteen = os.getloadavg()
    return one, five, fifteen


def postgres_version(database_url: str) -> str:
    try:
        out = subprocess.run(
            ["psql", database_url, "-tAc", "SHOW server_version"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return "PostgreSQL"
    return f"PostgreSQL {out.stdout.strip().split()[0]}"


def ensure_database(database_url: str) -> None:
    """Create the benchmark's own PostgreSQL database when the server lacks it."""
    server, name = database_url.rsplit("/", 1)
    exists = subprocess.run(
        ["psql", f"{server}/postgres", "-tAc", "SELECT datname FROM pg_database"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    if name not in exists:
        subprocess.run(["createdb", "--maintenance-db", f"{server}/postgres", name], check=True)
