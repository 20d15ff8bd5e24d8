"""Workers and socket from the environment (``WEB_CONCURRENCY``, ``PORT``)."""

from __future__ import annotations

import os

import pytest

from django_strict_core.conf import SettingsError
from django_strict_core.gunicorn import environment


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
