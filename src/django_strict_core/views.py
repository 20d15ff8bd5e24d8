"""Error views for ``handler400/403/404/500`` and ``CSRF_FAILURE_VIEW``.

Under the API path prefixes (``STRICT_CORE_API_PREFIXES``, default ``["/api/"]``) they
answer with the error envelope; everywhere else they keep Django's HTML pages. Wire
them in the project's root ``urls.py``::

    handler400 = "django_strict_core.views.bad_request"
    handler403 = "django_strict_core.views.permission_denied"
    handler404 = "django_strict_core.views.page_not_found"
    handler500 = "django_strict_core.views.server_error"
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.views import csrf, defaults
from rest_framework import exceptions

from django_strict_core.exceptions.handler import MalformedRequest, RequestTooLarge
from django_strict_core.exceptions.payloads import error_type_for, single_error

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

DEFAULT_API_PREFIXES = ("/api/",)


def is_api_request(request: HttpRequest) -> bool:
    """Return whether a request's path is under one of the API prefixes.

    The prefixes come from ``settings.STRICT_CORE_API_PREFIXES`` (read on each
    call) and are matched against ``request.path_info``, the path below the
    script prefix.

    Args:
        request: The request being answered.

    Returns:
        Whether the request should get a JSON envelope.
    """
    prefixes = getattr(settings, "STRICT_CORE_API_PREFIXES", DEFAULT_API_PREFIXES)
    return request.path_info.startswith(tuple(prefixes))


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler400``: ``client_error`` / ``bad_request`` under the API prefixes.

    A body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` gets 413 ``request_too_large``
    instead, as from the exception handler.

    Args:
        request: The request being answered.
        exception: The exception Django caught; never shown to the client.

    Returns:
        The envelope response, or Django's page outside the API prefixes.
    """
    if not is_api_request(request):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        return _envelope_response(RequestTooLarge)
    return _envelope_response(MalformedRequest)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler403``: ``client_error`` / ``permission_denied`` under the API prefixes.

    Args:
        request: The request being answered.
        exception: The exception Django caught; never shown to the client.

    Returns:
        The envelope response, or Django's page outside the API prefixes.
    """
    if not is_api_request(request):
        return defaults.permission_denied(request, exception)
    return _envelope_response(exceptions.PermissionDenied)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler404``: ``client_error`` / ``not_found`` under the API prefixes.

    Args:
        request: The request being answered.
        exception: The exception Django caught; never shown to the client.

    Returns:
        The envelope response, or Django's page outside the API prefixes.
    """
    if not is_api_request(request):
        return defaults.page_not_found(request, exception)
    return _envelope_response(exceptions.NotFound)


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: ``server_error`` / ``error`` with a generic detail.

    Django has already logged the exception and sent ``got_request_exception``.

    Args:
        request: The request being answered.

    Returns:
        The envelope response, or Django's page outside the API prefixes.
    """
    if not is_api_request(request):
        return defaults.server_error(request)
    return _envelope_response(exceptions.APIException)


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
