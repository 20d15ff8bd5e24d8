"""Project-style checks registered through STRICT_CORE_HEALTH_CHECKS in the tests."""

from __future__ import annotations

import asyncio
import dataclasses
import threading
import time

from django_strict_core.healthcheck import CheckFailed, ServiceUnavailable


def passing() -> None:
    """A synchronous function check that passes."""


async def passing_async() -> None:
    """An asynchronous function check that passes."""
    await asyncio.sleep(0)


def failing() -> None:
    """A check that fails with a reason of its own."""
    raise CheckFailed("queue depth 12000 over 10000", reason="backlog")


def returns_false() -> bool:
    """A check that reports failure by returning False."""
    return False


def crashing() -> None:
    """A check with a bug: its exception text must not reach the answer."""
    raise KeyError("postgres://app:hunter2@db.internal:5432/app")


def sleeping(seconds: float) -> None:
    """A synchronous check that takes ``seconds``."""
    time.sleep(seconds)


@dataclasses.dataclass(frozen=True)
class Search:
    """A class-based async check with options; the token stays out of repr()."""

    url: str
    token: str = dataclasses.field(repr=False, default="")
    healthy: bool = True

    async def run(self) -> None:
        await asyncio.sleep(0)
        if not self.healthy:
            raise ServiceUnavailable(f"{self.url} answered 502")


class Counter:
    """A sync check that counts its calls and can be held until released."""

    def __init__(self, *, hold: float = 0.0) -> None:
        self.calls = 0
        self.hold = hold
        self.release = threading.Event()
        self._lock = threading.Lock()

    def run(self) -> None:
        with self._lock:
            self.calls += 1
        if self.hold:
            self.release.wait(self.hold)


class AsyncCounter:
    """An async check that counts its calls and sleeps."""

    def __init__(self, *, sleep: float = 0.0) -> None:
        self.calls = 0
        self.sleep = sleep

    async def run(self) -> None:
        self.calls += 1
        await asyncio.sleep(self.sleep)


class AsyncCallable:
    """An object whose ``__call__`` is a coroutine function."""

    async def __call__(self) -> None:
        await asyncio.sleep(0)


class Switch:
    """A check whose health the test turns off and on, failing with ``reason``."""

    def __init__(self, reason: str = "backlog") -> None:
        self.healthy = True
        self.reason = reason

    def run(self) -> None:
        if not self.healthy:
            raise CheckFailed("switched off", reason=self.reason)
