"""The project's own subclasses, one per documented extension point."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.db import IntegrityError
from rest_framework import exceptions, status

from django_strict_core.exceptions import ExceptionHandler
from django_strict_core.healthcheck import HealthCheckMiddleware
from django_strict_core.middleware import RequestIDMiddleware
from django_strict_core.openapi import AutoSchema, ErrorResponse
from django_strict_core.pagination import StandardPagination
from django_strict_core.parsers import JSONParser
from django_strict_core.permissions import IsOwnerOrStaff, ReadOnly
from django_strict_core.throttling import AtomicRateThrottle

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class Conflict(exceptions.APIException):
    """A write that lost a race."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = "The resource was changed by another request."


class ShopExceptionHandler(ExceptionHandler):
    """Answers integrity errors with 409 ``conflict`` and documents it."""

    documented_errors: ClassVar[tuple[ErrorResponse, ...]] = (
        ErrorResponse(
            409,
            ("conflict",),
            "The resource was changed by another request.",
            "The request conflicts with the resource's current state.",
            methods=WRITES,
        ),
        ErrorResponse(404, ("gone",), "Gone.", "The resource no longer exists."),
    )

    def convert_exception(self) -> exceptions.APIException:
        """Turn an ``IntegrityError`` into a conflict."""
        if isinstance(self.exc, IntegrityError):
            return Conflict()
        return super().convert_exception()


class ProjectSchema(AutoSchema):
    """Documents the 503 of views that call an upstream service."""

    def get_error_responses(self, operation: dict[str, Any]) -> dict[str, Any]:
        """Add 503 where the view says it has an upstream."""
        responses = super().get_error_responses(operation)
        if getattr(self.view, "has_upstream", False):
            responses["503"] = {"description": "The upstream service is down."}
        return responses


class LargePages(StandardPagination):
    """Pages selected with ``?p=``, up to 500 rows."""

    page_query_param = "p"
    max_page_size = 500


class BurstThrottle(AtomicRateThrottle):
    """The project's own scope, keyed on the ``client`` query parameter."""

    scope = "burst"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        """Key on the client named in the query string; none, no throttling."""
        client = request.query_params.get("client")
        return f"extended-burst-{client}" if client else None


class PublicReads(ReadOnly):
    """The library's read-only permission, under the project's name."""


class IsAuthorOrStaff(IsOwnerOrStaff):
    """Owners are authors."""

    owner_field = "author"


class ProjectJSONParser(JSONParser):
    """The library's JSON parser for the project's vendor media type."""

    media_type = "application/vnd.shop+json"


class ProjectRequestIDMiddleware(RequestIDMiddleware):
    """The library's request-id middleware under the project's path."""


class ProjectHealthCheckMiddleware(HealthCheckMiddleware):
    """The library's probe middleware under the project's path."""
