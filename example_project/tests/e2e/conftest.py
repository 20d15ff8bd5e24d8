"""Fixtures of the end-to-end tests: the whole stack, started once per module."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.e2e.stack import Stack, scratch_database
from tests.services import REQUIRE_SERVICES, UnavailableError, find_backends

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The example project under gunicorn + uvicorn behind nginx, on PostgreSQL and Redis.

    Skipped without them (a failure when ``STRICT_CORE_REQUIRE_SERVICES=1``).
    """
    try:
        backends = find_backends()
    except UnavailableError as exc:
        reason = f"end-to-end tests need the whole stack: {exc}"
        if REQUIRE_SERVICES:
            pytest.fail(f"{reason} (STRICT_CORE_REQUIRE_SERVICES=1)", pytrace=False)
        pytest.skip(reason)
    with scratch_database(backends.database_url) as url:
        running = Stack(
            database_url=url,
            redis_url=backends.redis_url,
            environment={"DJANGO_THROTTLE_ANON_RATE": "20/minute"},
        )
        try:
            running.start(tmp_path_factory.mktemp("stack"))
            yield running
        finally:
            running.stop()
