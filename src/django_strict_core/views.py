"""Error views for ``handler400/403/404/500`` and ``CSRF_FAILURE_VIEW``.

Under the API path prefixes (``STRICT_CORE_API_PREFIXES``, default ``["/api/"]``) they
answer with the error envelope; everywhere else they keep Django's HTML pages. Wire
them in the project's root ``urls.py``::

    handler400 = "django_strict_core.views.bad_request"
    handler403 = "django_strict_core.views.permission_denied"
    handler404 = "django_strict_core.views.page_not_found"
    handler500 = "django_strict_core.views.server_error"

Django calls them only while ``DEBUG`` is off; with it on,
:class:`~django_strict_core.debug.DebugEnvelopeMiddleware` answers API paths with
the same views (:func:`error_view_for` picks one for an exception).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import (
    BadRequest,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.http import Http404, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.views import csrf, defaults
from rest_framework import exceptions

from django_strict_core.app_settings import app_settings
from django_strict_core.exceptions.handler import (
    MalformedRequest,
    RequestTooLarge,
    _qualified_name,
)
from django_strict_core.exceptions.outages import ServiceUnavailable, failed_backend
from django_strict_core.exceptions.payloads import error_type_for, single_error

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from django.http import HttpRequest, HttpResponse

__all__ = [
    "ErrorView",
    "ServerErrorView",
    "bad_request",
    "csrf_failure",
    "error_view_for",
    "is_api_request",
    "page_not_found",
    "permission_denied",
    "server_error",
]


def is_api_request(request: HttpRequest) -> bool:
    """Return whether a request's path is under one of the API prefixes.

    The prefixes are ``STRICT_CORE_API_PREFIXES``, matched against
    ``request.path_info``, the path below the script prefix.

    Returns:
        Whether the request should get a JSON envelope.
    """
    return request.path_info.startswith(app_settings.STRICT_CORE_API_PREFIXES)


@dataclass(frozen=True, eq=False)
class ErrorView:
    """One of Django's error handlers, answering API paths with the envelope.

    Called as Django calls its handlers: with the request and the exception it
    caught, or the request alone for ``handler500``. The exception is never shown to
    the client, except under ``DEBUG`` for a 5xx, whose detail then names it
    (``<Class>: <message>``, never a traceback), as the DRF exception handler does.

    Attributes:
        django_view: Django's own view, used outside the API prefixes.
        error: The DRF exception whose status, code and detail the envelope carries.
        refined: Exceptions Django caught that get another DRF exception instead.
    """

    django_view: Callable[..., HttpResponse]
    error: type[exceptions.APIException]
    refined: Mapping[type[Exception], type[exceptions.APIException]] = field(
        default_factory=dict
    )

    def __call__(
        self, request: HttpRequest, exception: Exception | None = None
    ) -> HttpResponse:
        """Answer the request.

        Args:
            request: The request being answered.
            exception: The exception Django caught; none for ``handler500``.

        Returns:
            The envelope response, or Django's page outside the API prefixes.
        """
        if not is_api_request(request):
            if exception is None:
                return self.django_view(request)
            return self.django_view(request, exception)
        error = next(
            (api for cls, api in self.refined.items() if isinstance(exception, cls)),
            self.error,
        )
        detail = None
        if exception is not None and error.status_code >= 500 and settings.DEBUG:  # noqa: PLR2004
            detail = f"{_qualified_name(exception)}: {exception}"
        return _envelope_response(error, detail)


bad_request = ErrorView(
    defaults.bad_request, MalformedRequest, {RequestDataTooBig: RequestTooLarge}
)
"""``handler400``: ``bad_request``; a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is 413."""

permission_denied = ErrorView(defaults.permission_denied, exceptions.PermissionDenied)
"""``handler403``: ``client_error`` / ``permission_denied``."""

page_not_found = ErrorView(defaults.page_not_found, exceptions.NotFound)
"""``handler404``: ``client_error`` / ``not_found``."""


@dataclass(frozen=True, eq=False)
class ServerErrorView(ErrorView):
    """``handler500``, answering an unreachable database or cache with 503.

    Django calls it while handling the exception (in the thread it handles it in,
    under ASGI too), so the exception is ``sys.exc_info()``'s, unless the caller
    passes it. When it is a connection-level failure of a backend
    (:func:`~django_strict_core.exceptions.failed_backend`), e.g. the session
    middleware finding the database or Redis gone, an API path gets
    ``503 service_unavailable`` with ``Retry-After``.
    """

    def __call__(
        self, request: HttpRequest, exception: Exception | None = None
    ) -> HttpResponse:
        """Answer the request.

        Args:
            request: The request being answered.
            exception: The exception caught, when the caller has it at hand.

        Returns:
            The envelope response, or Django's page outside the API prefixes.
        """
        caught = exception if exception is not None else sys.exc_info()[1]
        if (
            not is_api_request(request)
            or not isinstance(caught, Exception)
            or failed_backend(caught) is None
        ):
            return super().__call__(request, exception)
        detail = f"{_qualified_name(caught)}: {caught}" if settings.DEBUG else None
        response = _envelope_response(ServiceUnavailable, detail)
        response["Retry-After"] = str(ServiceUnavailable().wait)
        return response


server_error = ServerErrorView(defaults.server_error, exceptions.APIException)
"""``handler500``: ``server_error`` / ``error`` with a generic detail, or
``service_unavailable`` (503) when a backend's connection failed.

Django has already sent ``got_request_exception`` and logs the exception with the
response."""


def error_view_for(exception: BaseException) -> ErrorView:
    """Return the error view Django would call for an exception it caught.

    The same choice as Django's own: ``Http404`` is ``handler404``,
    ``PermissionDenied`` ``handler403``, ``BadRequest``, ``SuspiciousOperation`` and
    a malformed multipart body ``handler400``, anything else ``handler500``.

    Args:
        exception: The exception a view or middleware raised.

    Returns:
        One of :data:`bad_request`, :data:`permission_denied`,
        :data:`page_not_found` and :data:`server_error`.
    """
    if isinstance(exception, Http404):
        return page_not_found
    if isinstance(exception, PermissionDenied):
        return permission_denied
    if isinstance(exception, (BadRequest, SuspiciousOperation, MultiPartParserError)):
        return bad_request
    return server_error


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: 403 ``permission_denied`` under the API prefixes.

    The detail reads like DRF's own CSRF failure (``CSRF Failed: <reason>``), so a
    client sees the same error from a plain Django view and from a DRF view with
    session authentication.

    Args:
        request: The request being refused.
        reason: Django's short reason (one of the ``REASON_*`` constants).

    Returns:
        The envelope response, or Django's page outside the API prefixes.
    """
    if not is_api_request(request):
        return csrf.csrf_failure(request, reason=reason)
    return _envelope_response(
        exceptions.PermissionDenied, detail=f"CSRF Failed: {reason}"
    )


def _envelope_response(
    exception_class: type[exceptions.APIException], detail: str | None = None
) -> JsonResponse:
    """Return the envelope of an exception class's default code and detail."""
    status_code = exception_class.status_code
    envelope = single_error(
        error_type_for(status_code, validation=False),
        str(exception_class.default_code),
        detail if detail is not None else str(exception_class.default_detail),
    )
    return JsonResponse(envelope, status=status_code)
