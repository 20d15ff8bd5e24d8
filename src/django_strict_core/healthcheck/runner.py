"""Run the checks concurrently, each against its deadline, and share the work.

Three things keep probes cheap and bounded:

* **Deadlines.** Every check has one (``STRICT_CORE_HEALTH_TIMEOUT``); the checks run
  concurrently, so a report takes about as long as its slowest check, never longer
  than the largest deadline.
* **Single flight.** Probes that arrive while a report is being made on the same
  event loop wait for that report instead of starting their own. Below that, each
  synchronous check has at most one call in progress per process: a call still
  blocked on a hung backend after its deadline is joined by the next probes rather
  than repeated, so a probe storm against a hung server holds one thread per check,
  and a check never queues connection attempts behind each other.
* **An optional result cache** (``STRICT_CORE_HEALTH_CACHE_SECONDS``).

Synchronous checks run in this module's own small thread pool, never in Django's
shared ``sync_to_async`` thread, so a hung backend cannot stall the application's
other synchronous work.
"""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from functools import partial
from typing import TYPE_CHECKING, Final, cast

from django.db import connections

from django_strict_core.healthcheck import conf
from django_strict_core.healthcheck.base import (
    MISCONFIGURED,
    TIMEOUT,
    CheckFailed,
    reason_for,
)

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from concurrent.futures import Future

    from django_strict_core.healthcheck.conf import RegisteredCheck

logger = logging.getLogger("django_strict_core.healthcheck")

THREAD_NAME_PREFIX: Final = "strict-core-health"
# Each check has at most one call in a thread at a time, so the pool only needs as
# many threads as there are synchronous checks; this is a ceiling, not a reservation.
MAX_THREADS: Final = 16

_lock = threading.RLock()
_executor: ThreadPoolExecutor | None = None
_flights: dict[tuple[int, str], Future[object]] = {}
_run: tuple[int, asyncio.Task[HealthReport]] | None = None
_last_report: tuple[int, float, HealthReport] | None = None


@dataclasses.dataclass(frozen=True)
class CheckResult:
    """The outcome of one check.

    Attributes:
        key: Its key in the answer.
        critical: Whether a failure makes the answer unhealthy.
        reason: ``None`` when healthy, else the short reason (``timeout``, ...).
        detail: The exception type and text, for DEBUG answers and the log.
        duration: Seconds the check took, up to its deadline.
    """

    key: str
    critical: bool
    reason: str | None = None
    detail: str = ""
    duration: float = 0.0

    @property
    def ok(self) -> bool:
        """Whether the check passed."""
        return self.reason is None


@dataclasses.dataclass(frozen=True)
class HealthReport:
    """The outcome of every check of one run.

    Attributes:
        results: One result per check, in answer order.
    """

    results: tuple[CheckResult, ...]

    @property
    def healthy(self) -> bool:
        """Whether every critical check passed."""
        return all(result.ok or not result.critical for result in self.results)

    def as_dict(self, *, debug: bool = False) -> dict[str, str]:
        """Return the JSON body: ``status`` first, then one entry per check.

        Args:
            debug: Append the exception type and text to each failure. Only for
                DEBUG: the text may name hosts, ports or users.

        Returns:
            ``{"status": "healthy" | "unhealthy", key: "ok" | "error: <reason>"}``.
        """
        body = {"status": "healthy" if self.healthy else "unhealthy"}
        for result in self.results:
            if result.ok:
                body[result.key] = "ok"
            elif debug and result.detail:
                body[result.key] = f"error: {result.reason} ({result.detail})"
            else:
                body[result.key] = f"error: {result.reason}"
        return body


async def run_checks() -> HealthReport:
    """Run every registered check, or share a run in progress or a recent report.

    Returns:
        The report.

    Raises:
        ImproperlyConfigured: When the health check options are invalid.
    """
    global _run  # noqa: PLW0603
    generation = conf.generation()
    cached = _recent_report(generation)
    if cached is not None:
        return cached
    loop = asyncio.get_running_loop()
    with _lock:
        current = _run
        if (
            current is None
            or current[0] != generation
            or current[1].done()
            or current[1].get_loop() is not loop
        ):
            task = loop.create_task(_run_all(generation, conf.registered_checks()))
            _run = current = (generation, task)
    # A cancelled probe (its client went away) must not cancel the shared run.
    return await asyncio.shield(current[1])


def _recent_report(generation: int) -> HealthReport | None:
    """Return the last report while ``STRICT_CORE_HEALTH_CACHE_SECONDS`` allows."""
    seconds = conf.cache_seconds()
    last = _last_report
    if (
        seconds
        and last is not None
        and last[0] == generation
        and time.monotonic() - last[1] < seconds
    ):
        return last[2]
    return None


async def _run_all(
    generation: int, checks: tuple[RegisteredCheck, ...]
) -> HealthReport:
    """Run the checks concurrently and remember the report."""
    global _last_report  # noqa: PLW0603
    started = time.monotonic()
    results = await asyncio.gather(*(_run_one(generation, c) for c in checks))
    report = HealthReport(tuple(results))
    _last_report = (generation, time.monotonic(), report)
    logger.debug(
        "Health checks finished in %.1f ms: %s",
        (time.monotonic() - started) * 1000,
        "healthy" if report.healthy else "unhealthy",
    )
    return report


async def _run_one(generation: int, check: RegisteredCheck) -> CheckResult:
    """Run one check against its deadline; turn any failure into a reason."""
    started = time.monotonic()
    try:
        if check.is_async:
            awaitable = cast("Awaitable[object]", check.call())
            outcome = await asyncio.wait_for(awaitable, check.timeout)
        else:
            future = _submit((generation, check.key), check.call)
            outcome = await _wait(future, check.timeout)
        if outcome is False:
            raise CheckFailed("the check returned False")
    except asyncio.TimeoutError:
        elapsed = time.monotonic() - started
        logger.warning(
            "Health check %r timed out after %.3f s (deadline %.3f s)",
            check.key,
            elapsed,
            check.timeout,
            extra={"health_check": check.key, "reason": TIMEOUT},
        )
        return CheckResult(
            check.key,
            check.critical,
            TIMEOUT,
            f"no answer within {check.timeout:g} s",
            elapsed,
        )
    except Exception as exc:  # every failure must become a reason
        reason = reason_for(exc)
        logger.warning(
            "Health check %r failed: %s",
            check.key,
            reason,
            exc_info=exc,
            extra={"health_check": check.key, "reason": reason},
        )
        return CheckResult(
            check.key,
            check.critical,
            reason,
            f"{type(exc).__name__}: {exc}",
            time.monotonic() - started,
        )
    return CheckResult(check.key, check.critical, duration=time.monotonic() - started)


def _submit(flight: tuple[int, str], call: Callable[[], object]) -> Future[object]:
    """Return the call in progress for ``flight``, or start one in the pool."""
    with _lock:
        future = _flights.get(flight)
        if future is None:
            future = _pool().submit(_call_in_thread, call)
            _flights[flight] = future
            future.add_done_callback(partial(_land, flight))
        return future


def _land(flight: tuple[int, str], future: Future[object]) -> None:
    """Forget a finished call so that the next probe starts a fresh one."""
    with _lock:
        if _flights.get(flight) is future:
            del _flights[flight]


def _pool() -> ThreadPoolExecutor:
    """Return the health check threads, created on first use."""
    global _executor  # noqa: PLW0603
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(
                max_workers=MAX_THREADS, thread_name_prefix=THREAD_NAME_PREFIX
            )
        return _executor


def _call_in_thread(call: Callable[[], object]) -> object:
    """Call a synchronous check; close the database connections it left open."""
    try:
        outcome = call()
        if inspect.isawaitable(outcome):
            if inspect.iscoroutine(outcome):
                outcome.close()
            raise CheckFailed(
                "a synchronous check returned an awaitable; declare it async def",
                reason=MISCONFIGURED,
            )
        return outcome
    finally:
        # These threads serve only checks: nothing may stay open between runs.
        connections.close_all()


async def _wait(future: Future[object], timeout: float) -> object:
    """Wait for a call in a thread, up to ``timeout``, without cancelling it.

    The call may be shared with other probes and other event loops, so a deadline
    only stops this waiter; the call itself ends with its backend's own timeout.
    """
    loop = asyncio.get_running_loop()
    waiter: asyncio.Future[None] = loop.create_future()

    def wake(_: Future[object]) -> None:
        # The loop may have closed (a synchronous server's one-off loop).
        with suppress(RuntimeError):
            loop.call_soon_threadsafe(_settle, waiter)

    future.add_done_callback(wake)
    try:
        await asyncio.wait_for(waiter, timeout)
    except asyncio.TimeoutError:
        # The deadline is about the backend. A call that has finished answered in
        # time; only this busy event loop was late to hear about it.
        if not future.done():
            raise
    return future.result()


def _settle(waiter: asyncio.Future[None]) -> None:
    """Resolve a waiter unless its deadline already cancelled it."""
    if not waiter.done():
        waiter.set_result(None)
