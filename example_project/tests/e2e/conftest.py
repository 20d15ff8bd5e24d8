"""Fixtures of the end-to-end tests: the whole stack, started once per module."""

from __future__ import annotations

import os
import shutil
from typing import TYPE_CHECKING

import pytest

from tests.e2e.stack import Stack, scratch_database

if TYPE_CHECKING:
    from collections.abc import Iterator

REQUIRE_SERVICES = os.environ.get("STRICT_CORE_REQUIRE_SERVICES") == "1"


def _unavailable(reason: str) -> None:
    """Skip, or fail when the services are required (CI)."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (STRICT_CORE_REQUIRE_SERVICES=1)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The example project under gunicorn + uvicorn behind nginx, on PostgreSQL and Redis."""
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")) or not redis_url:
        _unavailable("end-to-end tests need DATABASE_URL (PostgreSQL) and REDIS_URL")
    if not shutil.which("nginx") or not shutil.which("openssl"):
        _unavailable("end-to-end tests need nginx and openssl")
    with scratch_database(database_url) as url:
        running = Stack(
            database_url=url,
            redis_url=redis_url,
            environment={"DJANGO_THROTTLE_ANON_RATE": "20/minute"},
        )
        try:
            running.start(tmp_path_factory.mktemp("stack"))
            yield running
        finally:
            running.stop()
