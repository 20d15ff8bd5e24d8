"""The built-in checks against the real PostgreSQL and Redis (and local memory)."""

from __future__ import annotations

import os
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import pytest
import redis
from django.core.cache import caches
from django.db import OperationalError, connections
from django.test import override_settings

from django_strict_core.healthcheck import Cache, Database, Redis, UnexpectedResult
from django_strict_core.healthcheck.base import reason_for
from tests.healthcheck.conftest import redis_cache
from tests.support.faults import closed_port

if TYPE_CHECKING:
    from collections.abc import Callable

LOCMEM = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}


def in_thread(function: Callable[[], Any]) -> Any:
    """Call ``function`` in a new thread (as the runner does) and return or raise."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = function()
        except Exception as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(10)
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def redis_address(url: str) -> str:
    """``host:port`` of a Redis URL."""
    return url.split("://", 1)[1].split("/", 1)[0]


@pytest.mark.django_db
class TestDatabase:
    def test_passes_against_the_real_postgres(self, postgres_url: str) -> None:
        assert in_thread(Database().run) is None

    def test_closes_the_connection_it_opened(self, postgres_url: str) -> None:
        def run_and_report() -> object:
            Database().run()
            return connections["default"].connection

        assert in_thread(run_and_report) is None

    def test_leaves_an_open_connection_of_the_caller_open(
        self, postgres_url: str
    ) -> None:
        connection = connections["default"]
        connection.ensure_connection()

        Database().run()

        assert connection.connection is not None
        assert connection.is_usable()

    def test_a_refused_connection_raises_a_database_error(
        self, add_database: Callable[[str | None], str]
    ) -> None:
        alias = add_database(f"127.0.0.1:{closed_port()}")

        with pytest.raises(OperationalError):
            in_thread(Database(alias).run)


class TestCache:
    @override_settings(CACHES={"default": LOCMEM})
    def test_passes_with_local_memory(self) -> None:
        Cache().run()

    def test_passes_with_the_real_redis_and_leaves_no_key(self, redis_url: str) -> None:
        caches_setting = {"default": redis_cache(redis_address(redis_url))}
        with override_settings(CACHES=caches_setting):
            Cache(expires=7).run()
            Cache(expires=7).run()
            client = caches["default"].client.get_client(write=True)
            pattern = f"strict-core-health-tests:1:strict_core:health:{socket.gethostname()}:{os.getpid()}:*"
            left = list(client.scan_iter(match=pattern))

        assert left == []

    def test_concurrent_runs_on_one_redis_never_read_each_others_value(
        self, redis_url: str
    ) -> None:
        # Two aliases on the same server and prefix, as with a session cache beside the
        # default one, run at the same time on every probe.
        same = redis_cache(redis_address(redis_url))
        with (
            override_settings(CACHES={"default": same, "sessions": same}),
            ThreadPoolExecutor(max_workers=8) as pool,
        ):
            runs = [
                pool.submit(Cache(alias=alias).run)
                for _ in range(40)
                for alias in ("default", "sessions")
            ]
            failures = [run.exception() for run in runs if run.exception() is not None]

        assert failures == []

    def test_ignore_exceptions_cannot_hide_an_unreachable_redis(self) -> None:
        unreachable = redis_cache(f"127.0.0.1:{closed_port()}", IGNORE_EXCEPTIONS=True)
        with override_settings(CACHES={"default": unreachable}):
            assert caches["default"].get("anything") is None  # the app sees no error
            with pytest.raises(Exception) as raised:
                Cache().run()

        assert reason_for(raised.value) == "unavailable"

    @override_settings(
        CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    )
    def test_a_cache_that_loses_writes_is_an_unexpected_result(self) -> None:
        with pytest.raises(UnexpectedResult):
            Cache().run()


class TestRedis:
    def test_pings_the_real_redis(self, redis_url: str) -> None:
        Redis(url=redis_url).run()

    def test_a_refused_connection_raises_without_retrying(self) -> None:
        with pytest.raises(redis.exceptions.ConnectionError):
            Redis(url=f"redis://127.0.0.1:{closed_port()}/0").run()

    def test_repr_never_shows_the_url(self) -> None:
        check = Redis(url="redis://:hunter2@broker.internal:6379/0", timeout=0.5)

        assert repr(check) == "Redis(timeout=0.5)"


def test_checks_are_small_named_dataclasses() -> None:
    assert repr(Database("replica")) == "Database(alias='replica')"
    assert repr(Cache("sessions")) == (
        "Cache(alias='sessions', key_prefix='strict_core:health', expires=10)"
    )
