"""The deployment files: compose services, health checks, volumes, and what the proxy sees.

No Docker engine runs the tests: compose.yaml is loaded as YAML (PyYAML) and checked for
the shape that docs/deployment.md describes; the Dockerfile is linted with hadolint when
it is installed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "docker"
LONG_RUNNING = {"postgres", "redis", "web", "media-worker", "transcribe-worker", "beat", "proxy"}
APP_SERVICES = {"migrate", "web", "media-worker", "transcribe-worker", "beat"}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((DOCKER / "compose.yaml").read_text())


def command(service: dict) -> str:
    value = service.get("command", "")
    return " ".join(value) if isinstance(value, list) else value


def volume_names(service: dict) -> set[str]:
    return {str(v).split(":")[0] for v in service.get("volumes", [])}


def test_every_service_is_there(compose):
    assert set(compose["services"]) == LONG_RUNNING | {"migrate"}
    assert compose["services"]["postgres"]["image"].startswith("postgres:")
    assert compose["services"]["redis"]["image"].startswith("redis:")
    assert compose["services"]["proxy"]["image"].startswith("nginx:")


def test_one_image_runs_web_workers_and_beat(compose):
    images = {compose["services"][name]["image"] for name in APP_SERVICES}
    assert len(images) == 1
    for name in APP_SERVICES:
        assert compose["services"][name]["build"]["dockerfile"] == "docker/Dockerfile"
    assert "gunicorn config.wsgi" in command(compose["services"]["web"])
    assert "beat" in command(compose["services"]["beat"])


def test_each_worker_serves_its_own_queue(compose):
    media = command(compose["services"]["media-worker"])
    transcribe = command(compose["services"]["transcribe-worker"])
    assert re.search(r"worker --queues media( |$)", media)
    assert re.search(r"worker --queues transcribe( |$)", transcribe)
    assert "--concurrency 1" in transcribe


def test_the_gpu_variant_is_documented_next_to_the_transcribe_worker():
    text = (DOCKER / "compose.yaml").read_text()
    gpu_block = text.split("transcribe-worker:")[1].split("\n  beat:")[0]
    assert "#   TARINA_TRANSCRIBE_DEVICE: cuda" in gpu_block
    assert "#           capabilities: [gpu]" in gpu_block
    assert "#         - driver: nvidia" in gpu_block


def test_long_running_services_have_health_checks(compose):
    for name in LONG_RUNNING:
        check = compose["services"][name].get("healthcheck")
        assert check, f"{name} has no health check"
        assert check.get("test"), f"{name} has no health check command"
        assert not check.get("disable"), name
    assert "/healthz" in " ".join(compose["services"]["web"]["healthcheck"]["test"])


def test_app_services_wait_for_healthy_dependencies_and_migrations(compose):
    for name in APP_SERVICES - {"migrate"}:
        depends = compose["services"][name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"
        assert depends["migrate"]["condition"] == "service_completed_successfully"
    assert "migrate --noinput" in command(compose["services"]["migrate"])


def test_named_volumes_are_declared_and_used(compose):
    declared = set(compose["volumes"])
    assert {"postgres-data", "redis-data", "static", "media-private", "media-public"} <= declared
    used = set().union(*(volume_names(s) for s in compose["services"].values()))
    named_in_use = {v for v in used if not v.startswith((".", "/", "$"))}
    assert named_in_use <= declared
    assert declared <= named_in_use


def test_private_media_never_reaches_the_proxy(compose):
    proxy = compose["services"]["proxy"]
    mounts = [str(v) for v in proxy["volumes"]]
    assert "media-private" not in volume_names(proxy)
    assert not any("private" in mount for mount in mounts)
    assert "media-public:/srv/media/public:ro" in mounts
    assert "static:/srv/static:ro" in mounts
    # Workers and web do hold private media: the originals are processed there.
    for name in ("web", "media-worker", "transcribe-worker"):
        assert "media-private" in volume_names(compose["services"][name])


def test_the_proxy_serves_only_public_media_and_hides_metrics():
    conf = (DOCKER / "nginx" / "tarina.conf.template").read_text()
    aliases = re.findall(r"alias\s+(\S+);", conf)
    assert sorted(aliases) == ["/srv/media/public/", "/srv/static/"]
    assert "private" not in " ".join(aliases)
    assert re.search(r"location /media/ \{ return 404; \}", conf)
    assert re.search(r"location = /metrics \{ return 404; \}", conf)
    assert "X-Request-ID" in conf
    assert "ssl_certificate" in conf


def test_env_example_sets_every_required_variable(compose):
    text = (DOCKER / "compose.yaml").read_text()
    required = set(re.findall(r"\$\{(\w+):\?", text))
    example = {
        line.split("=", 1)[0]
        for line in (DOCKER / ".env.example").read_text().splitlines()
        if line and not line.startswith("#") and "=" in line
    }
    assert required <= example
    assert {"DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "TARINA_HTTPS"} <= example
    for name in APP_SERVICES:
        assert compose["services"][name]["env_file"] == [".env"]


def test_procfile_runs_the_production_process_set():
    processes = dict(
        line.split(":", 1)
        for line in (ROOT / "Procfile").read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert set(processes) == {"web", "media", "transcribe", "beat"}
    assert "gunicorn config.wsgi --config config/gunicorn.py" in processes["web"]
    assert "--queues media " in processes["media"]
    assert "--queues transcribe " in processes["transcribe"]
    assert "celery --app config beat" in processes["beat"]


def test_dockerfile_is_slim_non_root_hash_checked_and_offline():
    text = (DOCKER / "Dockerfile").read_text()
    assert "python:3.11-slim" in text
    assert "--require-hashes" in text
    assert "manage.py provision_models" in text
    assert "collectstatic" in text
    # The .mo files are build output, not in git: without them the UI is English only.
    assert "manage.py compile_translations" in text
    assert "COPY --from=build --chown=root:root /src/frontend/locale/ frontend/locale/" in text
    assert re.search(r"^USER 10001", text, re.M)
    assert text.count("\nFROM ") >= 3  # wheels, build, runtime


def compose_command() -> list[str] | None:
    """A Compose implementation that can parse the file: the v2 plugin, else Compose v1
    (Debian's ``docker-compose``, which CI installs)."""
    if shutil.which("docker"):
        probe = subprocess.run(
            ["docker", "compose", "version"], capture_output=True, check=False, timeout=30
        )
        if probe.returncode == 0:
            return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


def compose_config(tmp_path: Path, env: str) -> subprocess.CompletedProcess[str]:
    """``compose config`` on a copy of compose.yaml beside a ``.env`` holding ``env``."""
    command = compose_command()
    if command is None:
        pytest.skip("no Compose client installed")
    project = tmp_path / "docker"
    project.mkdir()
    shutil.copy(DOCKER / "compose.yaml", project / "compose.yaml")
    (project / ".env").write_text(env)
    return subprocess.run(
        [*command, "--file", "compose.yaml", "config", "--quiet"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_compose_accepts_the_file_with_the_example_environment(tmp_path):
    result = compose_config(tmp_path, (DOCKER / ".env.example").read_text())
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_without_a_database_password_is_refused_clearly(tmp_path):
    example = (DOCKER / ".env.example").read_text().splitlines()
    env = "\n".join(line for line in example if not line.startswith("POSTGRES_PASSWORD="))
    result = compose_config(tmp_path, env)
    assert result.returncode != 0
    assert "POSTGRES_PASSWORD" in result.stdout + result.stderr


@pytest.mark.skipif(
    not (ROOT / ".venv" / "bin" / "hadolint").exists() and not shutil.which("hadolint"),
    reason="hadolint not installed",
)
def test_dockerfile_passes_hadolint():
    binary = ROOT / ".venv" / "bin" / "hadolint"
    hadolint = str(binary) if binary.exists() else "hadolint"
    result = subprocess.run(
        [hadolint, str(DOCKER / "Dockerfile")], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_requirements_keep_hashes_and_drop_dev_tools():
    result = subprocess.run(
        [
            sys.executable,
            str(DOCKER / "production-requirements.py"),
            "requirements.lock",
            "pyproject.toml",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    names = {
        line.split("==")[0] for line in result.stdout.splitlines() if line and line[0].isalpha()
    }
    assert {"django", "celery", "torch", "faster-whisper", "gunicorn", "psycopg"} <= names
    assert not names & {"pytest", "ruff", "mypy", "moto", "playwright", "locust"}
    assert "--hash=sha256:" in result.stdout
    assert "/opt/wheels" not in result.stdout
