"""Fixtures of the health check tests: fresh runner state, fault proxies, probes."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import dj_database_url
import pytest
from django.core.handlers.asgi import ASGIHandler
from django.db import connections
from django.test import Client

from django_strict_core.healthcheck import conf
from tests.support.faults import FaultProxy

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from django.http import HttpResponse
    from pytest_django import DjangoDbBlocker

# Short deadlines keep the fault tests fast; the default is 0.5 s.
TEST_DEADLINE = 0.3


@pytest.fixture(autouse=True)
def fresh_runner_state() -> None:
    """Start every test in a new generation: no run, report or call is shared."""
    conf._forget_built_state(setting="STRICT_CORE_HEALTH_TEST")


@pytest.fixture
def short_deadline(settings: Any) -> float:
    """Make every check's deadline 0.3 s."""
    settings.STRICT_CORE_HEALTH_TIMEOUT = TEST_DEADLINE
    return TEST_DEADLINE


@dataclasses.dataclass
class Answer:
    """What an ASGI server would send back for one request."""

    status_code: int
    headers: dict[str, str]
    content: bytes

    def __getitem__(self, name: str) -> str:
        return self.headers[name.lower()]

    def __contains__(self, name: str) -> bool:
        return name.lower() in self.headers


async def asgi_get(
    path: str = "/api/health/", *, method: str = "GET", **headers: str
) -> Answer:
    """Send one request through Django's ASGI handler, as uvicorn would.

    Unlike the test client, this sends exactly one ``Host`` header (``testserver``
    unless ``host`` is given), over plain HTTP unless a header says otherwise.
    """
    sent = {
        "host": "testserver",
        **{k.replace("_", "-"): v for k, v in headers.items()},
    }
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.encode(), v.encode()) for k, v in sent.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    messages: list[dict[str, Any]] = []
    requests = [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive() -> dict[str, Any]:
        if requests:
            return requests.pop()
        await asyncio.get_running_loop().create_future()  # the client stays connected
        raise AssertionError("unreachable")

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    await ASGIHandler()(scope, receive, send)
    start = next(m for m in messages if m["type"] == "http.response.start")
    return Answer(
        status_code=start["status"],
        headers={k.decode().lower(): v.decode() for k, v in start["headers"]},
        content=b"".join(
            m.get("body", b"") for m in messages if m["type"] == "http.response.body"
        ),
    )


def get(path: str = "/api/health/", **headers: str) -> Answer:
    """Probe through the ASGI handler (the middleware's async path)."""
    return asyncio.run(asgi_get(path, **headers))


def get_many(count: int, path: str = "/api/health/") -> list[Answer]:
    """Send ``count`` concurrent probes through one event loop."""

    async def send() -> list[Answer]:
        return list(await asyncio.gather(*(asgi_get(path) for _ in range(count))))

    return asyncio.run(send())


def get_sync(path: str = "/api/health/", **headers: str) -> HttpResponse:
    """Probe through the WSGI handler (the middleware's sync path)."""
    return Client().get(path, headers=headers)  # type: ignore[return-value]


@pytest.fixture
def database_access(django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    """Allow connections from any thread to any alias, outside a test transaction.

    Django's test cases refuse connections to aliases added during a test; checks
    only connect and ask whether the connection is usable, so no isolation is lost.
    """
    with django_db_blocker.unblock():
        yield


@pytest.fixture
def add_database(
    postgres_url: str, database_access: None
) -> Iterator[Callable[..., str]]:
    """Add a database alias for a host:port (the real server's by default).

    Returns the alias (unique per call); its key in the answer is ``db:<alias>``.
    """
    added: list[str] = []

    def add(address: str | None = None, **options: Any) -> str:
        url = postgres_url
        if address is not None:
            parts = urlsplit(postgres_url)
            url = parts._replace(netloc=f"{parts.username}@{address}").geturl()
        config = dj_database_url.parse(url)
        config["NAME"] = connections["default"].settings_dict["NAME"]
        config["OPTIONS"] = {"connect_timeout": 2, **options}
        alias = f"extra_{uuid.uuid4().hex[:8]}"
        configured = connections.configure_settings(
            {"default": connections.settings["default"], alias: config}
        )
        connections.settings[alias] = configured[alias]
        added.append(alias)
        return alias

    yield add
    for alias in added:
        if connections.settings[alias]["OPTIONS"].get("pool"):
            connections[alias].close_pool()
        del connections.settings[alias]


@contextmanager
def proxy_to(url: str, **kwargs: Any) -> Iterator[FaultProxy]:
    """Run a :class:`FaultProxy` in front of the server of ``url``."""
    parts = urlsplit(url)
    with FaultProxy(
        (parts.hostname or "127.0.0.1", parts.port or 0), **kwargs
    ) as proxy:
        yield proxy


@pytest.fixture
def hung_server() -> Iterator[FaultProxy]:
    """A listener that accepts connections and never answers."""
    with FaultProxy() as server:
        yield server


def redis_cache(address: str, *, db: int = 0, **options: Any) -> dict[str, Any]:
    """A django-redis cache entry for ``host:port`` with short timeouts."""
    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": f"redis://{address}/{db}",
        "KEY_PREFIX": "strict-core-health-tests",
        "OPTIONS": {
            "SOCKET_CONNECT_TIMEOUT": 1.0,
            "SOCKET_TIMEOUT": 1.0,
            **options,
        },
    }
