"""The answers the server gives on its own, before a request reaches Django.

Under the API prefixes (``STRICT_CORE_API_PREFIXES``, default ``/api/``) they are the
error envelope, as every other API error; elsewhere the status phrase as plain text.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import TYPE_CHECKING

from django_strict_core.app_settings import DEFAULT_API_PREFIXES

if TYPE_CHECKING:
    from collections.abc import Iterable


# Envelope code and detail of each refusal. 400 and 413 read as the application's own
# answers to the same conditions (and nginx's, in the example); the others are named
# after their status.
REFUSALS: dict[HTTPStatus, tuple[str, str]] = {
    HTTPStatus.BAD_REQUEST: ("bad_request", "Bad request."),
    HTTPStatus.REQUEST_TIMEOUT: (
        "request_timeout",
        f"{HTTPStatus.REQUEST_TIMEOUT.phrase}.",
    ),
    HTTPStatus.REQUEST_ENTITY_TOO_LARGE: (
        "request_too_large",
        "Request body too large.",
    ),
    HTTPStatus.REQUEST_URI_TOO_LONG: (
        "request_uri_too_long",
        f"{HTTPStatus.REQUEST_URI_TOO_LONG.phrase}.",
    ),
    HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE: (
        "request_header_fields_too_large",
        f"{HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE.phrase}.",
    ),
}


def api_prefixes() -> tuple[str, ...]:
    """Return ``STRICT_CORE_API_PREFIXES``, or the default before Django is set up.

    Returns:
        The path prefixes whose errors are the envelope.
    """
    # Imported here: the gunicorn master loads this package without Django settings.
    from django.conf import settings  # noqa: PLC0415

    from django_strict_core.app_settings import app_settings  # noqa: PLC0415

    if not settings.configured:
        return DEFAULT_API_PREFIXES
    return tuple(app_settings.STRICT_CORE_API_PREFIXES)


def refusal_body(status: HTTPStatus, path: str) -> tuple[bytes, bytes]:
    """Return the content type and body of a refusal.

    Args:
        status: One of :data:`REFUSALS`.
        path: The request path (``""`` when the request line did not parse).

    Returns:
        ``(content type, body)``: the error envelope under the API prefixes, else
        the status phrase.
    """
    from django_strict_core.exceptions.payloads import (  # noqa: PLC0415
        CLIENT_ERROR,
        single_error,
    )

    if not path.startswith(api_prefixes()):
        return b"text/plain; charset=utf-8", status.phrase.encode()
    code, detail = REFUSALS[status]
    envelope = single_error(CLIENT_ERROR, code, detail)
    return b"application/json", json.dumps(envelope).encode()


def refusal_response(
    status: HTTPStatus, path: str, headers: Iterable[tuple[bytes, bytes]] = ()
) -> bytes:
    """Return a whole HTTP/1.1 refusal, ending the connection.

    Args:
        status: One of :data:`REFUSALS`.
        path: The request path.
        headers: Headers the server adds to every answer (``date``, ``server``).

    Returns:
        The status line, headers and body.
    """
    content_type, body = refusal_body(status, path)
    lines = [b"HTTP/1.1 %d %s" % (status, status.phrase.encode())]
    lines += [name + b": " + value for name, value in headers]
    lines += [
        b"content-type: " + content_type,
        b"content-length: %d" % len(body),
        b"connection: close",
    ]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body
