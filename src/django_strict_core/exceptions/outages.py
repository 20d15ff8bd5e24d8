"""Connection-level failures of the database and the cache: a 503, not a 500.

A request that fails because PostgreSQL refuses connections, or Redis stops
answering, has nothing wrong with it: the same request succeeds once the backend is
back. It is answered ``503`` with ``Retry-After`` (``service_unavailable``), so
clients, load balancers and retry policies treat it as the outage it is, while a bug
stays a ``500``. The health check says the same at the same time.

What counts as connection-level:

- the database: Django's ``InterfaceError`` (the connection is closed or lost), and
  its ``OperationalError`` when the driver's error says the connection failed:
  PostgreSQL errors raised by the client itself (no ``SQLSTATE``: refused,
  unreachable, timed out, closed during a query, a pool out of connections), class
  ``08`` (connection exception), ``57P01``-``57P03`` (the server shutting down or
  starting) and ``53300`` (too many connections); MySQL's "can't connect", "server
  has gone away", "lost connection" and "too many connections". A failing query
  (a deadlock, a statement timeout, a constraint) stays a ``500``.
- the cache: redis-py's ``ConnectionError`` and ``TimeoutError``, raised by Django's
  Redis cache directly or wrapped by django-redis. A cache failure the project
  tolerates (the throttles fail open) never reaches the error handler, so one that
  does was needed by the request.
"""

from __future__ import annotations

from typing import Final, Literal

import redis.exceptions
from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status

from django_strict_core.app_settings import app_settings

Backend = Literal["database", "cache"]

# PostgreSQL SQLSTATEs that mean the connection, not the query, failed.
_POSTGRES_CONNECTION_STATES: Final = frozenset({"57P01", "57P02", "57P03", "53300"})
_POSTGRES_CONNECTION_CLASS: Final = "08"
# MySQL client and server errors of the same kind: too many connections, server
# shutdown, can't connect (socket, TCP, unknown host), gone away, lost, reading.
_MYSQL_CONNECTION_ERRORS: Final = frozenset(
    {1040, 1053, 2002, 2003, 2005, 2006, 2013, 2055}
)
_REDIS_CONNECTION_ERRORS: Final = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
)
_MISSING: Final = object()


class ServiceUnavailable(exceptions.APIException):
    """A backend the request needs is unreachable: ``503`` with ``Retry-After``.

    Raised for the connection failures this module recognises; a view may raise it
    too, for a backend of its own.

    Attributes:
        wait: Seconds for ``Retry-After``; ``STRICT_CORE_UNAVAILABLE_RETRY_AFTER``
            unless given.
    """

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = _("The service is temporarily unavailable. Try again later.")
    default_code = "service_unavailable"

    def __init__(
        self,
        detail: str | None = None,
        code: str | None = None,
        *,
        wait: int | None = None,
    ) -> None:
        """Create the failure.

        Args:
            detail: The message; the generic one by default.
            code: The code; ``service_unavailable`` by default.
            wait: Seconds for ``Retry-After``.
        """
        super().__init__(detail, code)
        self.wait = (
            wait
            if wait is not None
            else app_settings.STRICT_CORE_UNAVAILABLE_RETRY_AFTER
        )


def failed_backend(exc: BaseException | None) -> Backend | None:
    """Return which backend's connection an exception reports failing, if any.

    The exception and its causes are searched, so a driver error wrapped by Django
    or django-redis is found underneath.

    Args:
        exc: The exception a request ended with.

    Returns:
        ``"database"`` or ``"cache"`` for a connection-level failure, else ``None``.
    """
    seen: list[BaseException] = []
    current = exc
    while current is not None and not any(current is e for e in seen):
        seen.append(current)
        if isinstance(current, _REDIS_CONNECTION_ERRORS):
            return "cache"
        if isinstance(current, InterfaceError) or (
            isinstance(current, OperationalError) and _lost_connection(current)
        ):
            return "database"
        current = current.__cause__ or current.__context__
    return None


def _lost_connection(exc: OperationalError) -> bool:
    """Whether the driver error under Django's ``OperationalError`` is about the connection."""
    driver = exc.__cause__
    if driver is None:
        return False
    state = getattr(driver, "sqlstate", _MISSING)  # psycopg 3
    if state is _MISSING:
        state = getattr(driver, "pgcode", _MISSING)  # psycopg2
    if state is not _MISSING:
        return (
            state is None
            or str(state).startswith(_POSTGRES_CONNECTION_CLASS)
            or state in _POSTGRES_CONNECTION_STATES
        )
    code = driver.args[0] if driver.args else None
    return isinstance(code, int) and code in _MYSQL_CONNECTION_ERRORS
