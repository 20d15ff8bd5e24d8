"""Finding PostgreSQL and Redis: the variables, else the default addresses, else a skip."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from django_strict_core.testing import FaultProxy, closed_port
from tests.support.services import find, find_services

ROOT = Path(__file__).resolve().parents[2]
POSTGRES = ("PostgreSQL", "DATABASE_URL", ("postgres://", "postgresql://"))
REDIS = ("Redis", "REDIS_URL", ("redis://", "rediss://"))


def closed_postgres() -> str:
    return f"postgres://postgres@127.0.0.1:{closed_port()}/test"


def closed_redis() -> str:
    return f"redis://127.0.0.1:{closed_port()}/0"


class TestFind:
    def test_a_set_variable_is_used_as_given_without_a_probe(self) -> None:
        given = closed_postgres()
        service = find(*POSTGRES, closed_postgres(), {"DATABASE_URL": given})
        assert (service.url, service.source, service.at_default) == (
            given,
            "DATABASE_URL",
            False,
        )

    def test_a_variable_with_another_scheme_makes_the_service_unavailable(
        self,
    ) -> None:
        service = find(*POSTGRES, closed_postgres(), {"DATABASE_URL": "sqlite://"})
        assert service.url == ""
        assert service.skip_reason == (
            "PostgreSQL is not available: DATABASE_URL is not a "
            "postgres:///postgresql:// URL"
        )

    def test_an_unset_variable_uses_the_default_address_when_postgres_answers(
        self, postgres_url: str
    ) -> None:
        service = find(*POSTGRES, postgres_url, {})
        assert (service.url, service.at_default) == (postgres_url, True)
        assert service.summary == (
            f"PostgreSQL: {postgres_url} (DATABASE_URL is unset; found at the "
            "default address)"
        )

    def test_an_unset_variable_uses_the_default_address_when_redis_answers(
        self, redis_url: str
    ) -> None:
        service = find(*REDIS, redis_url, {})
        assert (service.url, service.at_default) == (redis_url, True)

    @pytest.mark.parametrize(
        ("kind", "default"), [(POSTGRES, closed_postgres()), (REDIS, closed_redis())]
    )
    def test_a_closed_default_port_makes_the_service_unavailable(
        self, kind: tuple[str, str, tuple[str, ...]], default: str
    ) -> None:
        service = find(*kind, default, {})
        assert service.url == ""
        assert service.skip_reason.startswith(
            f"{kind[0]} is not available: {kind[1]} is unset and nothing answered "
            f"at {default} ("
        )
        assert "refused" in service.skip_reason.lower()

    @pytest.mark.parametrize(
        ("kind", "url"),
        [
            (POSTGRES, "postgres://postgres@{address}/test"),
            (REDIS, "redis://{address}/0"),
        ],
    )
    def test_a_default_address_that_never_answers_is_given_up_on(
        self, kind: tuple[str, str, tuple[str, ...]], url: str
    ) -> None:
        with FaultProxy() as silent:
            service = find(*kind, url.format(address=silent.address), {})
        assert service.url == ""
        assert "nothing answered" in service.skip_reason
        assert "time" in service.skip_reason.lower()

    def test_the_test_only_variable_replaces_the_default_address(self) -> None:
        default = closed_redis()
        service = find(
            *REDIS,
            "redis://127.0.0.1:6379/0",
            {"STRICT_CORE_TEST_DEFAULT_REDIS_URL": default},
        )
        assert service.default == default
        assert f"nothing answered at {default}" in service.skip_reason


def test_outside_pytest_the_default_addresses_are_not_tried() -> None:
    found = find_services({})
    assert [service.url for service in found.values()] == ["", ""]
    assert found["REDIS_URL"].source == (
        "REDIS_URL is unset and the default address was not tried"
    )


def run_suite_without_services(
    *args: str, **environ: str
) -> subprocess.CompletedProcess[str]:
    """Run part of this suite with nothing at the default addresses."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DATABASE_URL", "REDIS_URL", "STRICT_CORE_REQUIRE_SERVICES"}
    }
    env |= {
        "STRICT_CORE_TEST_DEFAULT_DATABASE_URL": closed_postgres(),
        "STRICT_CORE_TEST_DEFAULT_REDIS_URL": closed_redis(),
        **environ,
    }
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_run_without_the_services_sums_up_the_skipped_tests_by_service() -> None:
    result = run_suite_without_services("tests/healthcheck/test_checks.py")
    assert result.returncode == 0, result.stdout + result.stderr
    counts = {
        name: int(count)
        for count, name, variable in re.findall(
            r"^SKIPPED (\d+) tests? that need (\w+): start it at \S+ or set (\w+)$",
            result.stdout,
            re.MULTILINE,
        )
        if variable == {"PostgreSQL": "DATABASE_URL", "Redis": "REDIS_URL"}[name]
    }
    skipped = re.search(r" (\d+) skipped in ", result.stdout)
    assert skipped, result.stdout
    assert set(counts) == {"PostgreSQL", "Redis"}, result.stdout
    assert sum(counts.values()) == int(skipped[1])
    assert "SKIPPED [" not in result.stdout


def test_a_run_without_the_services_fails_at_once_when_they_are_required() -> None:
    result = run_suite_without_services(
        "tests/test_throttling.py", STRICT_CORE_REQUIRE_SERVICES="1"
    )
    assert result.returncode == pytest.ExitCode.USAGE_ERROR
    assert "STRICT_CORE_REQUIRE_SERVICES=1 but PostgreSQL is not available" in (
        result.stderr
    )
