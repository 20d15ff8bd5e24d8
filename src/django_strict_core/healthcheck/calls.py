"""The health check threads: synchronous checks, one call in progress per check.

A call that outlives its deadline (a backend that hangs) keeps running; the next
probes join it rather than start another, so a probe storm against a hung server
holds one thread and one connection attempt per check. The threads are this
package's own, never Django's shared ``sync_to_async`` thread, so a hung backend
cannot stall the application's other synchronous work.
"""

from __future__ import annotations

import asyncio
import inspect
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from functools import partial
from typing import TYPE_CHECKING, Final

from django.db import connections

from django_strict_core.healthcheck.base import MISCONFIGURED, CheckFailed

if TYPE_CHECKING:
    from collections.abc import Callable, Hashable
    from concurrent.futures import Future

THREAD_NAME_PREFIX: Final = "strict-core-health"
# Each check has at most one call in a thread at a time, so the pool only needs as
# many threads as there are synchronous checks; this is a ceiling, not a reservation.
MAX_THREADS: Final = 16


class SingleFlightPool:
    """A small thread pool that runs at most one call per key at a time.

    Threads are started on first use and end when the pool is garbage collected.
    """

    def __init__(self) -> None:
        """Create the pool; no thread starts yet."""
        # Reentrant: a call that is already done runs its callback, which takes the
        # lock, inside submit().
        self._lock = threading.RLock()
        self._executor: ThreadPoolExecutor | None = None
        self._flights: dict[Hashable, Future[object]] = {}

    @property
    def in_flight(self) -> frozenset[Hashable]:
        """The keys whose call has not finished yet."""
        with self._lock:
            return frozenset(self._flights)

    def submit(self, key: Hashable, call: Callable[[], object]) -> Future[object]:
        """Return the call in progress for ``key``, or start ``call`` in a thread.

        Returns:
            The call's future, shared with every caller until it finishes.
        """
        with self._lock:
            future = self._flights.get(key)
            if future is None:
                if self._executor is None:
                    self._executor = ThreadPoolExecutor(
                        max_workers=MAX_THREADS, thread_name_prefix=THREAD_NAME_PREFIX
                    )
                future = self._executor.submit(_call_in_thread, call)
                self._flights[key] = future
                future.add_done_callback(partial(self._land, key))
            return future

    def _land(self, key: Hashable, future: Future[object]) -> None:
        """Forget a finished call so that the next probe starts a fresh one."""
        with self._lock:
            if self._flights.get(key) is future:
                del self._flights[key]


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


async def wait(future: Future[object], timeout: float) -> object:
    """Wait for a call in a thread, up to ``timeout``, without cancelling it.

    The call may be shared with other probes and other event loops, so a deadline
    only stops this waiter; the call itself ends with its backend's own timeout.

    Returns:
        What the call returned.

    Raises:
        asyncio.TimeoutError: When the call has not finished at the deadline.
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
