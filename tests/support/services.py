"""The real PostgreSQL and Redis of the test run.

``DATABASE_URL`` and ``REDIS_URL`` name them. When a variable is unset, the service's
default local address is tried once, with a short timeout, and used when it answers;
when nothing answers there, the tests that need the service are skipped, and the end
of the run says how many and why. ``STRICT_CORE_REQUIRE_SERVICES=1`` turns the skips
into a failure at start-up (tests/conftest.py). The test settings import this module,
also in the lint environment, so it does without pytest.

``STRICT_CORE_TEST_DEFAULT_DATABASE_URL`` and ``STRICT_CORE_TEST_DEFAULT_REDIS_URL``
replace the default addresses, e.g. with closed ports to see a run without services.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

REQUIRE_SERVICES = os.environ.get("STRICT_CORE_REQUIRE_SERVICES") == "1"

# Variables that StrictSettings reads; cleared so a developer's shell cannot leak in.
SETTINGS_PREFIXES = ("DJANGO_", "DATABASE_", "REDIS_")

# Seconds to wait for a service at its default address. libpq's minimum is 2.
PROBE_TIMEOUT = 2


@dataclass(frozen=True)
class Service:
    """One backing service: where it is, or why the tests cannot have it.

    Attributes:
        name: ``PostgreSQL`` or ``Redis``.
        variable: The environment variable naming it.
        schemes: URL schemes the tests accept.
        default: The address tried when the variable is unset.
        url: The URL the tests use; empty when the service is unavailable.
        source: Where ``url`` came from, or why it is empty.
        at_default: Whether the variable is unset and ``url`` is the default
            address, which answered.
    """

    name: str
    variable: str
    schemes: tuple[str, ...]
    default: str
    url: str
    source: str
    at_default: bool = False

    @property
    def summary(self) -> str:
        """One line saying which server the tests use, or why there is none."""
        if not self.url:
            return self.skip_reason
        if self.at_default:
            return f"{self.name}: {self.url} ({self.source})"
        return f"{self.name}: from {self.variable}"

    @property
    def skip_reason(self) -> str:
        """The message of every test skipped for want of this service."""
        return f"{self.name} is not available: {self.source}"


def probe_postgres(url: str) -> str:
    """Connect to PostgreSQL once; return the error, or an empty string."""
    import psycopg  # noqa: PLC0415 (only the runs that probe need the driver)

    try:
        psycopg.connect(url, connect_timeout=PROBE_TIMEOUT).close()
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0]
    return ""


def probe_redis(url: str) -> str:
    """Ping Redis once; return the error, or an empty string."""
    import redis  # noqa: PLC0415 (only the runs that probe need the client)

    client = redis.Redis.from_url(
        url, socket_connect_timeout=PROBE_TIMEOUT, socket_timeout=PROBE_TIMEOUT
    )
    try:
        client.ping()
    except redis.RedisError as exc:
        return str(exc).strip().splitlines()[0]
    finally:
        client.close()
    return ""


PROBES = {"DATABASE_URL": probe_postgres, "REDIS_URL": probe_redis}


def find(  # noqa: PLR0913 (one service, described in full)
    name: str,
    variable: str,
    schemes: tuple[str, ...],
    default: str,
    environ: Mapping[str, str],
    *,
    probe_default: bool = True,
) -> Service:
    """Find one service from ``environ``, else at ``default``.

    Args:
        name: The service's name for messages.
        variable: The environment variable that names it.
        schemes: URL schemes the tests accept.
        default: The address tried when the variable is unset; the
            ``STRICT_CORE_TEST_DEFAULT_<variable>`` variable replaces it.
        environ: The environment to read.
        probe_default: Whether to try the default address at all.

    Returns:
        The service, with its URL, or with the reason it is unavailable.
    """
    default = environ.get(f"STRICT_CORE_TEST_DEFAULT_{variable}") or default
    given = environ.get(variable, "")
    if given:
        if given.startswith(schemes):
            return Service(name, variable, schemes, default, given, variable)
        reason = f"{variable} is not a {'/'.join(schemes)} URL"
        return Service(name, variable, schemes, default, "", reason)
    if not probe_default:
        reason = f"{variable} is unset and the default address was not tried"
        return Service(name, variable, schemes, default, "", reason)
    problem = PROBES[variable](default)
    if problem:
        reason = f"{variable} is unset and nothing answered at {default} ({problem})"
        return Service(name, variable, schemes, default, "", reason)
    source = f"{variable} is unset; found at the default address"
    return Service(name, variable, schemes, default, default, source, at_default=True)


def find_services(
    environ: Mapping[str, str] = os.environ,
) -> dict[str, Service]:
    """Find PostgreSQL and Redis, by variable name.

    The default addresses are tried only under pytest (``PYTEST_VERSION``): mypy's
    Django plugin imports the test settings too and must not depend on the services.
    """
    under_pytest = "PYTEST_VERSION" in environ
    return {
        "DATABASE_URL": find(
            "PostgreSQL",
            "DATABASE_URL",
            ("postgres://", "postgresql://"),
            "postgres://postgres@127.0.0.1:5432/test",
            environ,
            probe_default=under_pytest,
        ),
        "REDIS_URL": find(
            "Redis",
            "REDIS_URL",
            ("redis://", "rediss://"),
            "redis://127.0.0.1:6379/0",
            environ,
            probe_default=under_pytest,
        ),
    }


# Found once at start-up: ``clean_environ`` removes the variables from os.environ.
SERVICES = find_services()
