"""haconsole settings: one file, every value from the environment.

| variable                     | default                                        |
|------------------------------|------------------------------------------------|
| HACONSOLE_DATA_DIR           | <repo>/var                                      |
| HACONSOLE_SECRET_KEY         | generated once into DATA_DIR/secret_key         |
| HACONSOLE_FERNET_KEY         | generated once into DATA_DIR/fernet.key         |
| DATABASE_URL                 | sqlite:///DATA_DIR/haconsole.sqlite3            |
| REDIS_URL                    | redis://127.0.0.1:6379/0                        |
| HACONSOLE_BIND               | 127.0.0.1:2224                                  |
| HACONSOLE_TLS_CERT / _KEY    | self-signed pair generated into DATA_DIR/tls/   |
| HACONSOLE_ALLOWED_HOSTS      | 127.0.0.1,localhost,::1 (+ the bind host)       |
| HACONSOLE_DEBUG              | 0                                               |
| HACONSOLE_SSH_CONNECT_TIMEOUT| 5 (seconds)                                     |
| HACONSOLE_SSH_COMMAND_TIMEOUT| 30 (seconds)                                    |
| HACONSOLE_SSH_MAX_CHANNELS   | 9 (per node; sshd's MaxSessions defaults to 10) |
| HACONSOLE_SSH_WARM           | 1 (keep each process's SSH connections open     |
|                              | between requests; 0: one connection per request)|
| HACONSOLE_SSH_IDLE_CLOSE     | 600 (seconds a kept connection may stay unused) |
| HACONSOLE_OPERATION_LOCK_WAIT| 300 (seconds an operation waits for the one    |
|                              | before it on the same cluster)                  |
| HACONSOLE_DRAIN_SETTLE_TIMEOUT| 300 (seconds a drain waits for the cluster to  |
|                              | settle after a standby or an unstandby)         |
| HACONSOLE_DRAIN_SYNC_TIMEOUT | 3600 (seconds a returning node's DRBD may take  |
|                              | to be UpToDate)                                 |
| HACONSOLE_DRAIN_RETURN_WAIT  | 60 (seconds a VM's move back waits for its      |
|                              | pre-check to pass on the returned node)         |
| HACONSOLE_RESYNC_STALL_AFTER | 300 (seconds a DRBD resync may make no progress |
|                              | before it is reported stalled)                  |
| HACONSOLE_ADVICE_MAX_AGE     | 3600 (seconds the advisor's findings are reused |
|                              | while the cluster's status does not change)     |
| HACONSOLE_FENCE_AGENT_DIR    | /usr/sbin (fence agents on the nodes)           |
| HACONSOLE_TOKEN_DAYS         | 90 (lifetime of a token made without expiry)    |
| HACONSOLE_LOGIN_FAILURES     | 5 (failed logins before a lock-out)             |
| HACONSOLE_LOCKOUT_MINUTES    | 15                                              |
| HACONSOLE_LOGIN_RATE         | 20/min (POST /api/v1/auth/token/ per address)   |
| HACONSOLE_SESSION_HOURS      | 12 (absolute session lifetime)                  |
| HACONSOLE_SESSION_IDLE_MINUTES| 30 (session idle timeout)                      |
| HACONSOLE_HSTS_SECONDS       | 31536000                                        |
"""

from __future__ import annotations

import base64
import datetime
import os
import secrets
from pathlib import Path

import dj_database_url
import django_stubs_ext

from console.datadir import make_private, private_file

# Generic classes (ModelAdmin[Model], serializers) usable at runtime, as the types say.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean environment variable (1/true/yes/on are true)."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_float(name: str, default: float) -> float:
    """Read a number from the environment, refusing anything that is not one."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return float(value)
    except ValueError as exc:
        raise ValueError(f"{name} must be a number, got {value!r}") from exc


def read_or_create_secret(path: Path, make: str) -> str:
    """Return the secret kept in path, writing `make` there (mode 600) on first use."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(make + "\n")
    return make


def split_bind(bind: str) -> tuple[str, int]:
    """Split HACONSOLE_BIND ("host:port", "[v6]:port") into host and port."""
    host, sep, port = bind.rpartition(":")
    if not sep or not host.strip("[]") or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"HACONSOLE_BIND must be HOST:PORT (port 1-65535), got {bind!r}")
    return host.strip("[]"), int(port)


DATA_DIR = Path(os.environ.get("HACONSOLE_DATA_DIR") or BASE_DIR / "var").resolve()
# 0700, every file in it 0600 (SQLite included), and umask 077 for what comes later.
make_private(DATA_DIR)

SECRET_KEY = os.environ.get("HACONSOLE_SECRET_KEY") or read_or_create_secret(
    DATA_DIR / "secret_key", secrets.token_urlsafe(50)
)
DEBUG = env_bool("HACONSOLE_DEBUG", False)

BIND = os.environ.get("HACONSOLE_BIND") or "127.0.0.1:2224"
BIND_HOST, BIND_PORT = split_bind(BIND)
TLS_CERT = Path(os.environ.get("HACONSOLE_TLS_CERT") or DATA_DIR / "tls" / "cert.pem")
TLS_KEY = Path(os.environ.get("HACONSOLE_TLS_KEY") or DATA_DIR / "tls" / "key.pem")

_hosts = os.environ.get("HACONSOLE_ALLOWED_HOSTS") or "127.0.0.1,localhost,::1"
ALLOWED_HOSTS = sorted({h.strip() for h in _hosts.split(",") if h.strip()} | {BIND_HOST})
CSRF_TRUSTED_ORIGINS = [
    f"https://{'[' + h + ']' if ':' in h else h}:{BIND_PORT}" for h in ALLOWED_HOSTS if h != "*"
]

# Only HTTPS is served: cookies never travel in clear.
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# HSTS: browsers keep to HTTPS for this host (ignored for IP addresses, as browsers do).
SECURE_HSTS_SECONDS = int(env_float("HACONSOLE_HSTS_SECONDS", 31536000))
# Sessions: an absolute lifetime, and an idle timeout (console.middleware.SessionTimeout).
SESSION_COOKIE_AGE = int(env_float("HACONSOLE_SESSION_HOURS", 12) * 3600)
SESSION_IDLE_TIMEOUT = int(env_float("HACONSOLE_SESSION_IDLE_MINUTES", 30) * 60)

# Content-Security-Policy (django-csp): no inline script or style anywhere; WebSockets to
# this origin only ('self' covers wss: for the same host and port).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "axes",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "channels",
    "console",
    "operations",
    "nodes",
    "clusters",
    "resources",
    "fencing",
    "frontend",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "console.middleware.SessionTimeoutMiddleware",
    "console.middleware.LoginRequiredForPagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its 429 answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "console.urls"
ASGI_APPLICATION = "console.asgi.application"

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

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'haconsole.sqlite3'}",
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    private_file(Path(DATABASES["default"]["NAME"]))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# django-axes first: it counts failed logins (the login page, the admin's, and
# POST /api/v1/auth/token/) per user name and per address, and refuses a locked one.
AUTHENTICATION_BACKENDS = [
    "console.lockout.LoginLockout",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(env_float("HACONSOLE_LOGIN_FAILURES", 5))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_float("HACONSOLE_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one locks
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "console.lockout.locked_out"
AXES_VERBOSE = False

LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve from the apps' static dirs directly when collectstatic has not run (tests).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_ACKS_LATE = False
CELERY_TASK_TIME_LIMIT = 600
CELERY_TASK_SOFT_TIME_LIMIT = 540
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        # redis-py 8 reads with a 5 s socket timeout, as long as channels_redis's blocking
        # pop: an idle consumer's receive() would fail and Daphne drop the WebSocket.
        "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": 15}]},
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "clusters.api.auth.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "clusters.api.auth.TokenScope",
    ],
    # POST /api/v1/auth/token/ per address, besides axes' lock-out (per process: the
    # cache is local memory; axes keeps its counts in the database).
    "DEFAULT_THROTTLE_RATES": {"login": os.environ.get("HACONSOLE_LOGIN_RATE") or "20/min"},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "operations.api.pagination.Pages",
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "operations.api.errors.handle",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "haconsole API",
    "DESCRIPTION": "Watch and manage Pacemaker/Corosync clusters.",
    "VERSION": "1",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Swagger UI from the drf-spectacular-sidecar package, not from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "EventKindEnum": "clusters.choices.EventKind",
        "TokenKindEnum": "clusters.tokens.Kind",
    },
}

SSH_CONNECT_TIMEOUT = env_float("HACONSOLE_SSH_CONNECT_TIMEOUT", 5.0)
SSH_COMMAND_TIMEOUT = env_float("HACONSOLE_SSH_COMMAND_TIMEOUT", 30.0)
SSH_MAX_CHANNELS = int(env_float("HACONSOLE_SSH_MAX_CHANNELS", 9))
SSH_KEEPALIVE_INTERVAL = env_float("HACONSOLE_SSH_KEEPALIVE", 15.0)
SSH_WARM = env_float("HACONSOLE_SSH_WARM", 1) != 0
SSH_IDLE_CLOSE = env_float("HACONSOLE_SSH_IDLE_CLOSE", 600.0)
OPERATION_LOCK_WAIT = env_float("HACONSOLE_OPERATION_LOCK_WAIT", 300.0)
DRAIN_SETTLE_TIMEOUT = env_float("HACONSOLE_DRAIN_SETTLE_TIMEOUT", 300.0)
DRAIN_SYNC_TIMEOUT = env_float("HACONSOLE_DRAIN_SYNC_TIMEOUT", 3600.0)
DRAIN_RETURN_WAIT = env_float("HACONSOLE_DRAIN_RETURN_WAIT", 60.0)
RESYNC_STALL_AFTER = env_float("HACONSOLE_RESYNC_STALL_AFTER", 300.0)
DRAIN_POLL = 2.0  # seconds between two reads of DRBD's state while a returning node syncs
# Days a personal API token lasts when made without an expiry (POST /api/v1/auth/token/).
TOKEN_DAYS = env_float("HACONSOLE_TOKEN_DAYS", 90.0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("HACONSOLE_LOG_LEVEL", "INFO")},
    "loggers": {"asyncssh": {"level": "WARNING"}},
}

# Key that encrypts SSH private keys at rest (Fernet); keep DATA_DIR/fernet.key safe.
FERNET_KEY = os.environ.get("HACONSOLE_FERNET_KEY") or read_or_create_secret(
    DATA_DIR / "fernet.key", base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
)

# Where the cluster tools keep what the console reads (Debian's paths; RHEL has the
# Pacemaker daemons in /usr/libexec/pacemaker).
PACEMAKER_DAEMON_DIR = os.environ.get("HACONSOLE_PACEMAKER_DAEMON_DIR") or "/usr/lib/pacemaker"
PACEMAKER_LOG = os.environ.get("HACONSOLE_PACEMAKER_LOG") or "/var/log/pacemaker/pacemaker.log"
COROSYNC_CONF = os.environ.get("HACONSOLE_COROSYNC_CONF") or "/etc/corosync/corosync.conf"
# Where the fence agents are (the fencer's RH_STONITH_DIR; /usr/sbin on Debian and RHEL).
FENCE_AGENT_DIR = os.environ.get("HACONSOLE_FENCE_AGENT_DIR") or "/usr/sbin"
# The advisor's findings are cached until the cluster's status changes, or this old
# (seconds): then the next look at them reads the cluster and asks the fence devices again.
ADVICE_MAX_AGE = env_float("HACONSOLE_ADVICE_MAX_AGE", 3600.0)
