"""The access log: one record per request, written by ``RequestIDMiddleware``.

Records go to the ``django_strict_core.access`` logger with ``method``, ``path``,
``status``, ``duration_ms``, ``client_ip`` (the client's address behind the trusted
proxies, see :mod:`django_strict_core.proxies`), ``user_id`` (when an authenticated
user was already resolved) and ``request_id``. Streaming responses are recorded when their stream ends.

Health probes (requests that reached the library's probe views, wherever the project
mounts them) and the exact paths of ``STRICT_CORE_ACCESS_LOG_SKIP_PATHS`` leave no
record; ``STRICT_CORE_ACCESS_LOG_PROBES = True`` records probes too.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils.functional import LazyObject, empty

from django_strict_core.app_settings import app_settings
from django_strict_core.healthcheck.routes import PROBE_ATTRIBUTE
from django_strict_core.log.config import ACCESS_LOGGER
from django_strict_core.proxies import request_client

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable

    from django.http import HttpRequest
    from django.http.response import HttpResponseBase

access_logger = logging.getLogger(ACCESS_LOGGER)


def is_recorded(request: HttpRequest) -> bool:
    """Whether a request gets an access record.

    Returns:
        ``False`` when the access logger is off for ``INFO``, for an exact path of
        ``STRICT_CORE_ACCESS_LOG_SKIP_PATHS``, and for a health probe unless
        ``STRICT_CORE_ACCESS_LOG_PROBES`` is on.
    """
    if not access_logger.isEnabledFor(logging.INFO):
        return False
    if request.path in app_settings.STRICT_CORE_ACCESS_LOG_SKIP_PATHS:
        return False
    match = request.resolver_match
    return (
        match is None
        or not getattr(match.func, PROBE_ATTRIBUTE, False)
        or app_settings.STRICT_CORE_ACCESS_LOG_PROBES
    )


def record_access(
    request: HttpRequest, response: HttpResponseBase, request_id: str, started: float
) -> None:
    """Write the access record now, or when a streaming response has been read."""
    if isinstance(response, StreamingHttpResponse) and not (
        isinstance(response, FileResponse) and response.file_to_stream is not None
    ):
        # A file is handed to the server (sendfile under WSGI): it is recorded
        # now. Other streams are recorded when their last chunk has been read.
        def log_access() -> None:
            _log_access(request, response, request_id, started)

        content = response.streaming_content
        response.streaming_content = (
            _SyncStreamRecorder(content, log_access)
            if isinstance(content, Iterator)
            else _after_async(content, log_access)
        )
        return
    _log_access(request, response, request_id, started)


def resolved_user_id(request: HttpRequest) -> str | None:
    """Return the authenticated user's primary key, if the request resolved one.

    Only a user that authentication already loaded is read: the lazy
    ``request.user`` of ``AuthenticationMiddleware`` is not evaluated, so writing
    the access record never costs a session or database query.

    Returns:
        The user's ``pk`` as a string, or ``None`` for anonymous or unresolved users.
    """
    attributes = request.__dict__
    user: Any = attributes.get("user")
    if isinstance(user, LazyObject):
        wrapped = user._wrapped
        user = None if wrapped is empty else wrapped
    if user is None:
        user = attributes.get("_acached_user")
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return str(user.pk)


def _log_access(
    request: HttpRequest, response: HttpResponseBase, request_id: str, started: float
) -> None:
    """Write the access record of one request."""
    duration_ms = round((time.perf_counter() - started) * 1000, 3)
    method = request.method or ""
    path = request.path
    fields: dict[str, Any] = {
        "method": method,
        "path": path,
        "status": response.status_code,
        "duration_ms": duration_ms,
        "request_id": request_id,
    }
    client_ip = request_client(request.META)
    if client_ip is not None:
        fields["client_ip"] = client_ip
    user_id = resolved_user_id(request)
    if user_id is not None:
        fields["user_id"] = user_id
    if app_settings.STRICT_CORE_ACCESS_LOG_QUERY_STRING:
        query = request.META.get("QUERY_STRING", "")
        if query:
            fields["query"] = query
    # Built directly: the caller's file and line, which logging would look up by
    # walking the stack, say nothing about a request.
    record = access_logger.makeRecord(
        ACCESS_LOGGER,
        logging.INFO,
        __file__,
        0,
        "%s %s %s",
        # Control characters decoded from the URL stay escaped in the message.
        (method, path.encode("unicode_escape").decode("ascii"), response.status_code),
        None,
        extra=fields,
    )
    access_logger.handle(record)


class _SyncStreamRecorder:
    """Iterate a sync stream; call ``done`` once when it ends, fails or is closed.

    Django registers :meth:`close` with the response, and WSGI servers close every
    response, so the record is written even when the client goes away early.
    """

    def __init__(self, content: Iterator[bytes], done: Callable[[], None]) -> None:
        self._content = content
        self._done: Callable[[], None] | None = done

    def __iter__(self) -> _SyncStreamRecorder:
        return self

    def __next__(self) -> bytes:
        try:
            return next(self._content)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Call ``done`` unless it was already called."""
        done, self._done = self._done, None
        if done is not None:
            done()


async def _after_async(
    content: AsyncIterator[bytes], done: Callable[[], None]
) -> AsyncIterator[bytes]:
    """Yield an async stream, then call ``done`` (also when the reader stops early)."""
    try:
        async for chunk in content:
            yield chunk
    finally:
        done()
