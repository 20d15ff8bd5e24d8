"""Gunicorn configuration for serving a Django project over ASGI with JSON logs.

Use it as the configuration module::

    gunicorn -c python:django_strict_core.gunicorn project.asgi:application

Workers are uvicorn's (the ``uvicorn-worker`` package), ``2 * CPUs + 1`` of them unless
``WEB_CONCURRENCY`` says otherwise; the socket is ``0.0.0.0:$PORT`` (``PORT``
defaults to 8000). The workers' heartbeat files live in ``/dev/shm`` where it is a
writable directory, so a container with a read-only root filesystem and no writable
``/tmp`` (Kubernetes' ``readOnlyRootFilesystem``) starts. Gunicorn's and uvicorn's own lines go through the same
``LOGGING`` as the application's (:func:`~django_strict_core.log.build_logging`
with the environment's ``DJANGO_LOG_*`` variables), so stdout carries one JSON object
per line and one access record per request, the middleware's. Command-line options
and ``GUNICORN_CMD_ARGS`` override any value set here. Requires the ``server`` extra.
"""

from __future__ import annotations

import json
import logging
import os
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from uvicorn_worker import UvicornWorker as BaseUvicornWorker

from django_strict_core.app_settings import DEFAULT_API_PREFIXES
from django_strict_core.conf.build import logging_config
from django_strict_core.conf.environment import StrictSettings
from django_strict_core.conf.errors import Problem, SettingsError

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, MutableMapping

    Scope = MutableMapping[str, Any]
    Message = MutableMapping[str, Any]
    Receive = Callable[[], Awaitable[Message]]
    Send = Callable[[Message], Awaitable[None]]
    ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

DEFAULT_PORT = 8000
# Bytes around the target in a request line: "GET " and " HTTP/1.1\r\n".
_REQUEST_LINE_OVERHEAD = len(" HTTP/1.1\r\n") + 1


def cpu_count() -> int:
    """Return the CPUs this process may run on (its affinity where supported).

    Returns:
        At least 1.
    """
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not available on macOS
        return os.cpu_count() or 1


def worker_count() -> int:
    """Return ``WEB_CONCURRENCY`` if set, else ``2 * CPUs + 1`` (docs/rules.md).

    Returns:
        The number of worker processes.

    Raises:
        SettingsError: When ``WEB_CONCURRENCY`` is not a positive integer.
    """
    value = os.environ.get("WEB_CONCURRENCY", "").strip()
    if not value:
        return 2 * cpu_count() + 1
    if not value.isdigit() or int(value) < 1:
        raise SettingsError(
            [Problem("WEB_CONCURRENCY", "expected a positive integer")], profile=None
        )
    return int(value)


def bind_address() -> str:
    """Return ``0.0.0.0:$PORT``, the address a container publishes.

    Returns:
        The address for gunicorn's ``bind``.

    Raises:
        SettingsError: When ``PORT`` is not a port number.
    """
    port = os.environ.get("PORT", "").strip() or str(DEFAULT_PORT)
    if not port.isdigit() or not 0 < int(port) < 2**16:
        raise SettingsError(
            [Problem("PORT", "expected a TCP port number (1-65535)")], profile=None
        )
    # All interfaces: a container's port is reached from outside the container.
    return f"0.0.0.0:{port}"


# Gunicorn makes its files there with mkstemp: unique names, owner-only access.
SHARED_MEMORY = "/dev/shm"  # noqa: S108


def worker_tmp_directory(path: str = SHARED_MEMORY) -> str | None:
    """Return ``path`` when it is a writable directory, else ``None``.

    Gunicorn keeps one heartbeat file per worker; ``None`` leaves it in the system's
    temporary directory, which a read-only root filesystem may not have. ``/dev/shm``
    is a memory file system in Docker, podman and Kubernetes containers alike, and
    keeps the heartbeats off slow or read-only disks.

    Args:
        path: The candidate directory.

    Returns:
        The directory for gunicorn's ``worker_tmp_dir``, or ``None``.
    """
    writable = Path(path).is_dir() and os.access(path, os.W_OK | os.X_OK)
    return path if writable else None


class RequestLimits:
    """ASGI wrapper enforcing gunicorn's request limits, which uvicorn does not read.

    uvicorn's parsers take neither ``limit_request_line`` nor the header limits, so
    this wrapper answers like gunicorn's own workers: ``414`` for a request line
    over ``limit_request_line`` bytes, ``431`` for more than
    ``limit_request_fields`` headers or a header line over
    ``limit_request_field_size`` bytes. A limit of 0 turns its check off.
    """

    def __init__(
        self, app: ASGIApp, *, line: int, fields: int, field_size: int
    ) -> None:
        """Wrap ``app``.

        Args:
            app: The ASGI application.
            line: Maximum request line length in bytes.
            fields: Maximum number of headers.
            field_size: Maximum length of one header line in bytes.
        """
        self.app = app
        self.line = line
        self.fields = fields
        self.field_size = field_size

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the request, or refuse it when it exceeds a limit.

        Args:
            scope: The ASGI connection scope.
            receive: The ASGI receive callable.
            send: The ASGI send callable.
        """
        status = self.violation(scope) if scope["type"] == "http" else None
        if status is None:
            await self.app(scope, receive, send)
            return
        logging.getLogger("gunicorn.error").warning(
            "Refused a request over gunicorn's request limits: %d %s",
            status,
            status.phrase,
        )
        content_type, body = refusal_body(status, scope.get("path", ""))
        await send(
            {
                "type": "http.response.start",
                "status": int(status),
                "headers": [
                    (b"content-type", content_type),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    def violation(self, scope: Scope) -> HTTPStatus | None:
        """Return the status for a request over a limit, or ``None``.

        Args:
            scope: An ASGI ``http`` scope.

        Returns:
            414, 431 or ``None``.
        """
        if self.line > 0:
            target = len(scope.get("raw_path") or scope["path"].encode())
            query = len(scope.get("query_string", b""))
            length = len(scope["method"]) + target + _REQUEST_LINE_OVERHEAD
            if length + (query + 1 if query else 0) > self.line:
                return HTTPStatus.REQUEST_URI_TOO_LONG
        headers = scope.get("headers", ())
        if 0 < self.fields < len(headers):
            return HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
        if self.field_size > 0 and any(
            len(name) + len(value) + 2 > self.field_size for name, value in headers
        ):
            return HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
        return None


# Envelope codes of the refusals, named after the statuses.
REFUSAL_CODES = {
    HTTPStatus.REQUEST_URI_TOO_LONG: "request_uri_too_long",
    HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE: "request_header_fields_too_large",
}


def refusal_body(status: HTTPStatus, path: str) -> tuple[bytes, bytes]:
    """Return the content type and body of a refusal.

    Under the API prefixes (``STRICT_CORE_API_PREFIXES``, default ``/api/``) it is
    the error envelope, as every other API error; elsewhere the status phrase.

    Args:
        status: 414 or 431.
        path: The request path.

    Returns:
        ``(content type, body)``.
    """
    # Imported here: the gunicorn master loads this module without Django settings.
    from django.conf import settings  # noqa: PLC0415

    from django_strict_core.app_settings import app_settings  # noqa: PLC0415
    from django_strict_core.exceptions.payloads import (  # noqa: PLC0415
        CLIENT_ERROR,
        single_error,
    )

    prefixes = (
        app_settings.STRICT_CORE_API_PREFIXES
        if settings.configured
        else DEFAULT_API_PREFIXES
    )
    if not path.startswith(prefixes):
        return b"text/plain", status.phrase.encode()
    envelope = single_error(CLIENT_ERROR, REFUSAL_CODES[status], f"{status.phrase}.")
    return b"application/json", json.dumps(envelope).encode()


class UvicornWorker(BaseUvicornWorker):  # type: ignore[misc]
    """uvicorn-worker's worker, logging through the root logger only.

    The base class gives uvicorn's loggers gunicorn's handlers and stops their
    propagation; with ``logconfig_dict`` those handlers are gone, so uvicorn's
    lines would be lost. Here ``uvicorn.error`` propagates to the root handler and
    uvicorn's access log is off (``RequestIDMiddleware`` writes the access log).
    The application is wrapped in :class:`RequestLimits`.
    """

    wsgi: Any  # gunicorn's name for the loaded application, here an ASGI one

    CONFIG_KWARGS: ClassVar[dict[str, Any]] = {
        **BaseUvicornWorker.CONFIG_KWARGS,
        "access_log": False,
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Create the worker and route uvicorn's lines to the root handler.

        Args:
            *args: Gunicorn's worker arguments.
            **kwargs: Gunicorn's worker arguments.
        """
        super().__init__(*args, **kwargs)
        error_log = logging.getLogger("uvicorn.error")
        error_log.handlers = []
        error_log.propagate = True

    def load_wsgi(self) -> None:
        """Load the application and wrap it in :class:`RequestLimits`."""
        super().load_wsgi()
        self.wsgi = RequestLimits(
            self.wsgi,
            line=self.cfg.limit_request_line,
            fields=self.cfg.limit_request_fields,
            field_size=self.cfg.limit_request_field_size,
        )


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
loglevel = "info"
errorlog = "-"
accesslog = None
logconfig_dict = logging_config(StrictSettings(), mail_admins=False)
# No runtime control socket (gunicorn 25.1+): nothing writes under $HOME, which is
# read-only in many containers, and concurrent servers never share a socket path.
control_socket_disable = True
