"""Gunicorn configuration: the library's ASGI serving rules (docs/rules.md).

Uvicorn workers (``2 * CPUs + 1``, or ``WEB_CONCURRENCY``), ``0.0.0.0:$PORT``, the
library's timeouts, request limits and connection cap, worker heartbeats in
``/dev/shm`` (so a read-only root filesystem starts), and gunicorn's and uvicorn's
logs as the same JSON lines as the application's. The access log is the
application's own (one JSON record per request with its X-Request-ID), so gunicorn's
is off.

    gunicorn config.asgi:application -c config/gunicorn.conf.py
"""

from django_strict_core.gunicorn import (
    accesslog,
    bind,
    control_socket_disable,
    errorlog,
    graceful_timeout,
    keepalive,
    limit_request_field_size,
    limit_request_fields,
    limit_request_line,
    logconfig_dict,
    loglevel,
    timeout,
    worker_class,
    worker_connections,
    worker_tmp_dir,
    workers,
)

__all__ = [
    "accesslog",
    "bind",
    "control_socket_disable",
    "errorlog",
    "graceful_timeout",
    "keepalive",
    "limit_request_field_size",
    "limit_request_fields",
    "limit_request_line",
    "logconfig_dict",
    "loglevel",
    "timeout",
    "worker_class",
    "worker_connections",
    "worker_tmp_dir",
    "workers",
]
