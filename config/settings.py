"""Tarina's settings: one module, driven by environment variables.

The defaults are for a developer's laptop: SQLite, a Celery broker on the local
filesystem and no external servers. Production sets ``DATABASE_URL``,
``CELERY_BROKER_URL`` and ``DJANGO_SECRET_KEY`` (see docs/deployment.md).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    """Read a yes/no environment variable; unset means ``default``."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    """Read an integer environment variable; unset means ``default``."""
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


def env_list(name: str, default: str) -> list[str]:
    """Read a comma-separated environment variable into a list of non-empty items."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Where runtime state lives in development: database, broker folders, media.
VAR_DIR = Path(os.environ.get("TARINA_VAR_DIR", BASE_DIR / "var"))

DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    # The key signs sessions and names the public media folders: a key anyone can read in
    # the repository would let them forge a curator's session. Only a debug run may use it.
    if not DEBUG or env_bool("TARINA_REQUIRE_SECRET_KEY", False):
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off: it signs sessions and "
            "names the public media folders. Make one with "
            '`python -c "import secrets; print(secrets.token_urlsafe(50))"`, '
            "or set DJANGO_DEBUG=1 on a developer's machine."
        )
    # Development only (DJANGO_DEBUG=1): a fixed key so sessions survive restarts of `make run`.
    SECRET_KEY = "tarina-insecure-development-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "stories",
    "frontend",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy and Permissions-Policy (config/middleware.py); inside the public
    # page cache, so a kept page keeps the headers it was made with.
    "config.middleware.SecurityHeadersMiddleware",
    # PostgreSQL cannot compare NUL: refused in API URLs before any lookup (400).
    "stories.api.middleware.RefuseNulInApiUrls",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'tarina.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # The web processes and the worker write to the same file: wait for locks instead
    # of failing, and take the write lock at the start of a transaction. WAL lets readers
    # go on while one connection writes, so a burst of submissions (a workshop's phones
    # on one laptop) queues on the write lock instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not memory, so that a worker process can see the test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-tarina.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication ---------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/admin/login/"
# Failed sign-ins are limited per account name and per address (stories/auth.py).
AUTHENTICATION_BACKENDS = ["stories.auth.ThrottledModelBackend"]

# --- Internationalisation ---------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fi", "Suomi"), ("sv", "Svenska"), ("de", "Deutsch")]
TIME_ZONE = os.environ.get("TARINA_TIME_ZONE", "Europe/Helsinki")
USE_I18N = True
USE_TZ = True

# --- Static files and media -------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", VAR_DIR / "static"))
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", VAR_DIR / "media"))
# Originals and working files live in the private store, which has no URL at all.
# Only anonymised derivatives are ever written to the public store.
PUBLIC_MEDIA_URL = os.environ.get("TARINA_PUBLIC_MEDIA_URL", "/media/public/")
# Production serves public media from the reverse proxy or object storage.
TARINA_SERVE_PUBLIC_MEDIA = env_bool("TARINA_SERVE_PUBLIC_MEDIA", DEBUG)
STORAGES = {
    "default": {
        "BACKEND": "stories.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT / "private"},
    },
    "public": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT / "public", "base_url": PUBLIC_MEDIA_URL},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Uploads above this size are streamed to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Non-file form fields and JSON bodies: a story's text is at most a few hundred kB.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("TARINA_MAX_BODY_BYTES", 2 * 1024 * 1024)
TARINA_MAX_UPLOAD_BYTES = env_int("TARINA_MAX_UPLOAD_BYTES", 500 * 1024 * 1024)
TARINA_MAX_FILES_PER_STORY = env_int("TARINA_MAX_FILES_PER_STORY", 10)
TARINA_MAX_TEXT_CHARS = env_int("TARINA_MAX_TEXT_CHARS", 100_000)

# --- Resumable uploads (tus 1.0.0 at /api/v1/uploads/; see docs/uploads.md) ---------
# Tus-Max-Size is TARINA_MAX_UPLOAD_BYTES. An upload not finished (or not used by a story)
# this long after its last write is removed by ``stories.domain.uploads.remove_expired``.
TARINA_UPLOAD_EXPIRY_SECONDS = env_int("TARINA_UPLOAD_EXPIRY_SECONDS", 24 * 60 * 60)
# PATCH bodies are streamed to disk in pieces of this size: memory stays flat.
TARINA_UPLOAD_READ_BYTES = env_int("TARINA_UPLOAD_READ_BYTES", 1024 * 1024)
# fsync each PATCH before its offset is recorded (off only for throwaway benchmarks).
TARINA_UPLOAD_FSYNC = env_bool("TARINA_UPLOAD_FSYNC", True)
TARINA_UPLOAD_MAX_METADATA_BYTES = env_int("TARINA_UPLOAD_MAX_METADATA_BYTES", 4096)
# Creations (POST) per client; PATCH, HEAD and DELETE are not throttled.
TARINA_UPLOAD_CREATE_THROTTLE = os.environ.get("TARINA_UPLOAD_CREATE_THROTTLE", "100/hour")
# --- end of resumable uploads -------------------------------------------------------

# --- REST API ---------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # Every view, also those that name no parsers: bounded size and JSON nesting.
    "DEFAULT_PARSER_CLASSES": [
        "stories.api.parsers.BoundedJSONParser",
        "stories.api.parsers.BoundedMultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "stories.api.pagination.StrictLimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "stories.api.schema.TarinaAutoSchema",
    "EXCEPTION_HANDLER": "stories.api.exceptions.handle_exception",
    "DEFAULT_THROTTLE_RATES": {
        "receipts": os.environ.get("TARINA_RECEIPT_THROTTLE", "30/minute"),
    },
    # Proxies in front of the web tier whose X-Forwarded-For entries are trusted (nginx: 1).
    # With 0 the client address is REMOTE_ADDR: a client's own X-Forwarded-For header must
    # never choose the key its requests are throttled under.
    "NUM_PROXIES": env_int("TARINA_NUM_PROXIES", 0),
}
# Story submissions (API) per signed-in account, per address for anonymous reporters
# (generous: a workshop or a carrier NAT shares one) and per drive from everyone.
TARINA_SUBMISSION_THROTTLE_ACCOUNT = os.environ.get("TARINA_SUBMISSION_THROTTLE_ACCOUNT", "30/hour")
TARINA_SUBMISSION_THROTTLE_ADDRESS = os.environ.get(
    "TARINA_SUBMISSION_THROTTLE_ADDRESS", "300/hour"
)
TARINA_SUBMISSION_THROTTLE_DRIVE = os.environ.get("TARINA_SUBMISSION_THROTTLE_DRIVE", "2000/hour")
# Failed sign-ins (console, admin, API session) before further tries are refused for the
# window: per account name, whoever tries it, and per address, whichever names it tries.
TARINA_LOGIN_FAILURES_PER_ACCOUNT = env_int("TARINA_LOGIN_FAILURES_PER_ACCOUNT", 5)
TARINA_LOGIN_FAILURES_PER_ADDRESS = env_int("TARINA_LOGIN_FAILURES_PER_ADDRESS", 50)
TARINA_LOGIN_WINDOW_SECONDS = env_int("TARINA_LOGIN_WINDOW_SECONDS", 15 * 60)
SPECTACULAR_SETTINGS = {
    "TITLE": "Tarina API",
    "DESCRIPTION": "Community reporting stories: submission, consent, review and publication.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Separate request and response components: a request's file field is binary, its
    # read-only fields absent, so generated clients build the bodies the server reads.
    "COMPONENT_SPLIT_REQUEST": True,
    # tus (headers and raw bytes, HEAD included) is described by hand.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "stories.api.tus_schema.add_tus_operations",
    ],
    # Self-hosted Swagger UI assets: the docs work with no internet access.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Celery -----------------------------------------------------------------
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
if CELERY_BROKER_URL.startswith("filesystem"):
    BROKER_DIR = Path(os.environ.get("TARINA_BROKER_DIR", VAR_DIR / "broker"))
    for folder in ("queue", "control", "processed"):
        (BROKER_DIR / folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "control_folder": str(BROKER_DIR / "control"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "store_processed": False,
        # kombu waits this long after every message while a task holds the one prefetch
        # slot; its default of 1 s capped one worker at one task a second (0.5 stories/s).
        "polling_interval": float(os.environ.get("TARINA_BROKER_POLL_SECONDS", "0.1")),
    }
else:
    # Longer than the hardest task time limit, so a long transcription is never
    # redelivered to a second worker while the first is still on it.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env_int("TARINA_VISIBILITY_TIMEOUT", 3 * 60 * 60)
    }
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_TASK_IGNORE_RESULT = CELERY_RESULT_BACKEND is None
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "media"
# Light steps on `media`; Whisper on `transcribe`, which heavier (GPU) hosts can serve alone.
CELERY_TASK_QUEUES = (Queue("media"), Queue("transcribe"))
# Tasks that need the Whisper model run where it is loaded. publish_story goes there too
# for stories with sound (its release check listens again): chosen when it is sent.
CELERY_TASK_ROUTES = {
    "media_pipeline.tasks.transcribe_*": {"queue": "transcribe"},
    "media_pipeline.tasks.align_transcript": {"queue": "transcribe"},
    "media_pipeline.tasks.translate_story": {"queue": "transcribe"},
}
CELERY_TASK_SOFT_TIME_LIMIT = env_int("TARINA_TASK_SOFT_TIME_LIMIT", 60 * 60)
CELERY_TASK_TIME_LIMIT = env_int("TARINA_TASK_TIME_LIMIT", 65 * 60)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE = {
    # A safety net: each theme decision queues its own retrain within seconds; this one
    # catches decisions whose message was lost (a broker away at the time).
    "retrain-theme-model": {
        "task": "media_pipeline.tasks.retrain_theme_model",
        "schedule": env_int("TARINA_THEME_RETRAIN_SECONDS", 24 * 60 * 60),
    },
    "sweep-stuck-stories": {
        "task": "media_pipeline.tasks.sweep_stuck_stories",
        # Often enough that a story whose worker died mid-step is re-queued within minutes.
        "schedule": env_int("TARINA_SWEEP_INTERVAL_SECONDS", 60),
    },
    "reconcile-media": {
        "task": "media_pipeline.tasks.reconcile_media",
        "schedule": env_int("TARINA_MEDIA_CHECK_SECONDS", 60 * 60),
    },
}
# A story that has sat in `processing` this long without progress is re-enqueued;
# so is one still `submitted` after the shorter delay (its enqueueing was lost).
TARINA_STUCK_AFTER_SECONDS = env_int("TARINA_STUCK_AFTER_SECONDS", 2 * 60 * 60)
TARINA_UNQUEUED_AFTER_SECONDS = env_int("TARINA_UNQUEUED_AFTER_SECONDS", 10 * 60)
# While a pipeline step runs, a background thread stamps the story's heartbeat this often,
# so a long Whisper run is never taken for a dead one. A story whose running step has not
# beaten for the stale delay (four missed beats) lost its worker: the sweeper re-queues it.
TARINA_HEARTBEAT_SECONDS = env_int("TARINA_HEARTBEAT_SECONDS", 30)
TARINA_HEARTBEAT_STALE_SECONDS = env_int("TARINA_HEARTBEAT_STALE_SECONDS", 120)

# --- Media pipeline and speech models ----------------------------------------
TARINA_MODELS_DIR = Path(os.environ.get("TARINA_MODELS_DIR", VAR_DIR / "models"))
TARINA_TRANSCRIBE_ENGINE = os.environ.get("TARINA_TRANSCRIBE_ENGINE", "faster-whisper")
TARINA_WHISPER_MODEL = os.environ.get("TARINA_WHISPER_MODEL", "base")
# Weights per decoded language: TARINA_WHISPER_MODEL_SV=/models/kb-whisper-small (a path) or
# =kb-small (a name installed by `provision_models --from-dir`). Keyed by lower-case code.
TARINA_WHISPER_MODEL_BY_LANGUAGE = {
    key.removeprefix("TARINA_WHISPER_MODEL_").lower(): value.strip()
    for key, value in os.environ.items()
    if key.startswith("TARINA_WHISPER_MODEL_") and value.strip()
}
# Speakers told apart in each transcribed recording (resemblyzer; see docs/pipeline.md).
TARINA_DIARISE = env_bool("TARINA_DIARISE", True)
TARINA_MAX_SPEAKERS = env_int("TARINA_MAX_SPEAKERS", 8)
TARINA_TRANSCRIBE_DEVICE = os.environ.get("TARINA_TRANSCRIBE_DEVICE", "auto")
TARINA_TRANSCRIBE_THREADS = env_int("TARINA_TRANSCRIBE_THREADS", 0)
# Empty: int8_float32 on CPU (as accurate as float32 here, 200 MB lighter), float16 on CUDA.
TARINA_TRANSCRIBE_COMPUTE_TYPE = os.environ.get("TARINA_TRANSCRIBE_COMPUTE_TYPE", "")
TARINA_MAX_MEDIA_SECONDS = env_int("TARINA_MAX_MEDIA_SECONDS", 3 * 60 * 60)
TARINA_MAX_IMAGE_PIXELS = env_int("TARINA_MAX_IMAGE_PIXELS", 50_000_000)

# Curator decisions needed before a trained theme model is blended with the lexicon.
TARINA_THEME_MIN_DECISIONS = env_int("TARINA_THEME_MIN_DECISIONS", 20)
# A curator's theme decision retrains the model this many seconds later; decisions made
# meanwhile join the same retrain (stories/domain/retraining.py).
TARINA_THEME_RETRAIN_DELAY_SECONDS = env_int("TARINA_THEME_RETRAIN_DELAY_SECONDS", 5)

# An abstractive summary on insights reports, from the operator's own OpenAI-compatible
# endpoint (a local llama.cpp or vLLM server: ".../v1"). Off while empty; it is sent only
# the report's anonymised quotes (stories.domain.summaries).
TARINA_SUMMARY_URL = os.environ.get("TARINA_SUMMARY_URL", "").rstrip("/")
if TARINA_SUMMARY_URL and not TARINA_SUMMARY_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured("TARINA_SUMMARY_URL must be an http:// or https:// URL.")
TARINA_SUMMARY_MODEL = os.environ.get("TARINA_SUMMARY_MODEL", "local")
TARINA_SUMMARY_API_KEY = os.environ.get("TARINA_SUMMARY_API_KEY", "")
TARINA_SUMMARY_TIMEOUT_SECONDS = env_int("TARINA_SUMMARY_TIMEOUT_SECONDS", 60)

# --- Health checks -----------------------------------------------------------
TARINA_HEALTH_TIMEOUT_SECONDS = float(os.environ.get("TARINA_HEALTH_TIMEOUT_SECONDS", "2"))
# /api/v1/health/ answers from a report this many seconds old at most (0: every call), and
# takes this many calls per client address (stories/api/throttles.py).
TARINA_HEALTH_CACHE_SECONDS = env_int("TARINA_HEALTH_CACHE_SECONDS", 5)
TARINA_HEALTH_THROTTLE = os.environ.get("TARINA_HEALTH_THROTTLE", "60/minute")

# --- Storage reliability (docs/reliability.md) ------------------------------------
# An unowned stored file younger than this may belong to a write not yet committed: the
# media reconciler leaves it (files of withdrawn stories go at once, whatever their age).
TARINA_MEDIA_ORPHAN_GRACE_SECONDS = env_int("TARINA_MEDIA_ORPHAN_GRACE_SECONDS", 60 * 60)
# /healthz reports the disk under the media and the database as low below this.
TARINA_MIN_FREE_BYTES = env_int("TARINA_MIN_FREE_BYTES", 1024 * 1024 * 1024)
# Kept free in TARINA_VAR_DIR for SQLite's journal, so a withdrawal works on a full disk.
TARINA_DISK_RESERVE_BYTES = env_int("TARINA_DISK_RESERVE_BYTES", 16 * 1024 * 1024)

# --- Security -----------------------------------------------------------------
# Pages that record in the browser: their Permissions-Policy lets this origin use the
# microphone and camera; every other page refuses both (config/middleware.py).
TARINA_RECORDING_VIEWS = env_list("TARINA_RECORDING_VIEWS", "frontend:drive")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if env_bool("TARINA_HTTPS", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("TARINA_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Deployment: storage, cache, logging, metrics, Sentry ---------------------------
# See docs/deployment.md. Everything here is off (or local) unless its variable is set.

# Object storage: TARINA_STORAGE=s3 keeps originals in a private bucket (signed URLs that
# expire, private ACL) and anonymised derivatives in a public bucket or prefix (plain URLs).
TARINA_STORAGE = os.environ.get("TARINA_STORAGE", "filesystem").strip().lower()
if TARINA_STORAGE == "s3":
    _s3_common: dict[str, object] = {
        "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,  # MinIO, Ceph, ...
        "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
        "file_overwrite": False,
        "signature_version": "s3v4",
        # Credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or an instance role,
        # read by boto3 itself; never written into settings.
    }
    _private_bucket = os.environ["TARINA_S3_PRIVATE_BUCKET"]
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **_s3_common,
            "bucket_name": _private_bucket,
            "location": os.environ.get("TARINA_S3_PRIVATE_PREFIX", "private"),
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": env_int("TARINA_S3_URL_EXPIRY_SECONDS", 300),
            # Originals: never kept by a shared cache or CDN on the way.
            "object_parameters": {"CacheControl": "private, no-store"},
            "custom_domain": None,  # a CDN domain would drop the signature
        },
    }
    STORAGES["public"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **_s3_common,
            "bucket_name": os.environ.get("TARINA_S3_PUBLIC_BUCKET") or _private_bucket,
            "location": os.environ.get("TARINA_S3_PUBLIC_PREFIX", "public"),
            # None: the bucket policy makes the public prefix readable (ACLs disabled);
            # "public-read" for buckets that still use object ACLs.
            "default_acl": os.environ.get("TARINA_S3_PUBLIC_ACL") or None,
            "querystring_auth": False,
            "custom_domain": os.environ.get("TARINA_S3_PUBLIC_DOMAIN") or None,
            # As stories/public_media.py (PUBLIC_MEDIA_CACHE): a withdrawn file may be kept a
            # minute, no longer; nosniff and the CSP come from the CDN in front.
            "object_parameters": {
                "CacheControl": "public, max-age=60, must-revalidate",
                "ContentDisposition": "inline",
            },
        },
    }
elif TARINA_STORAGE != "filesystem":
    raise RuntimeError(f"TARINA_STORAGE must be 'filesystem' or 's3', not {TARINA_STORAGE!r}.")

# A stateless web tier: with Redis, the cache (throttle counters included) and sessions
# are shared by every web process; without it each process has its own memory cache.
TARINA_CACHE_URL = os.environ.get("TARINA_CACHE_URL") or os.environ.get("REDIS_URL", "")
if TARINA_CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": TARINA_CACHE_URL,
            "KEY_PREFIX": "tarina",
            "TIMEOUT": env_int("TARINA_CACHE_TIMEOUT", 300),
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# Anonymous GETs of public pages answered from each web process's memory for this many
# seconds (stories/api/public_cache.py). Unset: 600 with the shared cache above, off
# without it (a worker's change could not reach the web processes); 0 turns it off.
TARINA_PUBLIC_CACHE_SECONDS = (
    env_int("TARINA_PUBLIC_CACHE_SECONDS", 0)
    if os.environ.get("TARINA_PUBLIC_CACHE_SECONDS", "").strip()
    else None
)

# Persistent connections: reuse them (DATABASE_CONN_MAX_AGE, above) and check each one
# before a request uses it, so a restarted PostgreSQL costs no failed request.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env_bool("DATABASE_CONN_HEALTH_CHECKS", True)

# Request ids (X-Request-ID in and out) and request metrics, outermost first; then kept
# public answers, which skip everything below them.
MIDDLEWARE = [
    # CORS and gzip for the public surfaces only; outside the public cache, which keeps
    # plain answers (stories/api/public_surface.py).
    "stories.api.public_surface.PublicSurfaceMiddleware",
    "config.middleware.RequestIdMiddleware",
    "config.middleware.MetricsMiddleware",
    "stories.api.public_cache.PublicCacheMiddleware",
    *MIDDLEWARE,
]
# The probes answer over plain HTTP inside the private network, also behind TLS.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]

# Logs: plain text for a terminal, or JSON lines (TARINA_LOG_FORMAT=json), each with the
# request id, Celery task id and story id (config/logging.py).
TARINA_LOG_FORMAT = os.environ.get("TARINA_LOG_FORMAT", "plain")
from config.logging import build_logging  # noqa: E402

LOGGING = build_logging(TARINA_LOG_FORMAT, os.environ.get("TARINA_LOG_LEVEL", "INFO"))
# Python's warnings as log lines in that format too (Django no longer routes them).
logging.captureWarnings(True)

# Readiness (/readyz) needs a worker answering on each of these queues.
TARINA_READY_QUEUES = env_list("TARINA_READY_QUEUES", "media,transcribe")
# Prometheus (/metrics): an optional bearer token; step durations cover this window.
TARINA_METRICS_TOKEN = os.environ.get("TARINA_METRICS_TOKEN", "")
TARINA_METRICS_STEP_WINDOW_SECONDS = env_int("TARINA_METRICS_STEP_WINDOW_SECONDS", 24 * 60 * 60)

# Errors to Sentry, only when SENTRY_DSN is set. No personal data: stories are personal.
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
        release=os.environ.get("SENTRY_RELEASE") or None,
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
        send_default_pii=False,
        # Request bodies and stack locals can hold a story's text or a reporter's name.
        max_request_body_size="never",
        include_local_variables=False,
    )
# --- end of Deployment ---------------------------------------------------------------

# --- Channels: stories by e-mail and Telegram (docs/channels.md) ------------------------


def email_settings(url: str) -> dict[str, object]:
    """Django's e-mail settings from one URL: ``smtp://user:password@host:587?tls=1``,
    ``smtps://…`` (implicit TLS), ``console://``, ``locmem://``, ``dummy://`` or
    ``file:///path/to/folder``. Raises ``ImproperlyConfigured`` for any other scheme."""
    from urllib.parse import parse_qs, unquote, urlsplit

    parts = urlsplit(url)
    backends = {
        "console": "django.core.mail.backends.console.EmailBackend",
        "locmem": "django.core.mail.backends.locmem.EmailBackend",
        "dummy": "django.core.mail.backends.dummy.EmailBackend",
        "file": "django.core.mail.backends.filebased.EmailBackend",
        "smtp": "django.core.mail.backends.smtp.EmailBackend",
        "smtps": "django.core.mail.backends.smtp.EmailBackend",
    }
    if parts.scheme not in backends:
        raise ImproperlyConfigured(f"EMAIL_URL: unknown scheme {parts.scheme!r}")
    found: dict[str, object] = {"EMAIL_BACKEND": backends[parts.scheme]}
    if parts.scheme == "file":
        found["EMAIL_FILE_PATH"] = unquote(parts.path)
    if parts.scheme.startswith("smtp"):
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        found.update(
            EMAIL_HOST=parts.hostname or "localhost",
            EMAIL_PORT=parts.port or (465 if parts.scheme == "smtps" else 25),
            EMAIL_HOST_USER=unquote(parts.username or ""),
            EMAIL_HOST_PASSWORD=unquote(parts.password or ""),
            EMAIL_USE_SSL=parts.scheme == "smtps",
            EMAIL_USE_TLS=query.get("tls", "").lower() in {"1", "true", "yes", "on"},
        )
    return found


# Replies (consent questions, receipts) go through Django's e-mail backend.
globals().update(email_settings(os.environ.get("EMAIL_URL", "console://")))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "stories@localhost")
# A draft that has no consent to store yet is erased this long after it arrived.
TARINA_CHANNEL_DRAFT_RETENTION_DAYS = float(
    os.environ.get("TARINA_CHANNEL_DRAFT_RETENTION_DAYS") or 7
)
# A hosted mailbox to poll, e.g. imaps://user:password@imap.example.org/INBOX; empty: none.
TARINA_IMAP_URL = os.environ.get("TARINA_IMAP_URL", "")
# Telegram Bot API: the bot's token, the secret the webhook was registered with, the drive
# its voice notes go to, and the API's address (a test points it at a local fake).
TARINA_TELEGRAM_BOT_TOKEN = os.environ.get("TARINA_TELEGRAM_BOT_TOKEN", "")
TARINA_TELEGRAM_SECRET_TOKEN = os.environ.get("TARINA_TELEGRAM_SECRET_TOKEN", "")
TARINA_TELEGRAM_DRIVE = os.environ.get("TARINA_TELEGRAM_DRIVE", "")
TARINA_TELEGRAM_API_URL = os.environ.get("TARINA_TELEGRAM_API_URL", "https://api.telegram.org")
CELERY_BEAT_SCHEDULE["erase-expired-channel-drafts"] = {
    "task": "media_pipeline.tasks.erase_expired_channel_drafts",
    "schedule": env_int("TARINA_CHANNEL_EXPIRY_CHECK_SECONDS", 60 * 60),
}
if TARINA_IMAP_URL:
    CELERY_BEAT_SCHEDULE["poll-mailbox"] = {
        "task": "media_pipeline.tasks.poll_mailbox",
        "schedule": env_int("TARINA_IMAP_POLL_SECONDS", 60),
    }
