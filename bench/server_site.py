"""Settings of the project bench/server.py serves with gunicorn, and its two workers.

A production-profile project (DEBUG off, JSON logs, the middleware of
``build_settings``) without database or cache access on its two routes
(bench/server_urls.py), so the figures are the server's and the request path's.

Workers:

* ``django_strict_core.gunicorn.UvicornWorker``: the library's, with the bounds;
* :class:`UnboundedWorker`: the same worker serving uvicorn's own ``httptools``
  protocol with no bounds, i.e. what uvicorn does without them.
"""

from __future__ import annotations

import os
from pathlib import Path

from django_strict_core.conf import StrictSettings, build_settings
from django_strict_core.gunicorn import UvicornWorker

SETTINGS = StrictSettings(
    env="production",
    allowed_hosts="127.0.0.1",
    secret_key=os.environ.get("DJANGO_SECRET_KEY", ""),
    secure_ssl_redirect=False,  # plain HTTP on loopback
    log_level="WARNING",
)
globals().update(build_settings(SETTINGS, base_dir=Path(__file__).resolve().parent))

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "rest_framework",
    "django_strict_core",
]
ROOT_URLCONF = "bench.server_urls"
# No session or authentication lookups on the request path.
MIDDLEWARE = [
    m
    for m in MIDDLEWARE  # type: ignore[name-defined] # noqa: F821
    if "sessions" not in m and "auth" not in m and "messages" not in m
]
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # type: ignore[name-defined] # noqa: F821
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_THROTTLE_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
}


class UnboundedWorker(UvicornWorker):
    """The library's worker with uvicorn's own protocol: no bounds at all."""

    def load_wsgi(self) -> None:
        """Load the application and serve it with ``httptools`` as uvicorn does."""
        super().load_wsgi()
        self.config.http = "httptools"
