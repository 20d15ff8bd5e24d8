"""Run the checks concurrently, each against its deadline, and share the work.

Three things keep probes cheap and bounded:

* **Deadlines.** Every check has one (``STRICT_CORE_HEALTH_TIMEOUT``); the checks run
  concurrently, so a report takes about as long as its slowest check, never longer
  than the largest deadline.
* **Single flight.** Probes that arrive while a report is being made on the same
  event loop wait for that report instead of starting their own. Below that, each
  synchronous check has at most one call in progress per process
  (:mod:`~django_strict_core.healthcheck.calls`).
* **An optional result cache** (``STRICT_CORE_HEALTH_CACHE_SECONDS``).

The log tells of changes, not of runs: a check is logged when it starts failing
(or fails for another reason) and when it passes again, so an outage probed every
second writes two records per check and process, not one per probe.

All of it belongs to one :class:`HealthRunner` per process, built from the settings
and rebuilt when ``DATABASES``, ``CACHES`` or a ``STRICT_CORE_HEALTH_*`` setting
changes, so no run, report or call is shared across a change.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from typing import TYPE_CHECKING, cast

from django_strict_core.app_settings import app_settings
from django_strict_core.healthcheck.base import TIMEOUT, CheckFailed, reason_for
from django_strict_core.healthcheck.calls import (
    THREAD_NAME_PREFIX,
    SingleFlightPool,
    wait,
)
from django_strict_core.healthcheck.registry import CheckRegistry
from django_strict_core.healthcheck.report import CheckResult, HealthReport
from django_strict_core.scoped import SettingsScoped

if TYPE_CHECKING:
    from collections.abc import Awaitable

    from django_strict_core.healthcheck.registry import RegisteredCheck

__all__ = [
    "THREAD_NAME_PREFIX",
    "CheckResult",
    "HealthReport",
    "HealthRunner",
    "health_runner",
    "run_checks",
]

logger = logging.getLogger("django_strict_core.healthcheck")


class HealthRunner:
    """Runs the registered checks; owns the threads, the run in progress and the report.

    Attributes:
        registry: The checks to run.
        cache_seconds: How long a finished report answers later probes; 0 never.
        pool: The threads synchronous checks run in.
    """

    def __init__(self, registry: CheckRegistry, *, cache_seconds: float = 0) -> None:
        """Create the runner; nothing runs yet."""
        self.registry = registry
        self.cache_seconds = cache_seconds
        self.pool = SingleFlightPool()
        self._lock = threading.Lock()
        self._run: asyncio.Task[HealthReport] | None = None
        self._last_report: tuple[float, HealthReport] | None = None
        # The failing checks: each one's reason and when it began failing.
        self._failing: dict[str, tuple[str, float]] = {}

    @classmethod
    def from_settings(cls) -> HealthRunner:
        """Build a runner from the current settings.

        Returns:
            The runner.

        Raises:
            ImproperlyConfigured: When the health check options are invalid.
        """
        return cls(
            CheckRegistry.from_settings(),
            cache_seconds=app_settings.STRICT_CORE_HEALTH_CACHE_SECONDS,
        )

    async def run(self) -> HealthReport:
        """Run every check, or share a run in progress or a recent report.

        Returns:
            The report.

        Raises:
            ImproperlyConfigured: When a selected alias is not configured.
        """
        cached = self._recent_report()
        if cached is not None:
            return cached
        loop = asyncio.get_running_loop()
        with self._lock:
            task = self._run
            if task is None or task.done() or task.get_loop() is not loop:
                task = loop.create_task(self._run_all(self.registry.checks()))
                self._run = task
        # A cancelled probe (its client went away) must not cancel the shared run.
        return await asyncio.shield(task)

    def _recent_report(self) -> HealthReport | None:
        last = self._last_report
        if (
            self.cache_seconds
            and last is not None
            and time.monotonic() - last[0] < self.cache_seconds
        ):
            return last[1]
        return None

    async def _run_all(self, checks: tuple[RegisteredCheck, ...]) -> HealthReport:
        started = time.monotonic()
        results = await asyncio.gather(*(self._run_one(check) for check in checks))
        report = HealthReport(tuple(results))
        self._last_report = (time.monotonic(), report)
        self._log_changes(report)
        logger.debug(
            "Health checks finished in %.1f ms: %s",
            (time.monotonic() - started) * 1000,
            "healthy" if report.healthy else "unhealthy",
        )
        return report

    async def _run_one(self, check: RegisteredCheck) -> CheckResult:
        """Run one check against its deadline; turn any failure into a reason."""
        started = time.monotonic()
        try:
            if check.is_async:
                awaitable = cast("Awaitable[object]", check.call())
                outcome = await asyncio.wait_for(awaitable, check.timeout)
            else:
                future = self.pool.submit(check.key, check.call)
                outcome = await wait(future, check.timeout)
            if outcome is False:
                raise CheckFailed("the check returned False")
        except asyncio.TimeoutError:
            return CheckResult(
                check.key,
                check.critical,
                TIMEOUT,
                f"no answer within {check.timeout:g} s",
                time.monotonic() - started,
            )
        except Exception as exc:  # every failure must become a reason
            return CheckResult(
                check.key,
                check.critical,
                reason_for(exc),
                f"{type(exc).__name__}: {exc}",
                time.monotonic() - started,
                exception=exc,
            )
        return CheckResult(
            check.key, check.critical, duration=time.monotonic() - started
        )

    def _log_changes(self, report: HealthReport) -> None:
        """Log each check that began failing, failed otherwise, or passes again.

        A critical check's failure is an ``ERROR`` (the service is unhealthy), a
        non-critical one's a ``WARNING``, each with the exception; passing again is
        a ``WARNING`` saying for how long it failed.
        """
        now = time.monotonic()
        with self._lock:
            changed = []
            for result in report.results:
                before = self._failing.get(result.key)
                if result.ok:
                    if before is not None:
                        del self._failing[result.key]
                        changed.append((result, now - before[1]))
                elif before is None or before[0] != result.reason:
                    since = now if before is None else before[1]
                    self._failing[result.key] = (str(result.reason), since)
                    changed.append((result, 0.0))
        for result, failed_for in changed:
            _log_change(result, failed_for)


def _log_change(result: CheckResult, failed_for: float) -> None:
    extra = {"health_check": result.key, "reason": result.reason}
    if result.ok:
        logger.warning(
            "Health check %r passes again after %.1f s failing",
            result.key,
            failed_for,
            extra={**extra, "failed_seconds": round(failed_for, 3)},
        )
        return
    level = logging.ERROR if result.critical else logging.WARNING
    if result.reason == TIMEOUT:
        logger.log(
            level,
            "Health check %r timed out after %.3f s (%s)",
            result.key,
            result.duration,
            result.detail,
            extra=extra,
        )
    else:
        logger.log(
            level,
            "Health check %r failed: %s",
            result.key,
            result.reason,
            exc_info=result.exception,
            extra=extra,
        )


health_runner = SettingsScoped(
    HealthRunner.from_settings,
    ("DATABASES", "CACHES"),
    prefixes=("STRICT_CORE_HEALTH_",),
)
"""The process's :class:`HealthRunner`, rebuilt when the settings it reads change."""


async def run_checks() -> HealthReport:
    """Run every registered check, or share a run in progress or a recent report.

    Returns:
        The report.

    Raises:
        ImproperlyConfigured: When the health check options are invalid.
    """
    return await health_runner.get().run()
