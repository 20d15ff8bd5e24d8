"""``ServerLimits.head_violation``: a whole request head against the bounds."""

from __future__ import annotations

from http import HTTPStatus

import pytest

from django_strict_core.gunicorn.limits import ServerLimits

LIMITS = ServerLimits(request_line=100, fields=3, field_size=50, body_size=1000)


def headers(count: int = 1, size: int = 5) -> list[tuple[bytes, bytes]]:
    return [(b"x-h%d" % n, b"v" * size) for n in range(count)]


def test_the_defaults_are_the_documented_ones() -> None:
    assert ServerLimits() == ServerLimits(
        request_line=8190,
        fields=100,
        field_size=8190,
        head_size=65536,
        body_size=2_621_440,
        head_timeout=10.0,
        body_timeout=30.0,
        connections=1000,
    )


def test_a_head_within_the_limits_passes() -> None:
    # "GET ", 85 bytes and " HTTP/1.1\r\n" make 100; "x-h0: " and 40 bytes make 46.
    within = [*headers(2, 40), (b"content-length", b"1000")]

    assert LIMITS.head_violation(b"GET", b"/" * 85, within) is None


@pytest.mark.parametrize(
    ("target", "fields", "status", "reason"),
    [
        (b"/" * 86, headers(), HTTPStatus.REQUEST_URI_TOO_LONG, "limit_request_line"),
        (
            b"/",
            headers(4),
            HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
            "limit_request_fields",
        ),
        (
            b"/",
            headers(1, 45),
            HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
            "limit_request_field_size",
        ),
        (
            b"/",
            [(b"content-length", b"1001")],
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            "DATA_UPLOAD_MAX_MEMORY_SIZE",
        ),
    ],
    ids=["request line", "header count", "header line", "declared body"],
)
def test_a_head_over_a_limit_is_refused_with_its_reason(
    target: bytes,
    fields: list[tuple[bytes, bytes]],
    status: HTTPStatus,
    reason: str,
) -> None:
    violation = LIMITS.head_violation(b"GET", target, fields)

    assert violation is not None
    assert violation[0] == status
    assert reason in violation[1]


def test_zero_and_none_turn_the_checks_off() -> None:
    off = ServerLimits(request_line=0, fields=0, field_size=0, body_size=None)

    assert (
        off.head_violation(
            b"GET", b"/" * 10_000, [*headers(500, 9000), (b"content-length", b"9" * 12)]
        )
        is None
    )
