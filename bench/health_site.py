"""Settings and URLs of the project that bench/health.py serves with uvicorn.

One production-profile project (DEBUG off, JSON logs, the middleware order of
``build_settings``) with both health endpoints on the same PostgreSQL and Redis:

* ``/api/health/``: django-strict-core (``django_strict_core.urls``);
* ``/ht/?format=json``: django-health-check's ``HealthCheckView`` with its
  ``Database`` and ``Cache`` checks, i.e. the same two backends.

Environment (set by bench/health.py): ``DATABASE_URL``, ``REDIS_URL``,
``DJANGO_SECRET_KEY``; ``BENCH_FULL_STACK=1`` drops ``HealthCheckMiddleware`` so the
strict-core view is reached through the whole middleware stack like any other view;
``BENCH_REDIS_NO_TIMEOUTS=1`` removes the Redis socket timeouts (django-redis'
defaults, what a project gets when it sets none).
"""

from __future__ import annotations

import os
from pathlib import Path

from django.urls import include, path
from health_check.views import HealthCheckView

from django_strict_core.conf import StrictSettings, build_settings

SETTINGS = StrictSettings(
    env="production",
    allowed_hosts="127.0.0.1",
    secure_ssl_redirect=False,  # plain HTTP on loopback
)
globals().update(build_settings(SETTINGS, base_dir=Path(__file__).resolve().parent))

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "health_check",
    "django_strict_core",
]
ROOT_URLCONF = "health_site"

if os.environ.get("BENCH_FULL_STACK") == "1":
    MIDDLEWARE = [m for m in MIDDLEWARE if not m.endswith("HealthCheckMiddleware")]  # type: ignore[name-defined] # noqa: F821
if os.environ.get("BENCH_REDIS_NO_TIMEOUTS") == "1":
    for option in ("SOCKET_TIMEOUT", "SOCKET_CONNECT_TIMEOUT"):
        CACHES["default"]["OPTIONS"].pop(option)  # type: ignore[name-defined] # noqa: F821

urlpatterns = [
    path("api/", include("django_strict_core.urls")),
    path(
        "ht/",
        HealthCheckView.as_view(checks=["health_check.Database", "health_check.Cache"]),
    ),
]
