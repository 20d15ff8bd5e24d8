"""Gunicorn configuration for serving a Django project over ASGI with JSON logs.

Use it as the configuration module::

    gunicorn -c python:django_strict_core.gunicorn project.asgi:application

Workers are uvicorn's (the ``uvicorn-worker`` package, run by
:class:`~django_strict_core.gunicorn.worker.UvicornWorker`), ``2 * CPUs + 1`` of them
unless ``WEB_CONCURRENCY`` says otherwise; the socket is ``0.0.0.0:$PORT`` (``PORT``
defaults to 8000). The workers' heartbeat files live in ``/dev/shm`` where it is a
writable directory, so a container with a read-only root filesystem and no writable
``/tmp`` (Kubernetes' ``readOnlyRootFilesystem``) starts. Gunicorn's and uvicorn's own
lines go through the same
``LOGGING`` as the application's (:func:`~django_strict_core.log.build_logging`
with the environment's ``DJANGO_LOG_*`` variables), so stdout carries one JSON object
per line and one access record per request, the middleware's.

The request limits below, gunicorn's ``worker_connections`` and Django's
``DATA_UPLOAD_MAX_MEMORY_SIZE`` bound every request while it arrives, and the number
of trusted proxies is DRF's ``NUM_PROXIES`` (``DJANGO_NUM_PROXIES``): see
docs/deployment.md ("The server's bounds" and "Proxy trust"). Command-line options
and ``GUNICORN_CMD_ARGS`` override any value set here. Requires the ``server`` extra.
"""

from __future__ import annotations

from django_strict_core.app_settings import DEFAULT_API_PREFIXES
from django_strict_core.conf.build import logging_config
from django_strict_core.conf.environment import StrictSettings
from django_strict_core.gunicorn.environment import (
    DEFAULT_PORT,
    bind_address,
    cpu_count,
    worker_count,
    worker_tmp_directory,
)
from django_strict_core.gunicorn.limits import ServerLimits
from django_strict_core.gunicorn.refusals import refusal_body, refusal_response
from django_strict_core.gunicorn.worker import UvicornWorker

# What ``from django_strict_core.gunicorn import *`` gives a project's own module: the
# gunicorn settings below, and the names to build on.
__all__ = [
    "DEFAULT_API_PREFIXES",
    "DEFAULT_PORT",
    "ServerLimits",
    "UvicornWorker",
    "accesslog",
    "bind",
    "bind_address",
    "control_socket_disable",
    "cpu_count",
    "errorlog",
    "graceful_timeout",
    "keepalive",
    "limit_request_field_size",
    "limit_request_fields",
    "limit_request_line",
    "logconfig_dict",
    "loglevel",
    "refusal_body",
    "refusal_response",
    "timeout",
    "worker_class",
    "worker_connections",
    "worker_count",
    "worker_tmp_dir",
    "worker_tmp_directory",
    "workers",
]

# Gunicorn settings (module-level names are read by ``-c python:…``).
worker_class = "django_strict_core.gunicorn.UvicornWorker"
workers = worker_count()
bind = [bind_address()]
worker_tmp_dir = worker_tmp_directory()
timeout = 120
graceful_timeout = 30
keepalive = 5
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
# Open connections per worker; one more is closed at once.
worker_connections = 1000
loglevel = "info"
errorlog = "-"
accesslog = None
logconfig_dict = logging_config(StrictSettings(), mail_admins=False)
# No runtime control socket (gunicorn 25.1+): nothing writes under $HOME, which is
# read-only in many containers, and concurrent servers never share a socket path.
control_socket_disable = True
