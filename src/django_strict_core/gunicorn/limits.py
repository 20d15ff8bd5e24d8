"""The server's bounds on a request, and the checks of a request head against them.

uvicorn's HTTP parsers read neither gunicorn's request limits nor Django's body
limit, and keep reading a request line, a header or a body of any size. The worker's
protocol (:mod:`django_strict_core.gunicorn.connection`) applies these bounds while the
request arrives. The values and where each comes from are in docs/deployment.md
("The server's bounds").
"""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

# Bytes around the target in a request line: the space before it and " HTTP/1.1\r\n".
REQUEST_LINE_OVERHEAD = len(" HTTP/1.1\r\n") + 1


@dataclass(frozen=True)
class ServerLimits:
    """What a worker accepts from one connection. A size of 0 turns its check off.

    Attributes:
        request_line: Longest request line in bytes (gunicorn's
            ``limit_request_line``): 414 beyond.
        fields: Most headers (``limit_request_fields``): 431 beyond.
        field_size: Longest header line in bytes (``limit_request_field_size``):
            431 beyond.
        head_size: Most bytes of a request line and headers together, counted while
            they arrive: 431 beyond.
        body_size: Largest body in bytes (Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE``;
            ``None`` for no bound): 413 for a larger ``Content-Length`` before any
            of the body is read, and as soon as a chunked body passes it.
        head_timeout: Seconds for the request line and headers to arrive, from the
            connection's start or the head's first bytes: 408 (a connection that
            sent nothing is closed without an answer).
        body_timeout: Seconds for the body to arrive once the head has: 408.
        connections: Most open connections per worker (gunicorn's
            ``worker_connections``); one more is closed at once.
    """

    request_line: int = 8190
    fields: int = 100
    field_size: int = 8190
    head_size: int = 64 * 1024
    body_size: int | None = 2_621_440
    head_timeout: float = 10.0
    body_timeout: float = 30.0
    connections: int = 1000

    def head_violation(
        self, method: bytes, target: bytes, headers: Sequence[tuple[bytes, bytes]]
    ) -> tuple[HTTPStatus, str] | None:
        """Check a whole request head.

        Args:
            method: The request method.
            target: The request target as sent (path and query).
            headers: The headers, names in lower case.

        Returns:
            The refusal's status and its reason, or ``None`` when the head is
            within every bound.
        """
        if 0 < self.request_line < len(method) + len(target) + REQUEST_LINE_OVERHEAD:
            return (
                HTTPStatus.REQUEST_URI_TOO_LONG,
                "request line over limit_request_line",
            )
        if 0 < self.fields < len(headers):
            return (
                HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
                "more headers than limit_request_fields",
            )
        field_size, declared = self.field_size, None
        for name, value in headers:
            if 0 < field_size < len(name) + len(value) + 2:
                return (
                    HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
                    "header line over limit_request_field_size",
                )
            if name == b"content-length":
                declared = value
        # The parser has refused a Content-Length that is not a number.
        if (
            declared is not None
            and self.body_size is not None
            and int(declared) > self.body_size
        ):
            return (
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                "Content-Length over DATA_UPLOAD_MAX_MEMORY_SIZE",
            )
        return None
