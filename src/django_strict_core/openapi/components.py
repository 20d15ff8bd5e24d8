"""The error envelope as OpenAPI components: the fixed error responses and schemas."""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable

Schema = dict[str, Any]

INDEX = r"\d+"
"""Stands for a list index in an ``attr`` path."""

KEY = r".*"
"""Stands for a dict key in an ``attr`` path."""

TYPE_ENUMS = {
    "ValidationErrorTypeEnum": "validation_error",
    "ClientErrorTypeEnum": "client_error",
    "ServerErrorTypeEnum": "server_error",
}


@dataclasses.dataclass(frozen=True)
class ErrorResponse:
    """An error response whose envelope has fixed codes, as the schema documents it.

    The library's own are in :data:`STATIC_ERRORS`. An ``ExceptionHandler`` subclass
    that answers with codes of its own lists them in its ``documented_errors``; the
    schema then adds them to every operation (or to those of ``methods``).

    Attributes:
        status: The HTTP status, e.g. ``409``.
        codes: The envelope codes this status can carry.
        example: The ``detail`` of the example body.
        description: The response's description.
        methods: The HTTP methods of the operations that can answer it; empty for
            every operation.
        component: The schema component's name; ``ErrorResponse<status>`` by default.
    """

    status: int
    codes: tuple[str, ...]
    example: str
    description: str
    methods: frozenset[str] = frozenset()
    component: str = ""

    @property
    def component_name(self) -> str:
        """The schema component's name."""
        return self.component or f"ErrorResponse{self.status}"

    @property
    def type_enum(self) -> str:
        """The component of its ``type`` enum: client or server error."""
        return "ServerErrorTypeEnum" if self.status >= 500 else "ClientErrorTypeEnum"  # noqa: PLR2004

    def applies_to(self, method: str) -> bool:
        """Whether an operation with this HTTP method can answer it.

        Returns:
            ``True`` when :attr:`methods` is empty or holds the method.
        """
        return not self.methods or method in self.methods


STATIC_ERRORS: dict[str, ErrorResponse] = {
    "400": ErrorResponse(
        400,
        ("parse_error", "bad_request"),
        "JSON parse error - Expecting value: line 1 column 1 (char 0)",
        "The request could not be parsed: its body, query string or headers.",
        component="ClientErrorResponse400",
    ),
    "401": ErrorResponse(
        401,
        ("not_authenticated", "authentication_failed"),
        "Authentication credentials were not provided.",
        "Authentication is required or the credentials are invalid.",
    ),
    "403": ErrorResponse(
        403,
        ("permission_denied", "not_authenticated", "authentication_failed"),
        "You do not have permission to perform this action.",
        "The request is not allowed.",
    ),
    "404": ErrorResponse(
        404,
        ("not_found",),
        "Not found.",
        "The resource or page does not exist.",
    ),
    "405": ErrorResponse(
        405,
        ("method_not_allowed",),
        'Method "PUT" not allowed.',
        "The path does not answer this method (the server reached does not offer "
        "the operation); the Allow header lists the methods it answers.",
    ),
    "406": ErrorResponse(
        406,
        ("not_acceptable",),
        "Could not satisfy the request Accept header.",
        "The Accept header names no media type the API answers with.",
    ),
    "408": ErrorResponse(
        408,
        ("request_timeout",),
        "Request Timeout.",
        "The request's head or body did not arrive in time (the server's limit).",
    ),
    "413": ErrorResponse(
        413,
        ("request_too_large",),
        "Request body too large.",
        "The request body is over the size limit.",
    ),
    "415": ErrorResponse(
        415,
        ("unsupported_media_type",),
        'Unsupported media type "text/plain" in request.',
        "The body's Content-Type is not one the operation's request body lists.",
    ),
    "414": ErrorResponse(
        414,
        ("request_uri_too_long",),
        "Request-URI Too Long.",
        "The request line (path and query string) is over the server's limit.",
    ),
    "431": ErrorResponse(
        431,
        ("request_header_fields_too_large",),
        "Request Header Fields Too Large.",
        "The request's headers are over the server's limits (count or size).",
    ),
    "429": ErrorResponse(
        429,
        ("throttled",),
        "Request was throttled. Expected available in 30 seconds.",
        "Too many requests; retry after the given number of seconds.",
    ),
    "500": ErrorResponse(
        500,
        ("error",),
        "A server error occurred.",
        "An unexpected server error.",
    ),
    "503": ErrorResponse(
        503,
        ("service_unavailable",),
        "The service is temporarily unavailable. Try again later.",
        "A database or cache the request needs is unreachable; retry after the "
        "given number of seconds.",
    ),
}
"""The error responses the library documents, by status."""


def merged(
    status: str, base: ErrorResponse | None, extra: Iterable[ErrorResponse]
) -> ErrorResponse:
    """Return one status's response with the codes a handler adds to it.

    Returns:
        ``base`` with the extra codes appended, or the first extra response with
        the codes of all of them.
    """
    extra = list(extra)
    first = base or extra[0]
    codes = dict.fromkeys((*first.codes, *(c for e in extra for c in e.codes)))
    return dataclasses.replace(first, status=int(status), codes=tuple(codes))


def envelope_schema(type_ref: Schema, *, code: Schema, attr: Schema) -> Schema:
    """Return the schema of an envelope whose errors have the given code and attr.

    Args:
        type_ref: A reference to the ``type`` enum.
        code: The schema of ``errors[].code``.
        attr: The schema of ``errors[].attr``.

    Returns:
        An object schema.
    """
    return {
        "type": "object",
        "properties": {
            "type": type_ref,
            "errors": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "properties": {
                        "code": code,
                        "detail": {"type": "string"},
                        "attr": attr,
                    },
                    "required": ["code", "detail", "attr"],
                },
            },
        },
        "required": ["type", "errors"],
    }


def attr_schema(attrs: Iterable[tuple[str, ...]]) -> Schema:
    """Return the schema of ``attr`` for a set of input paths.

    Static paths become an ``enum``; paths with list indices or dict keys become a
    ``pattern``.

    Args:
        attrs: Paths as tuples of segments; :data:`INDEX` and :data:`KEY` stand for
            a list index and a dict key.

    Returns:
        A string schema; ``null``, which ``attr`` may also be, is added by the caller
        (:class:`~django_strict_core.openapi.AutoSchema` puts an enum in a component
        of its own, beside the null enum, so that client generators make one enum
        class of it).
    """
    paths = list(dict.fromkeys(attrs))
    if not any(segment in (INDEX, KEY) for path in paths for segment in path):
        return {"type": "string", "enum": [".".join(path) for path in paths]}
    alternatives = "|".join(
        r"\.".join(
            segment if segment in (INDEX, KEY) else re.escape(segment)
            for segment in path
        )
        for path in paths
    )
    return {"type": "string", "pattern": f"^(?:{alternatives})$"}


def camel_case(value: str) -> str:
    """Return ``value`` in CamelCase: ``widgets_create`` -> ``WidgetsCreate``."""
    return "".join(
        part[:1].upper() + part[1:] for part in re.split(r"[^0-9A-Za-z]+", value)
    )
