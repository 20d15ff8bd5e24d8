"""The JSON parser: every unparsable body is a 400 parse error, never a 500."""

from __future__ import annotations

import io

import pytest
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
