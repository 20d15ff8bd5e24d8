"""Shared fixtures: real services, a clean environment for settings, JSON log capture."""

from __future__ import annotations

import logging
import logging.config
import os
from typing import TYPE_CHECKING, Any

import pytest
from django.conf import settings

from django_strict_core.log import build_logging
from tests.support.logs import LogCapture
from tests.support.services import (
    REQUIRE_SERVICES,
    SERVICE_URLS,
    SETTINGS_PREFIXES,
    service_url,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path


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
