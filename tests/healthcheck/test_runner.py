"""The runner: concurrency, deadlines, shared runs, the result cache and the log."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from typing import TYPE_CHECKING, Any

from django.test import override_settings

from django_strict_core.healthcheck import CheckResult, run_checks
from django_strict_core.healthcheck.runner import THREAD_NAME_PREFIX
from tests.healthcheck import sample_checks

if TYPE_CHECKING:
    import pytest

    from django_strict_core.healthcheck import HealthReport

LOCMEM = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}


def only(**entries: Any) -> Any:
    """Settings under which exactly the given project checks run.

    Upper-case ``STRICT_CORE_*`` names are settings; the other names are checks.
    """
    options = {k: v for k, v in entries.items() if k.startswith("STRICT_CORE_")}
    checks = {k: v for k, v in entries.items() if k not in options}
    return override_settings(
        STRICT_CORE_HEALTH_DATABASES=[],
        STRICT_CORE_HEALTH_CACHES=[],
        STRICT_CORE_HEALTH_CHECKS=checks,
        **options,
    )


def run() -> HealthReport:
    return asyncio.run(run_checks())


def health_threads() -> int:
    return sum(t.name.startswith(THREAD_NAME_PREFIX) for t in threading.enumerate())


class TestConcurrency:
    def test_synchronous_checks_run_at_the_same_time(self) -> None:
        barrier = threading.Barrier(3, timeout=2)

        def meet() -> None:
            barrier.wait()  # raises BrokenBarrierError unless all three are running

        with only(
            a={"CHECK": meet, "TIMEOUT": 3},
            b={"CHECK": meet, "TIMEOUT": 3},
            c={"CHECK": meet, "TIMEOUT": 3},
        ):
            report = run()

        assert report.healthy, report.as_dict(debug=True)

    def test_sync_and_async_checks_overlap(self) -> None:
        started = threading.Event()

        def sync_side() -> None:
            started.set()
            time.sleep(0.2)

        async def async_side() -> None:
            # Passes only if the sync check is running while this one waits.
            for _ in range(100):
                if started.is_set():
                    return
                await asyncio.sleep(0.01)
            raise AssertionError("the synchronous check never started")

        with only(sync=sync_side, async_=async_side):
            report = run()

        assert report.healthy, report.as_dict(debug=True)

    def test_total_time_is_the_slowest_check_not_the_sum(self) -> None:
        slow = {"CHECK": sample_checks.sleeping, "OPTIONS": {"seconds": 0.3}}
        with only(a=slow, b=slow, c=slow, STRICT_CORE_HEALTH_TIMEOUT=2):
            started = time.monotonic()
            report = run()
            elapsed = time.monotonic() - started

        assert report.healthy
        assert [r.duration >= 0.29 for r in report.results] == [True] * 3
        assert elapsed < 0.6, f"{elapsed:.3f} s for three 0.3 s checks"


class TestDeadlines:
    def test_a_slow_sync_check_times_out_at_its_deadline(self) -> None:
        held = sample_checks.Counter(hold=5)
        with only(
            held=held, fast=sample_checks.passing, STRICT_CORE_HEALTH_TIMEOUT=0.2
        ):
            started = time.monotonic()
            report = run()
            elapsed = time.monotonic() - started
        held.release.set()

        assert report.as_dict() == {
            "status": "unhealthy",
            "held": "error: timeout",
            "fast": "ok",
        }
        assert 0.2 <= elapsed < 0.5

    def test_an_answer_that_arrives_while_the_loop_is_busy_is_not_a_timeout(
        self,
    ) -> None:
        # Under load the event loop can be busy when the deadline passes. A check
        # that has answered by the time the loop looks is healthy: the deadline is
        # there to catch backends that never answer.
        async def busy_probe() -> HealthReport:
            probe = asyncio.ensure_future(run_checks())
            await asyncio.sleep(0.05)  # the check is running in its thread
            time.sleep(0.45)  # the loop serves something else past the deadline
            return await probe

        slow = {"CHECK": sample_checks.sleeping, "OPTIONS": {"seconds": 0.3}}
        with only(slow=slow, STRICT_CORE_HEALTH_TIMEOUT=0.2):
            report = asyncio.run(busy_probe())

        assert report.as_dict() == {"status": "healthy", "slow": "ok"}

    def test_a_slow_async_check_is_cancelled_at_its_own_deadline(self) -> None:
        slow = sample_checks.AsyncCounter(sleep=5)
        with only(slow={"CHECK": slow, "TIMEOUT": 0.1}):
            started = time.monotonic()
            report = run()

        assert time.monotonic() - started < 0.4
        assert report.results[0].reason == "timeout"
        assert report.results[0].detail == "no answer within 0.1 s"


class TestSharing:
    def test_concurrent_probes_share_one_run(self) -> None:
        counter = sample_checks.AsyncCounter(sleep=0.1)

        async def storm() -> list[HealthReport]:
            return list(await asyncio.gather(*(run_checks() for _ in range(50))))

        with only(counted=counter):
            reports = asyncio.run(storm())

        assert counter.calls == 1
        assert all(r.healthy for r in reports)

    def test_a_cancelled_probe_does_not_cancel_the_shared_run(self) -> None:
        counter = sample_checks.AsyncCounter(sleep=0.2)

        async def one_gives_up() -> HealthReport:
            quitter = asyncio.ensure_future(run_checks())
            stayer = asyncio.ensure_future(run_checks())
            await asyncio.sleep(0.05)
            quitter.cancel()
            return await stayer

        with only(counted=counter):
            report = asyncio.run(one_gives_up())

        assert report.healthy
        assert counter.calls == 1

    def test_a_stuck_sync_call_is_joined_not_repeated(self) -> None:
        stuck = sample_checks.Counter(hold=10)
        threads_before = health_threads()
        with only(stuck=stuck, STRICT_CORE_HEALTH_TIMEOUT=0.05):
            reports = [run() for _ in range(5)]
            calls_while_stuck = stuck.calls
            stuck.release.set()
            time.sleep(0.05)
            after_release = run()

        assert [r.as_dict()["stuck"] for r in reports] == ["error: timeout"] * 5
        assert calls_while_stuck == 1
        assert health_threads() - threads_before <= 1
        assert after_release.healthy
        assert stuck.calls == 2

    def test_sequential_probes_run_the_checks_again(self) -> None:
        counter = sample_checks.AsyncCounter()
        with only(counted=counter):
            run()
            run()

        assert counter.calls == 2

    def test_a_short_result_cache_answers_later_probes(self) -> None:
        counter = sample_checks.AsyncCounter()
        with only(counted=counter, STRICT_CORE_HEALTH_CACHE_SECONDS=0.3):
            first, second = run(), run()
            time.sleep(0.35)
            third = run()

        assert second is first
        assert third is not first
        assert counter.calls == 2

    def test_a_settings_change_never_reuses_a_report(self) -> None:
        counter = sample_checks.AsyncCounter()
        with only(counted=counter, STRICT_CORE_HEALTH_CACHE_SECONDS=60):
            first = run()
            with override_settings(STRICT_CORE_HEALTH_TIMEOUT=0.4):
                second = run()
            third = run()

        assert second is not first
        assert third is not second
        assert counter.calls == 3


class TestOutcomes:
    def test_each_failure_becomes_a_short_reason(self) -> None:
        with only(
            backlog=sample_checks.failing,
            false=sample_checks.returns_false,
            bug=sample_checks.crashing,
            ok=sample_checks.passing,
        ):
            report = run()

        assert report.as_dict() == {
            "status": "unhealthy",
            "backlog": "error: backlog",
            "false": "error: failed",
            "bug": "error: failed",
            "ok": "ok",
        }

    def test_debug_answers_carry_the_exception(self) -> None:
        with only(bug=sample_checks.crashing):
            body = run().as_dict(debug=True)

        assert body["bug"] == (
            "error: failed (KeyError: 'postgres://app:hunter2@db.internal:5432/app')"
        )

    def test_failures_are_logged_with_the_exception(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        with (
            only(bug=sample_checks.crashing),
            caplog.at_level(logging.WARNING, "django_strict_core.healthcheck"),
        ):
            run()

        (record,) = caplog.records
        assert record.getMessage() == "Health check 'bug' failed: failed"
        assert record.levelno == logging.ERROR
        assert record.exc_info is not None
        assert "hunter2" in str(record.exc_info[1])
        assert (record.health_check, record.reason) == ("bug", "failed")  # type: ignore[attr-defined]

    def test_a_lasting_failure_is_logged_when_it_starts_and_when_it_ends(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        switch = sample_checks.Switch()
        with (
            only(queue=switch.run),
            caplog.at_level(logging.DEBUG, "django_strict_core.healthcheck"),
        ):
            run()
            switch.healthy = False
            for _ in range(5):
                run()
            switch.reason = "stalled"
            run()
            run()
            switch.healthy = True
            run()
            run()

        changes = [
            (r.levelname, r.getMessage())
            for r in caplog.records
            if r.levelno >= logging.WARNING
        ]
        assert changes[:2] == [
            ("ERROR", "Health check 'queue' failed: backlog"),
            ("ERROR", "Health check 'queue' failed: stalled"),
        ]
        assert len(changes) == 3
        assert changes[2][0] == "WARNING"
        assert changes[2][1].startswith("Health check 'queue' passes again after ")

    def test_a_non_critical_failure_is_a_warning(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        with (
            only(search={"CHECK": sample_checks.failing, "CRITICAL": False}),
            caplog.at_level(logging.WARNING, "django_strict_core.healthcheck"),
        ):
            run()
            run()

        (record,) = caplog.records
        assert record.levelno == logging.WARNING

    def test_a_non_critical_failure_is_reported_but_healthy(self) -> None:
        with only(
            search={
                "CHECK": sample_checks.Search,
                "OPTIONS": {"url": "https://search.internal", "healthy": False},
                "CRITICAL": False,
            }
        ):
            report = run()

        assert report.healthy
        assert report.as_dict() == {"status": "healthy", "search": "error: unavailable"}

    def test_a_sync_function_returning_a_coroutine_is_a_misconfiguration(self) -> None:
        def looks_sync() -> Any:
            return sample_checks.passing_async()

        with only(wrong=looks_sync):
            report = run()

        assert report.as_dict()["wrong"] == "error: misconfigured"

    def test_a_report_without_checks_is_healthy(self) -> None:
        with only():
            assert run().as_dict() == {"status": "healthy"}

    def test_check_results_know_whether_they_passed(self) -> None:
        assert CheckResult("db", critical=True).ok
        assert not CheckResult("db", critical=True, reason="timeout").ok
