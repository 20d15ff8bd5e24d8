"""Workers and socket from the environment (``WEB_CONCURRENCY``, ``PORT``)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest

from django_strict_core.conf import SettingsError
from django_strict_core.gunicorn import environment

if TYPE_CHECKING:
    from pathlib import Path


def test_workers_default_to_twice_the_cpus_plus_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)

    assert environment.worker_count() == 2 * environment.cpu_count() + 1
    assert environment.cpu_count() >= 1


def test_web_concurrency_overrides_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEB_CONCURRENCY", " 3 ")

    assert environment.worker_count() == 3


@pytest.mark.parametrize("value", ["0", "-2", "four", "1.5"])
def test_bad_web_concurrency_is_named(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("WEB_CONCURRENCY", value)

    with pytest.raises(SettingsError, match="WEB_CONCURRENCY: expected a positive"):
        environment.worker_count()


def test_bind_follows_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PORT", raising=False)
    assert environment.bind_address() == "0.0.0.0:8000"

    monkeypatch.setenv("PORT", "9000")
    assert environment.bind_address() == "0.0.0.0:9000"


@pytest.mark.parametrize("value", ["0", "65536", "http"])
def test_bad_port_is_named(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("PORT", value)

    with pytest.raises(SettingsError, match="PORT: expected a TCP port"):
        environment.bind_address()


def test_cpu_count_without_affinity(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)

    assert environment.cpu_count() == (os.cpu_count() or 1)


def test_worker_heartbeats_live_in_shared_memory() -> None:
    from django_strict_core import gunicorn as config  # noqa: PLC0415

    assert config.worker_tmp_dir == environment.SHARED_MEMORY == "/dev/shm"  # noqa: S108


def test_a_writable_directory_is_the_worker_tmp_dir(tmp_path: Path) -> None:
    assert environment.worker_tmp_directory(str(tmp_path)) == str(tmp_path)


def test_without_the_directory_gunicorn_keeps_its_default(tmp_path: Path) -> None:
    assert environment.worker_tmp_directory(str(tmp_path / "absent")) is None
    (tmp_path / "file").write_text("")
    assert environment.worker_tmp_directory(str(tmp_path / "file")) is None
