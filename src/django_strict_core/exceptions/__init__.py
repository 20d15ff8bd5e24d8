"""The error envelope: one JSON error format for every API failure.

Public names: :func:`exception_handler` (DRF's ``EXCEPTION_HANDLER``), the
:class:`ExceptionHandler` it delegates to, the pure :func:`flatten_errors`, the
payload types :class:`ErrorEnvelope` and :class:`Error`, and
:class:`ServiceUnavailable` with :func:`failed_backend`, which tell an unreachable
database or cache from a bug.
"""

from django_strict_core.exceptions.flatten import flatten_errors
from django_strict_core.exceptions.handler import (
    ExceptionHandler,
    MalformedRequest,
    exception_handler,
)
from django_strict_core.exceptions.outages import ServiceUnavailable, failed_backend
from django_strict_core.exceptions.payloads import Error, ErrorEnvelope, ErrorType

__all__ = [
    "Error",
    "ErrorEnvelope",
    "ErrorType",
    "ExceptionHandler",
    "MalformedRequest",
    "ServiceUnavailable",
    "exception_handler",
    "failed_backend",
    "flatten_errors",
]
