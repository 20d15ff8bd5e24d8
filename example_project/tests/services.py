"""What the end-to-end and reliability suites need: PostgreSQL, Redis, nginx, openssl.

``DATABASE_URL`` and ``REDIS_URL`` name the services. When one is unset, the
service's default local address is tried once with a short timeout and used when it
answers. ``STRICT_CORE_TEST_DEFAULT_DATABASE_URL`` and
``STRICT_CORE_TEST_DEFAULT_REDIS_URL`` replace the default addresses, e.g. with
closed ports to see a run without the services.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from typing import TYPE_CHECKING

import psycopg
import redis

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

REQUIRE_SERVICES = os.environ.get("STRICT_CORE_REQUIRE_SERVICES") == "1"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
# Seconds to wait for a service at its default address. libpq's minimum is 2.
PROBE_TIMEOUT = 2
SYSTEM_PROGRAMS = "/usr/sbin:/sbin"


class UnavailableError(RuntimeError):
    """Something the suite needs is missing; the message says what and why."""


@dataclass(frozen=True)
class Backends:
    """The servers the stack runs on.

    Attributes:
        database_url: A PostgreSQL server (its database is used only to connect).
        redis_url: A Redis database.
    """

    database_url: str
    redis_url: str


def probe_postgres(url: str) -> str:
    """Connect to PostgreSQL once; return the error, or an empty string."""
    try:
        psycopg.connect(url, connect_timeout=PROBE_TIMEOUT).close()
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0]
    return ""


def probe_redis(url: str) -> str:
    """Ping Redis once; return the error, or an empty string."""
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


SCHEMES = {
    "DATABASE_URL": ("postgres://", "postgresql://"),
    "REDIS_URL": ("redis://", "rediss://"),
}
DEFAULTS = {"DATABASE_URL": DEFAULT_DATABASE_URL, "REDIS_URL": DEFAULT_REDIS_URL}
PROBES: dict[str, Callable[[str], str]] = {
    "DATABASE_URL": probe_postgres,
    "REDIS_URL": probe_redis,
}


def find_service(variable: str, environ: Mapping[str, str]) -> tuple[str, str]:
    """Find the service that ``variable`` names, else at its default address.

    Args:
        variable: ``DATABASE_URL`` or ``REDIS_URL``.
        environ: The environment to read.

    Returns:
        The service's URL and an empty string, or an empty URL and the reason.
    """
    schemes = SCHEMES[variable]
    given = environ.get(variable, "")
    if given:
        if given.startswith(schemes):
            return given, ""
        return "", f"{variable} is not a {'/'.join(schemes)} URL"
    default = environ.get(f"STRICT_CORE_TEST_DEFAULT_{variable}") or DEFAULTS[variable]
    if problem := PROBES[variable](default):
        return "", f"{variable} is unset and nothing answered at {default} ({problem})"
    return default, ""


def program(name: str) -> str | None:
    """Return the path of ``nginx`` or ``openssl``, or ``None``.

    Debian installs nginx in ``/usr/sbin``, which a user's ``PATH`` often lacks.
    """
    return shutil.which(name) or shutil.which(name, path=SYSTEM_PROGRAMS)


def find_backends(environ: Mapping[str, str] = os.environ) -> Backends:
    """Find PostgreSQL and Redis, and check that nginx and openssl are installed.

    Args:
        environ: The environment to read.

    Returns:
        The servers.

    Raises:
        UnavailableError: Naming everything that is missing.
    """
    database_url, database_problem = find_service("DATABASE_URL", environ)
    redis_url, redis_problem = find_service("REDIS_URL", environ)
    problems = [
        f"PostgreSQL is not available: {database_problem}" if database_problem else "",
        f"Redis is not available: {redis_problem}" if redis_problem else "",
        ""
        if program("nginx") and program("openssl")
        else "nginx and openssl are not both installed (apt-get install nginx openssl)",
    ]
    if missing := [problem for problem in problems if problem]:
        raise UnavailableError("; ".join(missing))
    return Backends(database_url=database_url, redis_url=redis_url)
