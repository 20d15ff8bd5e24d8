"""The DRF exception handler: every API failure answers with the error envelope."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.core import signals
from django.core.exceptions import (
    BadRequest,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    ValidationError as DjangoValidationError,
)
from django.http import Http404
from django.utils.log import log_response
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.fields import get_error_detail
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import set_rollback

from django_strict_core.app_settings import app_settings
from django_strict_core.exceptions.flatten import flatten_errors
from django_strict_core.exceptions.outages import ServiceUnavailable, failed_backend
from django_strict_core.exceptions.payloads import error_type_for

if TYPE_CHECKING:
    from collections.abc import Mapping

    from django.http import HttpRequest

    from django_strict_core.exceptions.outages import Backend
    from django_strict_core.exceptions.payloads import ErrorEnvelope
    from django_strict_core.openapi.components import ErrorResponse


class MalformedRequest(exceptions.APIException):
    """A request Django refuses as a bad request (``BadRequest``, ``SuspiciousOperation``).

    The reason stays in the log: it may quote a header or a host name.
    """

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = _("Bad request.")
    default_code = "bad_request"


class RequestTooLarge(exceptions.APIException):
    """A request body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (Django's ``RequestDataTooBig``).

    Django answers it as a bad request (400); the status that tells a client what
    to change is 413, the one a proxy in front answers for the same reason.
    """

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("Request body too large.")
    default_code = "request_too_large"


# Django's exceptions that have a fixed, generic API counterpart. Their messages are
# not shown: Django's own error pages do not show them either.
DJANGO_EXCEPTIONS: tuple[
    tuple[tuple[type[Exception], ...], type[exceptions.APIException]], ...
] = (
    ((Http404,), exceptions.NotFound),
    ((PermissionDenied,), exceptions.PermissionDenied),
    ((RequestDataTooBig,), RequestTooLarge),
    ((BadRequest, SuspiciousOperation), MalformedRequest),
)


def exception_handler(exc: Exception, context: Mapping[str, Any]) -> Response | None:
    """DRF's ``EXCEPTION_HANDLER``: turn any exception into an error envelope response.

    ``build_settings`` points ``REST_FRAMEWORK["EXCEPTION_HANDLER"]`` here. The work is
    done by the class ``STRICT_CORE_EXCEPTION_HANDLER_CLASS`` names,
    :class:`ExceptionHandler` by default; to change one step, name a subclass of it
    there and keep this function as DRF's handler.

    Args:
        exc: The exception a DRF view raised.
        context: DRF's handler context (``view``, ``args``, ``kwargs``, ``request``).

    Returns:
        The response, or ``None`` to let an unhandled exception propagate when
        ``DEBUG_PROPAGATE_EXCEPTIONS`` is set.
    """
    return app_settings.STRICT_CORE_EXCEPTION_HANDLER_CLASS(exc, context).run()


class ExceptionHandler:
    """Turn one exception into an error envelope response, in named steps.

    Subclass it to change a step, and name the subclass in
    ``STRICT_CORE_EXCEPTION_HANDLER_CLASS``.

    Args:
        exc: The exception a DRF view raised.
        context: DRF's handler context.

    Attributes:
        is_unhandled: Whether the exception is a bug rather than an expected API
            failure; set by :meth:`convert_unhandled`.
        failed_backend: ``"database"`` or ``"cache"`` when the exception is a
            connection-level failure of one (answered 503); set by
            :meth:`convert_unhandled`.
        documented_errors: The error responses a subclass adds (statuses and codes
            of its own), as :class:`~django_strict_core.openapi.ErrorResponse`
            entries; the OpenAPI schema documents them on every operation, or on
            those of their ``methods``.
    """

    documented_errors: ClassVar[tuple[ErrorResponse, ...]] = ()

    def __init__(self, exc: Exception, context: Mapping[str, Any]) -> None:
        self.exc = exc
        self.context = context
        self.is_unhandled = False
        self.failed_backend: Backend | None = None

    def run(self) -> Response | None:
        """Handle the exception: convert, throttle, format, roll back, respond, report.

        Returns:
            The envelope response, or ``None`` to let the exception propagate.
        """
        api_exception = self.convert_exception()
        if self.should_propagate():
            return None
        api_exception = self.throttle_failed_authentication(api_exception)
        envelope = self.format_envelope(api_exception)
        self.set_rollback()
        response = self.get_response(api_exception, envelope)
        self.report(response)
        return response

    def should_propagate(self) -> bool:
        """Let unhandled exceptions through when ``DEBUG_PROPAGATE_EXCEPTIONS`` is set.

        Returns:
            Whether DRF should re-raise the exception instead of answering.
        """
        return self.is_unhandled and bool(settings.DEBUG_PROPAGATE_EXCEPTIONS)

    def convert_exception(self) -> exceptions.APIException:
        """Map Django's exceptions to DRF's; anything else is unhandled.

        Override it to map exceptions of your own, calling ``super()`` for the rest:
        whatever it returns without reaching :meth:`convert_unhandled` counts as
        handled (no traceback in the log, no ``got_request_exception``).

        Returns:
            The exception whose status, code and detail the response carries.
        """
        exc = self.exc
        if isinstance(exc, exceptions.APIException):
            return exc
        if isinstance(exc, DjangoValidationError):
            return exceptions.ValidationError(get_error_detail(exc))
        for django_classes, api_class in DJANGO_EXCEPTIONS:
            if isinstance(exc, django_classes):
                return api_class()
        return self.convert_unhandled()

    def convert_unhandled(self) -> exceptions.APIException:
        """Turn a bug into a 500 with a generic detail, and mark it unhandled.

        A connection-level failure of the database or the cache is no bug of the
        request's: it becomes a 503 ``service_unavailable`` with ``Retry-After``
        (:mod:`~django_strict_core.exceptions.outages`), reported all the same.

        Returns:
            A 500 ``APIException`` or a 503 ``ServiceUnavailable``; under ``DEBUG``
            its detail names the exception.
        """
        self.is_unhandled = True
        exc = self.exc
        detail = f"{_qualified_name(exc)}: {exc}" if settings.DEBUG else None
        self.failed_backend = failed_backend(exc)
        if self.failed_backend is not None:
            return ServiceUnavailable(detail)
        return exceptions.APIException(detail)

    def throttle_failed_authentication(
        self, exc: exceptions.APIException
    ) -> exceptions.APIException:
        """Throttle a request whose credentials failed like the anonymous one it is.

        DRF checks a view's throttles only after authentication succeeded, so a
        client trying made-up tokens (or passwords, with ``BasicAuthentication``)
        would never spend any budget. A failed authentication runs the view's
        throttles for the request, now anonymous: it costs what an anonymous
        request costs, and once that budget is spent the answer is 429 with
        ``Retry-After`` instead of 401. A view without throttles is left alone.

        Args:
            exc: The converted exception.

        Returns:
            ``exc``, or the ``Throttled`` exception of the view's throttles.
        """
        view = self.context.get("view")
        request = self.context.get("request")
        check_throttles = getattr(view, "check_throttles", None)
        if (
            not isinstance(exc, exceptions.AuthenticationFailed)
            or request is None
            or check_throttles is None
        ):
            return exc
        try:
            check_throttles(request)
        except exceptions.Throttled as throttled:
            return throttled
        return exc

    def format_envelope(self, exc: exceptions.APIException) -> ErrorEnvelope:
        """Return the envelope for an ``APIException``.

        Args:
            exc: The converted exception.

        Returns:
            The response body.
        """
        code = str(exc.default_code)
        errors = flatten_errors(
            exc.detail,
            default_code=code,
            non_field_errors_key=api_settings.NON_FIELD_ERRORS_KEY,
        )
        if not errors:
            errors = [{"code": code, "detail": str(exc.default_detail), "attr": None}]
        validation = isinstance(exc, exceptions.ValidationError)
        return {
            "type": error_type_for(exc.status_code, validation=validation),
            "errors": errors,
        }

    def set_rollback(self) -> None:
        """Mark the request's atomic blocks for rollback, as DRF's handler does."""
        set_rollback()

    def get_response(
        self, exc: exceptions.APIException, envelope: ErrorEnvelope
    ) -> Response:
        """Build the response, keeping ``WWW-Authenticate`` and ``Retry-After``.

        Args:
            exc: The converted exception.
            envelope: The response body.

        Returns:
            The DRF response.
        """
        headers: dict[str, str] = {}
        auth_header = getattr(exc, "auth_header", None)
        if auth_header:
            headers["WWW-Authenticate"] = str(auth_header)
        wait = getattr(exc, "wait", None)
        if wait:
            headers["Retry-After"] = str(int(wait))
        return Response(envelope, status=exc.status_code, headers=headers)

    def report(self, response: Response) -> None:
        """Report what Django would have reported had the exception reached it.

        Every server error (5xx: a bug, an unreachable backend, an ``APIException``
        with a 5xx status) is sent through ``got_request_exception`` (error
        trackers, the test client) and logged once with its traceback on
        ``django.request``, naming the backend when one failed; the response is
        marked as logged so that Django does not log it again. A
        ``SuspiciousOperation`` is logged on ``django.security.*``.

        Args:
            response: The response that will be sent.
        """
        request = self.django_request
        if response.status_code >= status.HTTP_500_INTERNAL_SERVER_ERROR:
            signals.got_request_exception.send(sender=None, request=request)
            message = "%s: %s"
            args = [response.reason_phrase, getattr(request, "path", "")]
            if self.failed_backend is not None:
                message += " (the %s is unreachable: %s)"
                args += [self.failed_backend, _qualified_name(self.exc)]
            log_response(
                message,
                *args,
                response=response,
                request=request,
                exception=self.exc,
            )
        elif isinstance(self.exc, SuspiciousOperation):
            log_response(
                str(self.exc),
                response=response,
                request=request,
                level="error",
                logger=logging.getLogger(f"django.security.{type(self.exc).__name__}"),
                exception=self.exc,
            )

    @property
    def django_request(self) -> HttpRequest | None:
        """The Django ``HttpRequest`` behind DRF's request, if there is one."""
        request = self.context.get("request")
        return getattr(request, "_request", request)


def _qualified_name(exc: Exception) -> str:
    """Return ``module.Class`` of an exception, or just ``Class`` for built-ins."""
    cls = type(exc)
    if cls.__module__ == "builtins":
        return cls.__qualname__
    return f"{cls.__module__}.{cls.__qualname__}"
