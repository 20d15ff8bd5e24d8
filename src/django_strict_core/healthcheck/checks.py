"""The built-in checks: every database alias, every cache alias, and Redis by URL.

Each check is a small frozen dataclass named after the service it checks. Its
``run()`` is synchronous (Django's ORM, cache API and redis-py are), so the runner
calls it in the health check threads; connections a check opens are closed or
returned to their pool before ``run()`` returns.
"""

from __future__ import annotations

import dataclasses
import os
import secrets
import socket

import redis
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.db import DEFAULT_DB_ALIAS, connections
from django_redis.cache import RedisCache  # type: ignore[import-untyped]
from redis.backoff import NoBackoff
from redis.retry import Retry

from django_strict_core.healthcheck.base import ServiceUnavailable, UnexpectedResult


@dataclasses.dataclass(frozen=True)
class Database:
    """Open a connection to a database alias and ask Django whether it is usable.

    No SQL of this package's own is run: Django's ``is_usable()`` asks the backend.
    A connection the check opens is closed (or returned to psycopg's pool) at the
    end; one that was already open in the calling thread is left as it was. How long
    a connection attempt to an unresponsive server may block the thread is the
    backend's connect timeout (``DATABASE_CONNECT_TIMEOUT`` with ``build_settings``).

    Attributes:
        alias: The ``DATABASES`` alias.
    """

    alias: str = DEFAULT_DB_ALIAS

    def run(self) -> None:
        """Connect and check the connection.

        Raises:
            ServiceUnavailable: When Django reports the connection unusable.
            django.db.Error: When the backend cannot be reached.
        """
        connection = connections[self.alias]
        opened_here = connection.connection is None
        try:
            connection.ensure_connection()
            if not connection.is_usable():
                raise ServiceUnavailable(f"database {self.alias!r} is not usable")
        finally:
            if opened_here:
                connection.close()


@dataclasses.dataclass(frozen=True)
class Cache:
    """Write a short-lived value to a cache alias and read it back.

    Each run uses a key of its own (host name, process id and a random token under
    ``key_prefix``, with the cache's own ``KEY_PREFIX``), deletes it after reading it
    back, and lets it expire after ``expires`` seconds should the delete not happen,
    so probes never pile up keys. For django-redis the check goes through the cache's client,
    so ``IGNORE_EXCEPTIONS`` cannot hide an unreachable Redis.

    Attributes:
        alias: The ``CACHES`` alias.
        key_prefix: Prefix of the probe key.
        expires: Lifetime of the probe key, in seconds.
    """

    alias: str = DEFAULT_CACHE_ALIAS
    key_prefix: str = "strict_core:health"
    expires: int = 10

    def run(self) -> None:
        """Set and get the probe key.

        Raises:
            UnexpectedResult: When the value read back differs from the one written.
            Exception: Whatever the cache backend raises when it cannot be reached.
        """
        cache = caches[self.alias]
        store = cache.client if isinstance(cache, RedisCache) else cache
        token = secrets.token_hex(8)
        # A key of its own per run: two runs (another alias on the same server, a
        # run still finishing after a settings change) never read each other's value.
        key = f"{self.key_prefix}:{socket.gethostname()}:{os.getpid()}:{token}"
        try:
            store.set(key, token, timeout=self.expires)
            value = store.get(key)
            store.delete(key)
        finally:
            cache.close()
        if value != token:
            raise UnexpectedResult(f"cache {self.alias!r} returned another value")


@dataclasses.dataclass(frozen=True)
class Redis:
    """PING a Redis server that is not a Django cache (a broker, a channel layer).

    Register it through ``STRICT_CORE_HEALTH_CHECKS`` with the URL in ``OPTIONS``.
    Each run opens one connection without retries and closes it.

    Attributes:
        url: A ``redis://``, ``rediss://`` or ``unix://`` URL; kept out of ``repr()``
            because it may hold a password.
        timeout: Connect and socket timeout, in seconds.
    """

    url: str = dataclasses.field(repr=False)
    timeout: float = 1.0

    def run(self) -> None:
        """Send PING.

        Raises:
            UnexpectedResult: When the server does not answer PONG.
            redis.exceptions.RedisError: When it cannot be reached.
        """
        client = redis.Redis.from_url(
            self.url,
            socket_timeout=self.timeout,
            socket_connect_timeout=self.timeout,
            retry=Retry(NoBackoff(), 0),
        )
        try:
            if client.ping() is not True:
                raise UnexpectedResult("redis did not answer PONG")
        finally:
            client.close()
