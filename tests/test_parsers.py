"""The JSON parser: every unparsable body is a 400 parse error, never a 500."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import RequestDataTooBig
from rest_framework.exceptions import ParseError
from rest_framework.test import APIClient

from django_strict_core.parsers import TOO_DEEP, JSONParser


def test_a_document_nested_too_deeply_is_a_parse_error() -> None:
    with pytest.raises(ParseError) as raised:
        JSONParser().parse(io.BytesIO(b"[" * 100_000))

    assert raised.value.detail == TOO_DEEP


def test_json_is_parsed_as_by_drf() -> None:
    assert JSONParser().parse(io.BytesIO(b'{"a": [1, {"b": null}]}')) == {
        "a": [1, {"b": None}]
    }


@pytest.mark.parametrize("body", [b"{broken", b'{"a": NaN}', b'"\xff"'])
def test_other_malformed_json_keeps_drfs_error(body: bytes) -> None:
    with pytest.raises(ParseError) as raised:
        JSONParser().parse(io.BytesIO(body))

    assert str(raised.value.detail).startswith("JSON parse error - ")
    assert raised.value.detail != TOO_DEEP


def test_a_body_over_the_upload_limit_is_refused_before_parsing(
    settings: Any,
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100

    with pytest.raises(RequestDataTooBig):
        JSONParser().parse(io.BytesIO(b'{"a": "' + b"x" * 100 + b'"}'))
    assert JSONParser().parse(io.BytesIO(b'{"a": "' + b"x" * 90 + b'"}')) == {
        "a": "x" * 90
    }


def test_no_upload_limit_reads_everything(settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = None

    assert JSONParser().parse(io.BytesIO(b'["' + b"x" * 3_000_000 + b'"]')) == [
        "x" * 3_000_000
    ]


@pytest.mark.django_db
def test_a_deep_document_sent_to_a_view_is_answered_400() -> None:
    response = APIClient(raise_request_exception=False).post(
        "/api/errors/orders/", b"[" * 100_000, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "type": "client_error",
        "errors": [{"code": "parse_error", "detail": TOO_DEEP, "attr": None}],
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("text=hi", "application/x-www-form-urlencoded"),
        (
            '--x\r\nContent-Disposition: form-data; name="text"\r\n\r\nhi\r\n--x--\r\n',
            "multipart/form-data; boundary=x",
        ),
    ],
)
def test_the_api_takes_json_unless_a_view_takes_more(
    body: str, content_type: str
) -> None:
    client = APIClient()

    refused = client.post("/api/errors/signed-out/", body, content_type=content_type)
    taken = client.post("/api/errors/upload/", body, content_type=content_type)
    json = client.post("/api/errors/signed-out/", {"text": "hi"})

    assert refused.status_code == 415
    assert refused.json()["errors"][0]["code"] == "unsupported_media_type"
    assert taken.status_code == 200
    assert taken.json() == {"text": "hi"}
    # APIClient sends JSON by default (TEST_REQUEST_DEFAULT_FORMAT).
    assert json.status_code == 200
