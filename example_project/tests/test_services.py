"""Finding what the end-to-end and reliability suites need, or saying what is missing."""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING

import pytest

from tests.reliability.__main__ import main
from tests.services import (
    DEFAULT_DATABASE_URL,
    DEFAULT_REDIS_URL,
    UnavailableError,
    find_backends,
    find_service,
    program,
)

if TYPE_CHECKING:
    from pathlib import Path


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def nothing_at_the_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    """Unset the variables and point the default addresses at closed ports."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv(
        "STRICT_CORE_TEST_DEFAULT_DATABASE_URL",
        f"postgres://postgres@127.0.0.1:{closed_port()}/test",
    )
    monkeypatch.setenv(
        "STRICT_CORE_TEST_DEFAULT_REDIS_URL", f"redis://127.0.0.1:{closed_port()}/0"
    )


def test_a_set_variable_is_used_as_given() -> None:
    given = f"redis://127.0.0.1:{closed_port()}/3"
    assert find_service("REDIS_URL", {"REDIS_URL": given}) == (given, "")


def test_a_variable_with_another_scheme_is_refused() -> None:
    assert find_service("DATABASE_URL", {"DATABASE_URL": "sqlite:///db"}) == (
        "",
        "DATABASE_URL is not a postgres:///postgresql:// URL",
    )


@pytest.mark.parametrize(
    ("variable", "default"),
    [("DATABASE_URL", DEFAULT_DATABASE_URL), ("REDIS_URL", DEFAULT_REDIS_URL)],
)
def test_an_unset_variable_uses_the_default_address_when_it_answers(
    variable: str, default: str
) -> None:
    url, problem = find_service(variable, {})
    if problem:
        pytest.skip(f"nothing at the default address: {problem}")
    assert url == default


def test_a_closed_default_port_is_reported_with_its_address() -> None:
    default = f"redis://127.0.0.1:{closed_port()}/0"
    url, problem = find_service(
        "REDIS_URL", {"STRICT_CORE_TEST_DEFAULT_REDIS_URL": default}
    )
    assert url == ""
    assert problem.startswith(f"REDIS_URL is unset and nothing answered at {default} (")


@pytest.mark.usefixtures("nothing_at_the_defaults")
def test_every_missing_service_is_named_at_once() -> None:
    with pytest.raises(UnavailableError) as raised:
        find_backends()
    message = str(raised.value)
    assert message.startswith("PostgreSQL is not available: DATABASE_URL is unset")
    assert "; Redis is not available: REDIS_URL is unset" in message


@pytest.mark.usefixtures("nothing_at_the_defaults")
def test_the_reliability_suite_skips_without_the_services(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr("tests.reliability.__main__.REQUIRE_SERVICES", False)
    report = tmp_path / "report.md"
    assert main(["--quick", "--report", str(report)]) == 0
    assert capsys.readouterr().out.startswith(
        "SKIPPED the reliability suite: PostgreSQL is not available"
    )
    assert not report.exists()


@pytest.mark.usefixtures("nothing_at_the_defaults")
def test_the_reliability_suite_fails_without_them_when_they_are_required(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr("tests.reliability.__main__.REQUIRE_SERVICES", True)
    assert main(["--quick", "--report", str(tmp_path / "report.md")]) == 1
    assert capsys.readouterr().err.endswith("(STRICT_CORE_REQUIRE_SERVICES=1)\n")


def test_programs_are_found_in_the_system_directories_outside_the_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    system = tmp_path / "sbin"
    system.mkdir()
    nginx = system / "nginx"
    nginx.write_text("#!/bin/sh\n")
    nginx.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    monkeypatch.setattr("tests.services.SYSTEM_PROGRAMS", str(system))
    assert program("nginx") == str(nginx)
    assert program("openssl") is None
