"""Real faults against the real PostgreSQL and Redis: refused, hung, stopped, back.

Every fault is made on loopback with :class:`~tests.support.faults.FaultProxy`:
a closed port, a listener that accepts and never answers, and a proxy in front of
the real server that is stopped and started (or hung and resumed). The shared
servers themselves are never touched.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import TYPE_CHECKING, Any

import psycopg
import pytest
from django.conf import settings
from django.db import connections
from django.test import override_settings

from django_strict_core.healthcheck import runner
from tests.healthcheck.conftest import (
    asgi_get,
    get,
    get_many,
    proxy_to,
    redis_cache,
)
from tests.support.faults import closed_port, wait_until

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.healthcheck.conftest import Answer
    from tests.support.faults import FaultProxy

# A fault must be answered within the deadline; this covers scheduling on a busy
# two-core machine, and stays under Kubernetes' 1 s default probe timeout.
SLACK = 0.4


def timed_get() -> tuple[Answer, float]:
    started = time.monotonic()
    answer = get()
    return answer, time.monotonic() - started


def body(answer: Answer) -> dict[str, str]:
    return json.loads(answer.content)  # type: ignore[no-any-return]


def with_cache(address: str) -> Any:
    """Settings with an extra django-redis cache ``faulty`` at ``address``."""
    return override_settings(CACHES={**settings.CACHES, "faulty": redis_cache(address)})


def health_threads() -> int:
    return sum(
        t.name.startswith(runner.THREAD_NAME_PREFIX) for t in threading.enumerate()
    )


@pytest.mark.usefixtures("short_deadline")
class TestDatabaseFaults:
    def test_a_closed_port_is_unavailable_within_the_deadline(
        self, add_database: Callable[[str | None], str], short_deadline: float
    ) -> None:
        alias = add_database(f"127.0.0.1:{closed_port()}")

        answer, elapsed = timed_get()

        assert answer.status_code == 503
        assert body(answer) == {
            "status": "unhealthy",
            "db": "ok",
            f"db:{alias}": "error: unavailable",
            "cache": "ok",
        }
        assert elapsed < short_deadline + SLACK

    def test_a_hung_server_times_out_at_the_deadline(
        self,
        add_database: Callable[[str | None], str],
        hung_server: FaultProxy,
        short_deadline: float,
    ) -> None:
        alias = add_database(hung_server.address)

        answer, elapsed = timed_get()

        assert answer.status_code == 503
        assert body(answer)[f"db:{alias}"] == "error: timeout"
        assert body(answer)["db"] == "ok"
        assert short_deadline <= elapsed < short_deadline + SLACK

    def test_a_stopped_server_is_unavailable_and_its_return_is_seen_at_once(
        self, add_database: Callable[[str | None], str], postgres_url: str
    ) -> None:
        with proxy_to(postgres_url) as proxy:
            alias = add_database(proxy.address)
            healthy = get()
            proxy.stop()
            stopped = get()
            proxy.start()
            back = get()

        assert (healthy.status_code, stopped.status_code, back.status_code) == (
            200,
            503,
            200,
        )
        assert body(stopped)[f"db:{alias}"] == "error: unavailable"
        assert body(back)[f"db:{alias}"] == "ok"

    def test_a_hung_server_that_recovers_is_healthy_again(
        self, add_database: Callable[[str | None], str], postgres_url: str
    ) -> None:
        with proxy_to(postgres_url) as proxy:
            alias = add_database(proxy.address)
            proxy.hang()
            hung = get()
            proxy.resume()
            assert wait_until(lambda: not runner._flights, timeout=3)
            back = get()

        assert body(hung)[f"db:{alias}"] == "error: timeout"
        assert back.status_code == 200

    def test_a_probe_storm_against_a_hung_server_holds_one_connection_attempt(
        self,
        add_database: Callable[[str | None], str],
        hung_server: FaultProxy,
    ) -> None:
        alias = add_database(hung_server.address)
        threads_before = health_threads()

        answers = [answer for _ in range(4) for answer in get_many(25)]

        assert {body(a)[f"db:{alias}"] for a in answers} == {"error: timeout"}
        # psycopg tries with and without TLS; never once per probe.
        assert 1 <= hung_server.accepted <= 2
        # db, db:<alias> and cache are the only checks: one thread each at most.
        assert health_threads() - threads_before <= 3


@pytest.mark.usefixtures("short_deadline", "database_access")
class TestCacheFaults:
    def test_a_closed_port_is_unavailable_within_the_deadline(
        self, short_deadline: float
    ) -> None:
        with with_cache(f"127.0.0.1:{closed_port()}"):
            answer, elapsed = timed_get()

        assert answer.status_code == 503
        assert body(answer)["cache:faulty"] == "error: unavailable"
        assert elapsed < short_deadline + SLACK

    def test_a_hung_server_times_out_at_the_deadline(
        self, hung_server: FaultProxy, short_deadline: float
    ) -> None:
        with with_cache(hung_server.address):
            answer, elapsed = timed_get()

        assert answer.status_code == 503
        assert body(answer)["cache:faulty"] == "error: timeout"
        assert body(answer)["cache"] == "ok"
        assert short_deadline <= elapsed < short_deadline + SLACK

    def test_a_stopped_server_is_unavailable_and_its_return_is_seen_at_once(
        self, redis_url: str
    ) -> None:
        with proxy_to(redis_url) as proxy, with_cache(proxy.address):
            healthy = get()
            proxy.stop()
            stopped = get()
            proxy.start()
            back = get()

        assert (healthy.status_code, stopped.status_code, back.status_code) == (
            200,
            503,
            200,
        )
        assert body(stopped)["cache:faulty"] == "error: unavailable"

    def test_a_hung_server_that_recovers_is_healthy_again(self, redis_url: str) -> None:
        with proxy_to(redis_url) as proxy, with_cache(proxy.address):
            assert get().status_code == 200  # the pool now holds a connection
            proxy.hang()
            hung = get()
            proxy.resume()
            assert wait_until(lambda: not runner._flights, timeout=3)
            back = get()

        assert body(hung)["cache:faulty"] == "error: timeout"
        assert back.status_code == 200

    def test_a_probe_storm_against_a_hung_server_holds_one_call(
        self, hung_server: FaultProxy
    ) -> None:
        with with_cache(hung_server.address):
            answers = [answer for _ in range(4) for answer in get_many(25)]

        assert {body(a)["cache:faulty"] for a in answers} == {"error: timeout"}
        assert hung_server.accepted <= 2


@pytest.mark.django_db
class TestSharedWork:
    def test_concurrent_probes_make_one_connection_to_each_backend(
        self, postgres_url: str, redis_url: str, database_access: None
    ) -> None:
        with proxy_to(postgres_url) as pg, proxy_to(redis_url) as rd:
            config = {**connections["default"].settings_dict, "PORT": pg.port}
            config["OPTIONS"] = {"connect_timeout": 2}
            connections.settings["shared"] = config
            try:
                with override_settings(
                    CACHES={"default": redis_cache(rd.address)},
                    STRICT_CORE_HEALTH_DATABASES=["shared"],
                ):
                    answers = get_many(50)
            finally:
                del connections.settings["shared"]

        assert {a.status_code for a in answers} == {200}
        assert (pg.accepted, rd.accepted) == (1, 1)

    def test_thousands_of_probes_leave_the_postgres_connection_count_flat(
        self, postgres_url: str, redis_url: str
    ) -> None:
        name = connections["default"].settings_dict["NAME"]

        def backends() -> int:
            with psycopg.connect(postgres_url, autocommit=True) as conn:
                row = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [name]
                ).fetchone()
            assert row is not None
            return int(row[0])

        async def probes() -> list[int]:
            # One real check run (a new connection) per sequential probe...
            statuses = [(await asgi_get()).status_code for _ in range(500)]
            # ...and one per wave of concurrent probes.
            for _ in range(30):
                wave = await asyncio.gather(*(asgi_get() for _ in range(50)))
                statuses += [a.status_code for a in wave]
            return statuses

        get()
        before = backends()
        statuses = asyncio.run(probes())
        after = backends()

        assert len(statuses) == 2000
        assert set(statuses) == {200}
        assert after == before


class TestPooledConnections:
    def test_pooled_connections_are_returned_to_the_pool(
        self, add_database: Callable[..., str]
    ) -> None:
        alias = add_database(None, pool={"min_size": 1, "max_size": 2})

        statuses = {get().status_code for _ in range(30)}
        stats = connections[alias].pool.get_stats()

        assert statuses == {200}
        assert stats["requests_num"] >= 30
        assert stats["pool_available"] == stats["pool_size"] <= 2
