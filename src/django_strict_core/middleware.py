"""``RequestIDMiddleware``: a request id for every request, and its access record.

Put it first in ``MIDDLEWARE`` (``build_settings`` does) so that its id covers the
whole request and its duration includes every other middleware.
"""

from __future__ import annotations

import functools
import logging
import re
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.core.signals import request_finished, setting_changed
from django.http import FileResponse, StreamingHttpResponse
from django.utils.functional import LazyObject, empty

from django_strict_core.log.config import ACCESS_LOGGER
from django_strict_core.log.context import request_id_var
from django_strict_core.proxies import request_client

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable

    from django.http import HttpRequest
    from django.http.response import HttpResponseBase

REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID_META_KEY = "HTTP_X_REQUEST_ID"
REQUEST_ID_MAX_LENGTH = 128
# Letters, digits and the punctuation of UUIDs, base64 and common tracing ids; no
# spaces, quotes, separators or control characters.
_WELL_FORMED = re.compile(rf"[A-Za-z0-9._:+/=@-]{{1,{REQUEST_ID_MAX_LENGTH}}}")

DEFAULT_SKIP_PATHS = ("/api/health/",)

access_logger = logging.getLogger(ACCESS_LOGGER)


def clean_request_id(value: str | None) -> str | None:
    """Return ``value`` if it is a well-formed request id, else ``None``.

    Well formed: 1 to 128 characters, each an ASCII letter, a digit or one of
    ``. _ : + / = @ -``.

    Args:
        value: The raw ``X-Request-ID`` header value, if any.

    Returns:
        The value unchanged, or ``None`` when it must be replaced.
    """
    if value is None or len(value) > REQUEST_ID_MAX_LENGTH:
        return None
    return value if _WELL_FORMED.fullmatch(value) else None


def new_request_id() -> str:
    """Return a fresh request id: 128 random bits as 32 hexadecimal digits.

    Returns:
        The new id.
    """
    return secrets.token_hex(16)


@dataclass(frozen=True)
class Options:
    """The middleware's settings.

    Attributes:
        trust_request_id: ``STRICT_CORE_TRUST_REQUEST_ID``, default true.
        skip_paths: ``STRICT_CORE_ACCESS_LOG_SKIP_PATHS``, default
            ``("/api/health/",)``.
        query_string: ``STRICT_CORE_ACCESS_LOG_QUERY_STRING``, default false.
    """

    trust_request_id: bool
    skip_paths: tuple[str, ...]
    query_string: bool


@functools.cache
def options() -> Options:
    """Return the middleware's settings, read once and again after any change.

    Returns:
        The current options; ``override_settings`` and any other sender of
        ``setting_changed`` for a ``STRICT_CORE_`` setting refreshes them.
    """
    return Options(
        trust_request_id=bool(getattr(settings, "STRICT_CORE_TRUST_REQUEST_ID", True)),
        skip_paths=tuple(
            getattr(settings, "STRICT_CORE_ACCESS_LOG_SKIP_PATHS", DEFAULT_SKIP_PATHS)
        ),
        query_string=bool(
            getattr(settings, "STRICT_CORE_ACCESS_LOG_QUERY_STRING", False)
        ),
    )


def _settings_changed(*, setting: str, **_kwargs: Any) -> None:
    """Forget cached options when a ``STRICT_CORE_`` setting changes."""
    if setting.startswith("STRICT_CORE_"):
        options.cache_clear()


setting_changed.connect(_settings_changed, dispatch_uid=f"{__name__}.options")


def resolved_user_id(request: HttpRequest) -> str | None:
    """Return the authenticated user's primary key, if the request resolved one.

    Only a user that authentication already loaded is read: the lazy
    ``request.user`` of ``AuthenticationMiddleware`` is not evaluated, so writing
    the access record never costs a session or database query.

    Args:
        request: The request that was served.

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


def forget_request_id(**_kwargs: Any) -> None:
    """Clear the request id once the response is closed (``request_finished``).

    Under WSGI a thread serves one request after another; clearing the id keeps
    lines written between two requests from carrying the previous one. Lines
    written after the middleware returns but before the response is closed, such
    as Django's ``Not Found`` warnings, still carry it.

    Args:
        **_kwargs: The signal's arguments, unused.
    """
    request_id_var.set(None)


class RequestIDMiddleware:
    """Give each request an id, return it as ``X-Request-ID`` and log its access.

    The id is the incoming ``X-Request-ID`` when it is well formed (see
    :func:`clean_request_id`) and ``STRICT_CORE_TRUST_REQUEST_ID`` is true;
    otherwise a new one. It is stored in a context variable at the start of every
    request, so every log record written while serving it carries the id, in async
    code and in ``sync_to_async`` threads alike, until the response is closed.

    One record per request goes to the ``django_strict_core.access`` logger with
    ``method``, ``path``, ``status``, ``duration_ms``, ``client_ip`` (the client's
    address behind the trusted proxies, see :mod:`django_strict_core.proxies`),
    ``user_id`` (when an authenticated user was already resolved) and
    ``request_id``. Streaming
    responses are recorded when their stream ends. Settings (read when first
    needed and again after ``setting_changed``, which ``override_settings`` sends):

    - ``STRICT_CORE_ACCESS_LOG_SKIP_PATHS``: path prefixes without an access
      record; default ``("/api/health/",)``.
    - ``STRICT_CORE_ACCESS_LOG_QUERY_STRING``: add the raw ``query``; default false.
    - ``STRICT_CORE_TRUST_REQUEST_ID``: accept a well-formed incoming id; default true.
    """

    sync_capable = True
    async_capable = True

    def __init__(
        self,
        get_response: Callable[[HttpRequest], HttpResponseBase]
        | Callable[[HttpRequest], Awaitable[HttpResponseBase]],
    ) -> None:
        """Wrap the next handler, in the same (sync or async) mode.

        Args:
            get_response: The next middleware or the view handler.
        """
        self.get_response = get_response
        self.async_mode = iscoroutinefunction(get_response)
        request_finished.connect(forget_request_id, dispatch_uid=__name__)
        if self.async_mode:
            markcoroutinefunction(self)

    def __call__(
        self, request: HttpRequest
    ) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        """Serve a request synchronously, or return the coroutine in async mode.

        Args:
            request: The incoming request.

        Returns:
            The response, with ``X-Request-ID`` set.
        """
        if self.async_mode:
            return self.__acall__(request)
        request_id, started = self._start(request)
        response: Any = self.get_response(request)
        return self._finish(request, response, request_id, started)

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        """Serve a request asynchronously.

        Args:
            request: The incoming request.

        Returns:
            The response, with ``X-Request-ID`` set.
        """
        request_id, started = self._start(request)
        response: Any = await self.get_response(request)  # type: ignore[misc]
        return self._finish(request, response, request_id, started)

    def _start(self, request: HttpRequest) -> tuple[str, float]:
        """Choose the request's id and set it in the context, replacing any other."""
        incoming = (
            clean_request_id(request.META.get(REQUEST_ID_META_KEY))
            if options().trust_request_id
            else None
        )
        request_id = incoming or new_request_id()
        request_id_var.set(request_id)
        return request_id, time.perf_counter()

    def _finish(
        self,
        request: HttpRequest,
        response: HttpResponseBase,
        request_id: str,
        started: float,
    ) -> HttpResponseBase:
        """Set the header and write (or, for a stream, schedule) the access record."""
        response[REQUEST_ID_HEADER] = request_id
        if not access_logger.isEnabledFor(logging.INFO) or request.path.startswith(
            options().skip_paths
        ):
            return response
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
            return response
        _log_access(request, response, request_id, started)
        return response


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
    if options().query_string:
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
