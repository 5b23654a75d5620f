"""The public API under load: ``python bench/api_load.py``.

Needs a PostgreSQL database of your own filled by ``bench/api_fixtures.py`` (this script
runs the generator when the database is empty), ``wrk`` (Debian package ``wrk``) and
Redis. It starts gunicorn with the production settings (``config/gunicorn.py``, its
default worker count for this machine, ``DJANGO_DEBUG=0``, a secret key, HTTPS behind a
proxy, persistent database connections, the Redis cache, JSON logs, Prometheus
multiprocess metrics) on loopback and sends it 50 concurrent connections with wrk, one
endpoint at a time, for ``--seconds`` each, in ``--rounds`` rounds:

* ``feed``: ``/api/v1/feed/``, the first page (20 stories);
* ``theme feed``: ``/api/v1/feed/?theme=<slug>`` over all themes;
* ``theme JSON feed``: ``/feeds/themes/<slug>.json`` over all themes (50 stories each);
* ``search``: ``/api/v1/feed/?q=<words>`` over 60 queries of one or two words drawn from
  the stories' own languages;
* ``search (distinct)``: the same over 4,000 such queries, so that nearly every request
  is a search no web process has answered before;
* ``story``: ``/api/v1/public/stories/<public id>/`` over 2,000 published stories;
* ``story page (HTML)``: the public page of the same 2,000 stories, ``/stories/<public id>/``.

``--servers`` runs several web tiers side by side, each on its own port, taking turns per
endpoint: ``default`` (config/gunicorn.py as shipped) or ``WxT`` (workers x threads),
e.g. ``--servers default 5x4`` compares the shipped settings with the earlier ones.
``--baseline DIR`` adds earlier code (a ``git archive`` export) as the server ``before``,
reading ``--baseline-database-url`` (a copy of the database indexed by that code), so a
change is measured before and after in one run, under the same load.
Gunicorn's access log goes to a file in the var folder, as production writes it to
standard output; ``+nolog`` turns it off.

Every request says ``X-Forwarded-Proto: https`` as the TLS proxy would. Reports requests/s
and p50/p95/p99 latency (medians over the rounds), errors, and the CPU time the
gunicorn workers and the PostgreSQL backends spent per request (less noisy than the
rates on a shared machine), prints a table and writes it into docs/performance.md
between the ``<!-- api_load -->`` markers unless ``--no-docs``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from docs_section import ensure_database, load_average, machine, postgres_version, replace_section

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/tarina_perf"
DEFAULT_REDIS = "redis://127.0.0.1:6379/10"
TICKS = os.sysconf("SC_CLK_TCK")

WRK_SCRIPT = r"""
local paths = {%(paths)s}
local counter = 0
local headers = {["X-Forwarded-Proto"] = "https", ["Accept"] = "application/json"}
local thread_id = 0
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  counter = id * 7919
end

function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1], headers)
end

function done(summary, latency, requests)
  io.write(string.format(
    'RESULT {"requests": %%d, "duration_us": %%d, "connect": %%d, "read": %%d, "write": %%d, ' ..
    '"status": %%d, "timeout": %%d, "p50": %%d, "p95": %%d, "p99": %%d, "max": %%d}\n',
    summary.requests, summary.duration, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.status, summary.errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""


@dataclass
class Measurement:
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    app_cpu_ms: float
    db_cpu_ms: float
    load_before: float

    @property
    def rate(self) -> float:
        return self.requests / self.seconds


@dataclass
class Endpoint:
    name: str
    paths: list[str]
    target: str = ""
    runs: list[Measurement] = field(default_factory=list)

    def median(self, attribute: str) -> float:
        return statistics.median(getattr(run, attribute) for run in self.runs)


@dataclass
class Server:
    """One web tier under test: gunicorn with the shipped settings or with overrides."""

    name: str
    overrides: dict[str, str]
    # The code it runs (another tree for ``--baseline``) and the database it reads.
    root: Path = ROOT
    database_url: str = ""
    endpoints: list[Endpoint] = field(default_factory=list)
    port: int = 0
    workers: int = 0
    process: subprocess.Popen[bytes] | None = None
    meter: CpuMeter | None = None


def parse_server(spec: str, var_dir: Path) -> Server:
    """``default``, ``WxT`` and either with ``+nolog`` (see the module docstring)."""
    shape, _, extra = spec.partition("+")
    overrides: dict[str, str] = {}
    if shape != "default":
        match = re.fullmatch(r"(\d+)x(\d+)", shape)
        if match is None:
            raise SystemExit(f"--servers: {spec!r} is not 'default' or WORKERSxTHREADS")
        overrides = {"WEB_CONCURRENCY": match[1], "GUNICORN_THREADS": match[2]}
    if extra == "nolog":
        overrides["GUNICORN_ACCESS_LOG"] = ""
    elif extra:
        raise SystemExit(f"--servers: only '+nolog' may follow the shape, not {extra!r}")
    else:
        overrides["GUNICORN_ACCESS_LOG"] = str(var_dir / f"access-{shape}.log")
    return Server(spec, overrides)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if parent == pid:
            found.append(int(entry.name))
    return found


def backend_pids(database_url: str) -> list[int]:
    out = subprocess.run(
        [
            "psql",
            database_url,
            "-tAc",
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return [int(line) for line in out.stdout.split() if line.strip().isdigit()]


class CpuMeter:
    """CPU seconds spent by the gunicorn workers and by this database's backends."""

    def __init__(self, master: int, database_url: str) -> None:
        self.master = master
        self.database_url = database_url

    def snapshot(self) -> tuple[dict[int, float], dict[int, float]]:
        workers = {pid: cpu_seconds(pid) for pid in children(self.master)}
        backends = {pid: cpu_seconds(pid) for pid in backend_pids(self.database_url)}
        return workers, backends

    @staticmethod
    def spent(before: dict[int, float], after: dict[int, float]) -> float:
        return sum(value - before.get(pid, 0.0) for pid, value in after.items())


def production_env(args: argparse.Namespace, port: int, prometheus_dir: Path) -> dict[str, str]:
    """The environment docs/deployment.md gives production, pointed at the benchmark's own
    database, Redis DB and var folder."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "TARINA_REQUIRE_SECRET_KEY": "1",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "TARINA_HTTPS": "1",
        "DATABASE_URL": args.database_url,
        "DATABASE_CONN_MAX_AGE": "60",
        "DATABASE_CONN_HEALTH_CHECKS": "1",
        "CELERY_BROKER_URL": args.redis_url,
        "TARINA_CACHE_URL": args.redis_url,
        "TARINA_VAR_DIR": str(args.var_dir),
        "TARINA_LOG_FORMAT": "json",
        "TARINA_SERVE_PUBLIC_MEDIA": "0",
        "PROMETHEUS_MULTIPROC_DIR": str(prometheus_dir),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "PYTHONUNBUFFERED": "1",
    }


def django_query(env: dict[str, str], code: str) -> str:
    """Run a few lines of Django code in a subprocess (the benchmark's own database)."""
    prelude = "import django; django.setup()\n"
    out = subprocess.run(
        [PYTHON, "-c", prelude + code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if out.returncode != 0:
        raise SystemExit(out.stderr)
    return out.stdout


def ensure_fixtures(env: dict[str, str], stories: int) -> int:
    """Migrate the benchmark's database, fill it when empty; the number of publications."""
    ensure_database(env["DATABASE_URL"])
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    count = int(
        django_query(
            env,
            "from stories.models import PublishedStory\nprint(PublishedStory.objects.count())",
        )
    )
    if count == 0:
        subprocess.run(
            [PYTHON, str(ROOT / "bench" / "api_fixtures.py"), "--stories", str(stories)],
            cwd=ROOT,
            env=env,
            check=True,
        )
    # Loads made before the vectors were part of it get them now.
    fixtures = [PYTHON, str(ROOT / "bench" / "api_fixtures.py"), "--add-vectors"]
    subprocess.run(fixtures, cwd=ROOT, env=env, check=True)
    return int(
        django_query(
            env,
            "from stories.models import PublishedStory\nprint(PublishedStory.objects.count())",
        )
    )


def search_words(rng: random.Random, texts: list[list[str]]) -> str:
    """One or two words (five letters or more) of one story, URL-encoded."""
    while True:
        _, text = rng.choice(texts)
        words = re.findall(r"[^\W\d_]{5,}", text.lower())
        if words:
            picked = rng.sample(words, k=min(len(words), rng.choice([1, 1, 2])))
            return "+".join(urllib.parse.quote(w) for w in picked)


def choose_paths(env: dict[str, str], rng: random.Random) -> list[Endpoint]:
    data = json.loads(
        django_query(
            env,
            "import json, random\n"
            "from stories.models import PublishedStory, Theme\n"
            "from stories.enums import StoryStatus\n"
            "ids = list(PublishedStory.objects.filter(story__status=StoryStatus.PUBLISHED)"
            ".values_list('public_id', flat=True))\n"
            "texts = list(PublishedStory.objects.order_by('?')"
            ".values_list('language', 'text')[:600])\n"
            "print(json.dumps({'ids': ids, 'themes': list(Theme.objects.values_list('slug', "
            "flat=True)), 'texts': texts}))",
        )
    )
    story_ids = rng.sample(data["ids"], k=min(2000, len(data["ids"])))
    themes: list[str] = data["themes"]
    queries: list[str] = []
    while len(queries) < 60:
        queries.append(search_words(rng, data["texts"]))
    # Searches asked once each (as far as one run goes): what a search costs when no
    # web process has its answer in memory.
    distinct: set[str] = set()
    while len(distinct) < 4000:
        distinct.add(search_words(rng, data["texts"]))
    return [
        Endpoint("feed", ["/api/v1/feed/"], "p99 <= 100 ms, >= 500 req/s"),
        Endpoint("theme feed (API)", [f"/api/v1/feed/?theme={t}" for t in themes]),
        Endpoint("theme feed (JSON Feed)", [f"/feeds/themes/{t}.json" for t in themes]),
        Endpoint("search", [f"/api/v1/feed/?q={q}" for q in queries], "p99 <= 200 ms"),
        Endpoint("search (distinct)", [f"/api/v1/feed/?q={q}" for q in sorted(distinct)]),
        Endpoint("story", [f"/api/v1/public/stories/{i}/" for i in story_ids], "p99 <= 100 ms"),
        Endpoint("story page (HTML)", [f"/stories/{i}/" for i in story_ids]),
    ]


def get(port: int, path: str, timeout: float = 30) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"X-Forwarded-Proto": "https"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def check_paths(port: int, endpoint: Endpoint) -> None:
    """Every path answers 200 (a benchmark of error pages would be worthless)."""
    for path in endpoint.paths[:: max(1, len(endpoint.paths) // 20)]:
        status, body = get(port, path)
        if status != 200:
            raise SystemExit(f"{path}: HTTP {status}")
        if not path.startswith("/stories/"):  # the HTML pages
            json.loads(body)


def wait_until_up(port: int, server: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn exited; see its log in the var folder.")
        try:
            if get(port, "/healthz", timeout=2)[0] == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not answer /healthz in time.")


def wrk(port: int, endpoint: Endpoint, seconds: float, connections: int, workdir: Path) -> dict:
    script = workdir / "paths.lua"
    script.write_text(WRK_SCRIPT % {"paths": ", ".join(json.dumps(p) for p in endpoint.paths)})
    out = subprocess.run(
        [
            "wrk",
            "--threads",
            "2",
            "--connections",
            str(connections),
            "--duration",
            f"{seconds:.0f}s",
            "--timeout",
            "5s",
            "--script",
            str(script),
            f"http://127.0.0.1:{port}",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    for line in out.stdout.splitlines():
        if line.startswith("RESULT "):
            return dict(json.loads(line[len("RESULT ") :]))
    raise SystemExit(f"wrk printed no result:\n{out.stdout}\n{out.stderr}")


def measure(
    port: int, endpoint: Endpoint, args: argparse.Namespace, meter: CpuMeter, workdir: Path
) -> Measurement:
    load_before = load_average()[0]
    wrk(port, endpoint, args.warmup, args.connections, workdir)  # warm caches, connections
    workers_before, backends_before = meter.snapshot()
    result = wrk(port, endpoint, args.seconds, args.connections, workdir)
    workers_after, backends_after = meter.snapshot()
    requests = max(1, int(result["requests"]))
    errors = sum(int(result[k]) for k in ("connect", "read", "write", "status", "timeout"))
    return Measurement(
        requests=requests,
        seconds=result["duration_us"] / 1e6,
        errors=errors,
        p50_ms=result["p50"] / 1000,
        p95_ms=result["p95"] / 1000,
        p99_ms=result["p99"] / 1000,
        app_cpu_ms=1000 * CpuMeter.spent(workers_before, workers_after) / requests,
        db_cpu_ms=1000 * CpuMeter.spent(backends_before, backends_after) / requests,
        load_before=load_before,
    )


def table(servers: list[Server]) -> str:
    """Medians per endpoint (and per server when more than one was run)."""
    several = len(servers) > 1
    lines = [
        ("| server " if several else "")
        + "| endpoint | req/s | p50 ms | p95 ms | p99 ms | errors | app CPU ms/req "
        "| DB CPU ms/req | req/s per round |",
        ("|---" if several else "") + "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    names = [e.name for e in servers[0].endpoints]
    for name in names:
        for server in servers:
            e = next(e for e in server.endpoints if e.name == name)
            rounds = " / ".join(f"{run.rate:.0f}" for run in e.runs)
            lines.append(
                (f"| {server.name} " if several else "")
                + f"| {e.name} | {e.median('rate'):.0f} | {e.median('p50_ms'):.1f} "
                f"| {e.median('p95_ms'):.1f} | {e.median('p99_ms'):.1f} "
                f"| {sum(run.errors for run in e.runs)} | {e.median('app_cpu_ms'):.2f} "
                f"| {e.median('db_cpu_ms'):.2f} | {rounds} |"
            )
    return "\n".join(lines)


def start_server(
    server: Server,
    args: argparse.Namespace,
    workdir: Path,
    log: Any,
    endpoints: list[Endpoint],
) -> None:
    """Start ``server``'s gunicorn on a free port and check every endpoint answers."""
    prometheus_dir = workdir / f"prometheus-{len(list(workdir.iterdir()))}"
    prometheus_dir.mkdir()
    server.port = free_port()
    env = {**production_env(args, server.port, prometheus_dir), **server.overrides}
    database_url = server.database_url or args.database_url
    env["DATABASE_URL"] = database_url
    server.process = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "config.wsgi", "--config", "config/gunicorn.py"],
        cwd=server.root,
        env=env,
        stdout=log,
        stderr=log,
    )
    wait_until_up(server.port, server.process)
    server.workers = len(children(server.process.pid))
    server.meter = CpuMeter(server.process.pid, database_url)
    server.endpoints = [Endpoint(e.name, e.paths, e.target) for e in endpoints]
    for endpoint in server.endpoints:
        check_paths(server.port, endpoint)


def measure_server(
    server: Server, index: int, round_number: int, args: argparse.Namespace, workdir: Path
) -> None:
    """One measurement of ``server``'s endpoint number ``index``, printed as it ends."""
    assert server.meter is not None
    endpoint = server.endpoints[index]
    run = measure(server.port, endpoint, args, server.meter, workdir)
    endpoint.runs.append(run)
    print(
        f"round {round_number + 1} {server.name:12} {endpoint.name:24} {run.rate:7.0f} req/s "
        f"p50 {run.p50_ms:6.1f} p95 {run.p95_ms:6.1f} p99 {run.p99_ms:6.1f} ms "
        f"errors {run.errors} app {run.app_cpu_ms:.2f} db {run.db_cpu_ms:.2f} "
        f"ms/req, load {run.load_before:.1f}",
        flush=True,
    )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("PERF_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--redis-url", default=os.environ.get("PERF_REDIS_URL", DEFAULT_REDIS))
    parser.add_argument("--var-dir", type=Path, default=ROOT / "var" / "perf")
    parser.add_argument("--stories", type=int, default=100_000, help="For the generator.")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--only", nargs="*", help="Endpoints to run, by name or first word (default: all)."
    )
    parser.add_argument("--no-docs", action="store_true", help="Do not touch docs/performance.md.")
    parser.add_argument(
        "--servers",
        nargs="+",
        default=["default"],
        help="Web tiers run side by side: default, WxT, either with +nolog (see above).",
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        help="A plain export of earlier code (git archive COMMIT | tar -x -C DIR): its "
        "gunicorn (shipped settings) runs beside the others as 'before'.",
    )
    parser.add_argument(
        "--baseline-database-url",
        default="",
        help="The database 'before' reads (a copy of the benchmark's, indexed by that "
        "code); the benchmark's own when empty.",
    )
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    args.var_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(11)
    with tempfile.TemporaryDirectory(prefix="tarina-api-load-") as tmp:
        workdir = Path(tmp)
        servers = [parse_server(spec, args.var_dir) for spec in args.servers]
        if args.baseline is not None:
            before = parse_server("default", args.var_dir)
            before.name, before.root = "before", args.baseline.resolve()
            before.database_url = args.baseline_database_url
            before.overrides["GUNICORN_ACCESS_LOG"] = str(args.var_dir / "access-before.log")
            servers.insert(0, before)
        env = production_env(args, 0, workdir)
        stories = ensure_fixtures(env, args.stories)
        endpoints = choose_paths(env, rng)
        if args.only:
            # A full name picks that endpoint, a first word all that start with it.
            endpoints = [e for e in endpoints if {e.name, e.name.split(" ")[0]} & set(args.only)]
            if not endpoints:
                raise SystemExit(f"--only {' '.join(args.only)}: no such endpoint")
        idle_load = load_average()
        log = (args.var_dir / "gunicorn.log").open("ab")
        try:
            for server in servers:
                start_server(server, args, workdir, log, endpoints)
            for round_number in range(args.rounds):
                for index in range(len(endpoints)):
                    for server in servers:
                        measure_server(server, index, round_number, args, workdir)
        finally:
            for server in servers:
                if server.process is not None:
                    server.process.terminate()
                    server.process.wait(timeout=30)
            log.close()
    loads = [run.load_before for s in servers for e in s.endpoints for run in e.runs]
    shapes = "; ".join(
        f"{s.name}: gunicorn gthread {s.workers} workers x "
        f"{s.overrides.get('GUNICORN_THREADS', env.get('GUNICORN_THREADS', '8'))} threads, "
        f"access log {'on' if s.overrides['GUNICORN_ACCESS_LOG'] else 'off'}"
        for s in servers
    )
    header = (
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {machine()}; "
        f"{postgres_version(args.database_url)} on the same machine; {stories:,} published "
        f"stories; {shapes}; wrk, "
        f"2 threads, {args.connections} connections, {args.seconds:.0f} s per endpoint after "
        f"{args.warmup:.0f} s warm-up, {args.rounds} rounds, medians shown. Machine load "
        f"(1-min load average) before starting: {idle_load[0]:.1f}; before each "
        f"measurement: {min(loads):.1f}-{max(loads):.1f}."
    )
    body = f"{header}\n\n{table(servers)}"
    print()
    print(body)
    if not args.no_docs:
        replace_section(
            "api_load",
            body,
            heading="API under load",
            intro="`python bench/api_load.py` (see its docstring).",
        )


if __name__ == "__main__":
    main()
