"""The uvicorn worker the configuration module runs: one log stream, bounds, proxy trust."""

from __future__ import annotations

import logging
from typing import Any, ClassVar

from uvicorn_worker import UvicornWorker as BaseUvicornWorker

from django_strict_core.gunicorn.connection import bounded_protocol
from django_strict_core.gunicorn.limits import ServerLimits
from django_strict_core.proxies import ForwardedFor, trusted_proxies

DEFAULTS = ServerLimits()


def body_limit() -> int | None:
    """Return Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE``, the server's bound on a body.

    Returns:
        Bytes, or ``None`` when the setting turns the bound off.
    """
    from django.conf import global_settings, settings  # noqa: PLC0415

    if not settings.configured:
        return int(global_settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return None if limit is None else int(limit)


def proxy_count() -> int:
    """Return the trusted proxies of the loaded project (none before Django is set up).

    Returns:
        DRF's ``NUM_PROXIES``, as :func:`~django_strict_core.proxies.trusted_proxies`.
    """
    from django.conf import settings  # noqa: PLC0415

    return trusted_proxies() if settings.configured else 0


class UvicornWorker(BaseUvicornWorker):  # type: ignore[misc]
    """uvicorn-worker's worker with the library's logging, bounds and proxy trust.

    - Logging: the base class gives uvicorn's loggers gunicorn's handlers and stops
      their propagation; with ``logconfig_dict`` those handlers are gone, so
      ``uvicorn.error`` propagates to the root handler instead, and uvicorn's
      access log is off (``RequestIDMiddleware`` writes the access log).
    - Bounds: connections are served by
      :class:`~django_strict_core.gunicorn.connection.BoundedHttpToolsProtocol` with
      gunicorn's ``limit_request_line``, ``limit_request_fields``,
      ``limit_request_field_size`` and ``worker_connections``, Django's
      ``DATA_UPLOAD_MAX_MEMORY_SIZE``, and this class's :attr:`max_head_size`,
      :attr:`head_timeout` and :attr:`body_timeout`; a project changes the last
      three in a subclass.
    - Proxy trust: uvicorn's proxy headers are off (it would trust gunicorn's
      ``forwarded_allow_ips``); with DRF's ``NUM_PROXIES`` above 0 the application
      is wrapped in :class:`~django_strict_core.proxies.ForwardedFor`.
    """

    wsgi: Any  # gunicorn's name for the loaded application, here an ASGI one

    CONFIG_KWARGS: ClassVar[dict[str, Any]] = {
        **BaseUvicornWorker.CONFIG_KWARGS,
        "access_log": False,
        "proxy_headers": False,
    }
    #: Most bytes of a request line and headers together.
    max_head_size: ClassVar[int] = DEFAULTS.head_size
    #: Seconds for a request's line and headers to arrive.
    head_timeout: ClassVar[float] = DEFAULTS.head_timeout
    #: Seconds for a request's body to arrive after its head.
    body_timeout: ClassVar[float] = DEFAULTS.body_timeout

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
        self.limits = DEFAULTS
        self.num_proxies = 0

    def server_limits(self) -> ServerLimits:
        """Return this worker's bounds, from gunicorn's settings and Django's.

        Returns:
            The limits the protocol applies.
        """
        return ServerLimits(
            request_line=self.cfg.limit_request_line,
            fields=self.cfg.limit_request_fields,
            field_size=self.cfg.limit_request_field_size,
            head_size=self.max_head_size,
            body_size=body_limit(),
            head_timeout=self.head_timeout,
            body_timeout=self.body_timeout,
            connections=self.cfg.worker_connections,
        )

    def load_wsgi(self) -> None:
        """Load the application, then set the bounds and the proxy trust it asks for."""
        super().load_wsgi()
        self.limits = self.server_limits()
        self.config.http = bounded_protocol(self.limits)
        self.num_proxies = proxy_count()
        if self.num_proxies:
            self.wsgi = ForwardedFor(self.wsgi, num_proxies=self.num_proxies)
