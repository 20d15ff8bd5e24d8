"""Settings of both stacks, in one process.

**Ours** is what ``build_settings`` returns for a production environment (plain HTTP
on loopback, so no SSL redirect): its middleware, ``REST_FRAMEWORK`` and ``LOGGING``,
with the JSON formatter on the standard library's json (what a project without the
``orjson`` extra gets).

**Theirs** is the stack a team assembles by hand, read from the same environment
with django-environ: Django's middleware, DRF's own throttles and page-number
pagination, drf-standardized-errors' exception handler, django-health-check at
``/ht/``, and python-json-logger formatting the server's access log (uvicorn's
``uvicorn.access`` records, one per request).

Django has one settings object per process, so what differs per request lives where
Django and DRF let it differ per request: the middleware of each ASGI handler
(:mod:`baseline_site.server`) and the DRF classes of each view
(:mod:`baseline_site.views`, ``THEIRS_REST_FRAMEWORK`` for theirs). The database and
the cache are shared: django-environ's parse of ``DATABASE_URL`` and ``REDIS_URL``
names the same engine, backend and server as ``build_settings``' (checked below), and
both stacks keep no persistent database connections.

Environment (set by bench/baseline.py): ``DATABASE_URL`` (a scratch database),
``REDIS_URL``, ``BENCH_KEY_PREFIX``, and ``BENCH_POOL=1`` for psycopg's connection
pool in both stacks (``DATABASE_POOL`` for ours, ``OPTIONS["pool"]`` by hand for
theirs).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import environ

from django_strict_core.conf import StrictSettings, build_settings

KEY_PREFIX = os.environ["BENCH_KEY_PREFIX"]
# psycopg's connection pool for both stacks instead of a connection per request.
POOL = os.environ.get("BENCH_POOL") == "1"

# --- ours --------------------------------------------------------------------------

SETTINGS = StrictSettings(
    env="production",
    secret_key=secrets.token_urlsafe(50),
    allowed_hosts="127.0.0.1",
    secure_ssl_redirect=False,  # plain HTTP on loopback
    cache_key_prefix=KEY_PREFIX,
    database_pool=POOL,
    service_name="bench",
)
OURS = build_settings(SETTINGS, base_dir=Path(__file__).resolve().parent)
globals().update(OURS)
OURS_MIDDLEWARE = list(OURS["MIDDLEWARE"])
OURS["LOGGING"]["formatters"]["default"]["()"] = (
    "django_strict_core.log.formatters.JsonFormatter"
)

# --- theirs ------------------------------------------------------------------------

env = environ.Env()
THEIRS_DATABASE = env.db("DATABASE_URL")
if POOL:
    THEIRS_DATABASE.setdefault("OPTIONS", {})["pool"] = True
THEIRS_CACHE = env.cache("REDIS_URL")
THEIRS_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
THEIRS_REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {"anon": "100/hour", "user": "1000/hour"},
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_standardized_errors.openapi.AutoSchema",
}
OURS["LOGGING"]["formatters"]["theirs"] = {
    "()": "pythonjsonlogger.json.JsonFormatter",
    "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
}
OURS["LOGGING"]["handlers"]["theirs"] = {
    "class": "logging.StreamHandler",
    "stream": "ext://sys.stdout",
    "formatter": "theirs",
}
OURS["LOGGING"]["loggers"]["uvicorn.access"] = {
    "handlers": ["theirs"],
    "level": "INFO",
    "propagate": False,
}

# --- shared ------------------------------------------------------------------------


def _connection(database: dict[str, Any]) -> list[Any]:
    """What of a database entry a request's cost depends on."""
    names = ("ENGINE", "NAME", "HOST", "PORT", "USER")
    return [
        *(str(database.get(k)) for k in names),
        database.get("CONN_MAX_AGE", 0),
        bool(database.get("OPTIONS", {}).get("pool")),
    ]


for ours_value, theirs_value in (
    (_connection(OURS["DATABASES"]["default"]), _connection(THEIRS_DATABASE)),
    (
        [OURS["CACHES"]["default"][k] for k in ("BACKEND", "LOCATION")],
        [THEIRS_CACHE[k] for k in ("BACKEND", "LOCATION")],
    ),
    (
        OURS["REST_FRAMEWORK"]["DEFAULT_THROTTLE_RATES"],
        THEIRS_REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
    ),
):
    if ours_value != theirs_value:
        raise RuntimeError(f"the stacks differ: {ours_value} != {theirs_value}")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "rest_framework",
    "rest_framework.authtoken",
    "health_check",
    "django_strict_core",
    "baseline_site",
]
MIDDLEWARE = OURS_MIDDLEWARE
ROOT_URLCONF = "baseline_site.urls"
