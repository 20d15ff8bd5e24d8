"""Shared fixtures: real services (DESIGN §8) and a clean environment for settings."""

from __future__ import annotations

import json
import logging
import logging.config
import os
from typing import TYPE_CHECKING, Any

import pytest
from django.conf import settings

from django_strict_core.log import build_logging

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
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


class LogCapture:
    """JSON lines written to stdout through a real ``LOGGING`` dict."""

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self._capsys = capsys
        self._lines: list[dict[str, Any]] = []
        self.text = ""

    def lines(self) -> list[dict[str, Any]]:
        """Every stdout line so far, each parsed as one JSON object."""
        captured = self._capsys.readouterr()
        assert captured.err == "", f"unexpected stderr output: {captured.err!r}"
        self.text += captured.out
        for raw in captured.out.split("\n")[:-1]:
            try:
                line = json.loads(raw)
            except json.JSONDecodeError:
                pytest.fail(f"a stdout line is not JSON: {raw!r}")
            assert isinstance(line, dict), raw
            self._lines.append(line)
        assert captured.out == "" or captured.out.endswith("\n")
        return list(self._lines)

    def by_logger(self, name: str) -> list[dict[str, Any]]:
        """The lines of one logger."""
        return [line for line in self.lines() if line.get("logger") == name]


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
