"""Shared fixtures: real services, a clean environment for settings, JSON log capture."""

from __future__ import annotations

import logging
import logging.config
import os
from collections import Counter
from typing import TYPE_CHECKING, Any

import pytest
from django.conf import settings

from django_strict_core.log import build_logging
from tests.support.logs import LogCapture
from tests.support.services import REQUIRE_SERVICES, SERVICES, SETTINGS_PREFIXES

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path


def pytest_sessionstart(session: pytest.Session) -> None:
    """Refuse to start without the services when they are required."""
    missing = [service.skip_reason for service in SERVICES.values() if not service.url]
    if REQUIRE_SERVICES and missing:
        raise pytest.UsageError(
            f"STRICT_CORE_REQUIRE_SERVICES=1 but {'; '.join(missing)}"
        )


def pytest_report_header() -> list[str]:
    """Say at the start which services the run uses."""
    return [service.summary for service in SERVICES.values()]


# After the coverage report, so that it is the last thing before the totals.
@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say plainly at the end which tests were skipped for want of a service."""
    skipped = Counter(
        report.longrepr[2].removeprefix("Skipped: ")
        for report in terminalreporter.stats.get("skipped", [])
        if isinstance(report.longrepr, tuple)
    )
    terminalreporter.write_sep("=", "services")
    for service in SERVICES.values():
        terminalreporter.write_line(service.summary)
        if count := skipped.pop(service.skip_reason, 0):
            terminalreporter.write_line(
                f"SKIPPED {count} {'test' if count == 1 else 'tests'} that need "
                f"{service.name}: start it at "
                f"{service.default} or set {service.variable}",
                yellow=True,
                bold=True,
            )
    for reason, count in skipped.items():
        terminalreporter.write_line(
            f"SKIPPED {count} {'test' if count == 1 else 'tests'}: {reason}",
            yellow=True,
        )


def _service_url(variable: str) -> str:
    """Return the service's URL, or skip without it.

    When services are required, a run without them has already stopped at start-up.
    """
    service = SERVICES[variable]
    if not service.url:
        pytest.skip(service.skip_reason)
    return service.url


@pytest.fixture
def postgres_url() -> str:
    """The real PostgreSQL server's URL."""
    return _service_url("DATABASE_URL")


@pytest.fixture
def redis_url() -> str:
    """The real Redis server's URL."""
    return _service_url("REDIS_URL")


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


@pytest.fixture
def json_logs(
    capsys: pytest.CaptureFixture[str],
) -> Iterator[Callable[..., LogCapture]]:
    """Apply a ``LOGGING`` dict (the project's by default) with stdout captured.

    Call it with the dict to apply, or with ``build_logging`` keyword arguments on
    top of the test project's values. The project's logging is restored afterwards.
    """
    root = logging.getLogger()
    streams = [h.stream for h in root.handlers if isinstance(h, logging.StreamHandler)]

    def configure(config: dict[str, Any] | None = None, **options: Any) -> LogCapture:
        if config is None:
            config = (
                build_logging(
                    **{
                        "level": "INFO",
                        "environment": "test",
                        "mail_admins": False,
                        **options,
                    }
                )
                if options
                else settings.LOGGING
            )
        capsys.readouterr()
        logging.config.dictConfig(config)
        return LogCapture(capsys)

    yield configure
    logging.config.dictConfig(settings.LOGGING)
    for handler in root.handlers:
        if isinstance(handler, logging.StreamHandler) and streams:
            handler.setStream(streams[0])
