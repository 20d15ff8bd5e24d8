"""Shared fixtures: real services (DESIGN §8) and a clean environment for settings."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

REQUIRE_SERVICES = os.environ.get("STRICT_CORE_REQUIRE_SERVICES") == "1"

# Variables that StrictSettings reads; cleared so a developer's shell cannot leak in.
SETTINGS_PREFIXES = ("DJANGO_", "DATABASE_", "REDIS_")

# Read once at start-up: ``clean_environ`` removes these variables from os.environ.
SERVICE_URLS = {
    name: os.environ.get(name, "") for name in ("DATABASE_URL", "REDIS_URL")
}


def service_url(variable: str, schemes: tuple[str, ...]) -> str:
    """Return a service URL from the environment, or skip (fail under CI) without it."""
    value = SERVICE_URLS[variable]
    if value.startswith(schemes):
        return value
    message = f"{variable} is not set to a {'/'.join(schemes)} URL; this test needs the real service"
    if REQUIRE_SERVICES:
        pytest.fail(f"{message} (STRICT_CORE_REQUIRE_SERVICES=1)")
    pytest.skip(message)


def pytest_sessionstart(session: pytest.Session) -> None:
    """Refuse to start without the services when they are required."""
    if not REQUIRE_SERVICES:
        return
    missing = [
        name
        for name, schemes in (
            ("DATABASE_URL", ("postgres",)),
            ("REDIS_URL", ("redis",)),
        )
        if not SERVICE_URLS[name].startswith(schemes)
    ]
    if missing:
        raise pytest.UsageError(
            f"STRICT_CORE_REQUIRE_SERVICES=1 but {', '.join(missing)} not set to the real services"
        )


@pytest.fixture
def postgres_url() -> str:
    """The real PostgreSQL server's URL."""
    return service_url("DATABASE_URL", ("postgres://", "postgresql://"))


@pytest.fixture
def redis_url() -> str:
    """The real Redis server's URL."""
    return service_url("REDIS_URL", ("redis://", "rediss://"))


@pytest.fixture
def clean_environ(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[pytest.MonkeyPatch]:
    """An environment without settings variables, in a directory without ``.env``."""
    for name in list(os.environ):
        if name.upper().startswith(SETTINGS_PREFIXES):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    yield monkeypatch
