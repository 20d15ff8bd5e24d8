"""``RequestIDMiddleware``: a request id for every request, and its access record.

Put it first in ``MIDDLEWARE`` (``build_settings`` does) so that its id covers the
whole request and its duration includes every other middleware. The access record
itself is written by :mod:`django_strict_core.log.access`.
"""

from __future__ import annotations

import re
import secrets
import time
from typing import TYPE_CHECKING, Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.core.signals import request_finished

from django_strict_core.app_settings import app_settings
from django_strict_core.log.access import is_recorded, record_access, resolved_user_id
from django_strict_core.log.context import request_id_var

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from django.http import HttpRequest
    from django.http.response import HttpResponseBase

__all__ = [
    "REQUEST_ID_HEADER",
    "RequestIDMiddleware",
    "clean_request_id",
    "forget_request_id",
    "new_request_id",
    "resolved_user_id",
]

REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID_META_KEY = "HTTP_X_REQUEST_ID"
REQUEST_ID_MAX_LENGTH = 128
# Letters, digits and the punctuation of UUIDs, base64 and common tracing ids; no
# spaces, quotes, separators or control characters.
_WELL_FORMED = re.compile(rf"[A-Za-z0-9._:+/=@-]{{1,{REQUEST_ID_MAX_LENGTH}}}")


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


def forget_request_id(**_kwargs: Any) -> None:
    """Clear the request id once the response is closed (``request_finished``).

    Under WSGI a thread serves one request after another; clearing the id keeps
    lines written between two requests from carrying the previous one. Lines
    written after the middleware returns but before the response is closed, such
    as Django's ``Not Found`` warnings, still carry it.
    """
    request_id_var.set(None)


class RequestIDMiddleware:
    """Give each request an id, return it as ``X-Request-ID`` and log its access.

    The id is the incoming ``X-Request-ID`` when it is well formed (see
    :func:`clean_request_id`) and ``STRICT_CORE_TRUST_REQUEST_ID`` is true;
    otherwise a new one. It is stored in a context variable at the start of every
    request, so every log record written while serving it carries the id, in async
    code and in ``sync_to_async`` threads alike, until the response is closed.

    One record per request goes to the ``django_strict_core.access`` logger (see
    :mod:`django_strict_core.log.access`). Settings, read through
    :data:`~django_strict_core.app_settings.app_settings`:

    - ``STRICT_CORE_ACCESS_LOG_PROBES``: record health probes too; default false.
    - ``STRICT_CORE_ACCESS_LOG_SKIP_PATHS``: exact paths without an access record;
      default none.
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
        """Wrap the next handler, in the same (sync or async) mode."""
        self.get_response = get_response
        self.async_mode = iscoroutinefunction(get_response)
        request_finished.connect(forget_request_id, dispatch_uid=__name__)
        if self.async_mode:
            markcoroutinefunction(self)

    def __call__(
        self, request: HttpRequest
    ) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        """Serve a request synchronously, or return the coroutine in async mode."""
        if self.async_mode:
            return self.__acall__(request)
        request_id, started = self._start(request)
        response: Any = self.get_response(request)
        return self._finish(request, response, request_id, started)

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        """Serve a request asynchronously."""
        request_id, started = self._start(request)
        response: Any = await self.get_response(request)  # type: ignore[misc]
        return self._finish(request, response, request_id, started)

    def _start(self, request: HttpRequest) -> tuple[str, float]:
        """Choose the request's id and set it in the context, replacing any other."""
        incoming = (
            clean_request_id(request.META.get(REQUEST_ID_META_KEY))
            if app_settings.STRICT_CORE_TRUST_REQUEST_ID
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
        if is_recorded(request):
            record_access(request, response, request_id, started)
        return response
