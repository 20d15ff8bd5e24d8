"""The server's own answers: the envelope under the API prefixes, the phrase elsewhere."""

from __future__ import annotations

import json
from http import HTTPStatus

import pytest
from django.conf import settings
from django.test import override_settings

from django_strict_core.gunicorn.refusals import (
    DEFAULT_API_PREFIXES,
    REFUSALS,
    api_prefixes,
    refusal_body,
    refusal_response,
)


@pytest.mark.parametrize(
    ("status", "code", "detail"),
    [
        (HTTPStatus.BAD_REQUEST, "bad_request", "Bad request."),
        (
            HTTPStatus.REQUEST_TIMEOUT,
            "request_timeout",
            f"{HTTPStatus.REQUEST_TIMEOUT.phrase}.",
        ),
        (
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            "request_too_large",
            "Request body too large.",
        ),
        # The reason phrase is the running Python's (RFC 9110 renamed it in 3.13).
        (
            HTTPStatus.REQUEST_URI_TOO_LONG,
            "request_uri_too_long",
            f"{HTTPStatus.REQUEST_URI_TOO_LONG.phrase}.",
        ),
        (
            HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
            "request_header_fields_too_large",
            "Request Header Fields Too Large.",
        ),
    ],
)
def test_api_paths_get_the_envelope(status: HTTPStatus, code: str, detail: str) -> None:
    content_type, body = refusal_body(status, "/api/items/")

    assert content_type == b"application/json"
    assert json.loads(body) == {
        "type": "client_error",
        "errors": [{"code": code, "detail": detail, "attr": None}],
    }


def test_every_refusal_has_a_code() -> None:
    assert set(REFUSALS) == {400, 408, 413, 414, 431}


def test_other_paths_get_the_phrase() -> None:
    assert refusal_body(HTTPStatus.REQUEST_URI_TOO_LONG, "/admin/") == (
        b"text/plain; charset=utf-8",
        HTTPStatus.REQUEST_URI_TOO_LONG.phrase.encode(),
    )
    # A request line that did not parse has no path.
    assert refusal_body(HTTPStatus.BAD_REQUEST, "")[1] == b"Bad Request"


def test_before_django_is_set_up_the_default_prefixes_apply(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(type(settings), "configured", property(lambda _s: False))

    assert api_prefixes() == DEFAULT_API_PREFIXES == ("/api/",)


def test_the_api_prefixes_come_from_the_setting() -> None:
    with override_settings(STRICT_CORE_API_PREFIXES=["/v2/"]):
        api = refusal_body(HTTPStatus.REQUEST_URI_TOO_LONG, "/v2/items/")
        other = refusal_body(HTTPStatus.REQUEST_URI_TOO_LONG, "/api/items/")

    assert json.loads(api[1])["type"] == "client_error"
    assert other[0] == b"text/plain; charset=utf-8"


def test_the_response_is_whole_and_closes_the_connection() -> None:
    response = refusal_response(
        HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "/api/x/", [(b"server", b"uvicorn")]
    )

    head, _, body = response.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    assert (
        lines[0]
        == b"HTTP/1.1 413 " + HTTPStatus.REQUEST_ENTITY_TOO_LARGE.phrase.encode()
    )
    assert lines[1:] == [
        b"server: uvicorn",
        b"content-type: application/json",
        b"content-length: %d" % len(body),
        b"connection: close",
    ]
    assert json.loads(body)["errors"][0]["code"] == "request_too_large"
