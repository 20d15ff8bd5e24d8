"""reason_for: the short reason a probe shows for what a check raised."""

from __future__ import annotations

import psycopg
import pytest
import redis.exceptions
from django.core.cache.backends.base import InvalidCacheBackendError
from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError

from django_strict_core.healthcheck import (
    CheckFailed,
    HealthCheck,
    ServiceUnavailable,
    UnexpectedResult,
)
from django_strict_core.healthcheck.base import reason_for


def wrapped(outer: BaseException, cause: BaseException) -> BaseException:
    """Return ``outer`` raised from ``cause``, as drivers and Django chain them."""
    try:
        raise outer from cause
    except BaseException as exc:
        return exc


@pytest.mark.parametrize(
    ("exc", "reason"),
    [
        (TimeoutError("timed out"), "timeout"),
        (redis.exceptions.TimeoutError("Timeout reading from socket"), "timeout"),
        (psycopg.errors.ConnectionTimeout("connection timeout expired"), "timeout"),
        (ConnectionRefusedError(111, "Connection refused"), "unavailable"),
        (redis.exceptions.ConnectionError("Error 111 connecting"), "unavailable"),
        (OperationalError("could not connect to server"), "unavailable"),
        (redis.exceptions.ResponseError("READONLY"), "unavailable"),
        (ImproperlyConfigured("bad"), "misconfigured"),
        (InvalidCacheBackendError("no such alias"), "misconfigured"),
        (ValueError("boom"), "failed"),
        (ServiceUnavailable("down"), "unavailable"),
        (UnexpectedResult("other value"), "unexpected result"),
        (CheckFailed("plain"), "failed"),
        (CheckFailed("custom", reason="degraded"), "degraded"),
    ],
)
def test_reason_names_what_happened(exc: BaseException, reason: str) -> None:
    assert reason_for(exc) == reason


def test_wrapped_driver_errors_are_classified_by_their_cause() -> None:
    timeout = wrapped(
        OperationalError("connection timeout expired"),
        psycopg.errors.ConnectionTimeout("connection timeout expired"),
    )

    assert reason_for(timeout) == "timeout"
    assert reason_for(wrapped(RuntimeError("x"), ConnectionResetError())) == (
        "unavailable"
    )


def test_timeouts_of_any_library_are_recognised_by_name() -> None:
    class ReadTimeout(Exception):  # noqa: N818 - as httpx and requests name it
        pass

    assert reason_for(ReadTimeout("read timed out")) == "timeout"
    assert reason_for(wrapped(ValueError("x"), ReadTimeout())) == "timeout"


def test_a_cause_cycle_does_not_loop() -> None:
    first, second = ValueError("a"), ValueError("b")
    first.__cause__, second.__cause__ = second, first

    assert reason_for(first) == "failed"


@pytest.mark.parametrize(
    "reason",
    [
        "host db.internal:5432 down",
        "postgres://app:secret@db/app",
        "Down",
        "",
        "x" * 41,
    ],
)
def test_custom_reasons_that_could_leak_details_are_shown_as_failed(
    reason: str,
) -> None:
    assert reason_for(CheckFailed("x", reason=reason)) == "failed"


def test_the_protocol_accepts_sync_and_async_run_methods() -> None:
    class Sync:
        def run(self) -> None:
            return None

    class Async:
        async def run(self) -> None:
            return None

    assert isinstance(Sync(), HealthCheck)
    assert isinstance(Async(), HealthCheck)
    assert not isinstance(object(), HealthCheck)
