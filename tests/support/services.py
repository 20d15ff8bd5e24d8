"""The real PostgreSQL and Redis of the test run, found through the environment."""

from __future__ import annotations

import os

import pytest

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
