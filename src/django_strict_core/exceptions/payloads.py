"""The error envelope's payloads, as typed dictionaries.

Every API error answers with::

    {"type": "validation_error",
     "errors": [{"code": "required", "detail": "This field is required.", "attr": "email"}]}
"""

from __future__ import annotations

from typing import Literal, TypedDict

ErrorType = Literal["validation_error", "client_error", "server_error"]

VALIDATION_ERROR: ErrorType = "validation_error"
CLIENT_ERROR: ErrorType = "client_error"
SERVER_ERROR: ErrorType = "server_error"


class Error(TypedDict):
    """One error of an envelope.

    Attributes:
        code: A stable, machine-readable code (``required``, ``not_found``, ``error``).
        detail: A human-readable message, translated to the request's language.
        attr: The dotted path of the input the error is about (``items.0.name``),
            or ``None`` when it is not about one input.
    """

    code: str
    detail: str
    attr: str | None


class ErrorEnvelope(TypedDict):
    """The body of every error response.

    Attributes:
        type: ``validation_error`` (400 from validation), ``client_error`` (other
            4xx) or ``server_error`` (5xx).
        errors: At least one error.
    """

    type: ErrorType
    errors: list[Error]


def error_type_for(status_code: int, *, validation: bool) -> ErrorType:
    """Return the envelope ``type`` for a response status.

    Args:
        status_code: The HTTP status of the response.
        validation: Whether the error comes from validating input.

    Returns:
        ``validation_error``, ``client_error`` or ``server_error``.
    """
    if status_code >= 500:  # noqa: PLR2004
        return SERVER_ERROR
    return VALIDATION_ERROR if validation else CLIENT_ERROR


def single_error(
    error_type: ErrorType, code: str, detail: str, attr: str | None = None
) -> ErrorEnvelope:
    """Return an envelope holding one error.

    Args:
        error_type: The envelope ``type``.
        code: The error's code.
        detail: The error's message.
        attr: The input the error is about, if any.

    Returns:
        The envelope.
    """
    return {
        "type": error_type,
        "errors": [{"code": code, "detail": detail, "attr": attr}],
    }
