"""The filters build_logging attaches: one line per request, scanners as warnings."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import pytest
from django.test import Client

from django_strict_core.log.filters import (
    ClientErrorFilter,
    DisallowedHostFilter,
    ServerRequestLineFilter,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.support.logs import LogCapture

pytestmark = pytest.mark.urls("tests.projects.logs.urls")


def record(name: str, level: int, msg: str, **extra: object) -> logging.LogRecord:
    """A record as a logger would make it."""
    made = logging.LogRecord(name, level, __file__, 1, msg, (), None)
    made.__dict__.update(extra)
    return made


def test_the_servers_request_line_is_dropped_and_its_other_messages_kept() -> None:
    server = ServerRequestLineFilter()

    assert not server.filter(record("django.server", logging.INFO, '"%s" %s %s'))
    assert server.filter(record("django.server", logging.INFO, "- Broken pipe from %s"))


@pytest.mark.parametrize(("status", "kept"), [(404, False), (499, False), (500, True)])
def test_only_4xx_response_lines_are_dropped(status: int, kept: bool) -> None:  # noqa: FBT001
    line = record("django.request", logging.WARNING, "x", status_code=status)

    assert ClientErrorFilter().filter(line) is kept
    assert ClientErrorFilter().filter(record("django.request", logging.ERROR, "x"))


def test_a_disallowed_host_becomes_a_warning_without_traceback() -> None:
    try:
        raise ValueError("Invalid HTTP_HOST header")
    except ValueError as error:
        line = record("django.security.DisallowedHost", logging.ERROR, str(error))
        line.exc_info = (ValueError, error, error.__traceback__)

    assert DisallowedHostFilter().filter(line)
    assert (line.levelno, line.levelname) == (logging.WARNING, "WARNING")
    assert line.exc_info is None


def test_a_request_with_a_foreign_host_writes_one_warning_and_its_access_record(
    json_logs: Callable[..., LogCapture],
) -> None:
    capture = json_logs()

    response = Client(HTTP_HOST="scanner.example").get("/sync/")

    assert response.status_code == 400
    lines = capture.lines()
    assert [(line["logger"], line["level"]) for line in lines] == [
        ("django.security.DisallowedHost", "WARNING"),
        ("django_strict_core.access", "INFO"),
    ]
    assert "exception" not in lines[0]
