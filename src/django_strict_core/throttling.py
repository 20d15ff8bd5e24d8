"""Rate throttles whose budget holds across worker processes, and survive the cache.

DRF's rate throttles keep each client's request history in the cache: read it, add
the request, write it back. Two workers serving the same client at the same moment
both read the same history, and one of the writes is lost, so under concurrency a
client gets well over its rate (with two gunicorn workers, 131 requests of a budget
of 50 in one burst). The throttles here count with the cache's atomic ``add`` and
``incr`` instead, in a window that opens at a client's first request and lasts the
rate's period: at most ``N`` requests per window, however many processes serve them.

They also keep the API up when the cache is not: a failing cache call lets the
request through, logs a warning, and skips the cache for
``STRICT_CORE_THROTTLE_FAIL_OPEN_SECONDS`` (default 5) so that a hung Redis costs
one timeout per process and period rather than one per request. Set
``STRICT_CORE_THROTTLE_FAIL_OPEN = False`` to let the cache's error fail the request
instead.

A client is identified as every layer of the library identifies it
(:func:`django_strict_core.proxies.request_client`): ``X-Forwarded-For`` is read only
as far as DRF's ``NUM_PROXIES`` trusts it, and not at all when that is 0 or unset.

``build_settings`` puts :class:`AnonRateThrottle` and :class:`UserRateThrottle` in
``DEFAULT_THROTTLE_CLASSES``; rates are DRF's (``DEFAULT_THROTTLE_RATES``).
:class:`~django_strict_core.logins.FailedLoginThrottle` counts failed password
checks instead of requests.
"""

from __future__ import annotations

import logging
import math
import time
from typing import TYPE_CHECKING, Any

from rest_framework import throttling
from rest_framework.settings import api_settings

from django_strict_core.app_settings import app_settings
from django_strict_core.proxies import request_client
from django_strict_core.scoped import SettingsScoped

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView

logger = logging.getLogger("django_strict_core.throttling")

# A counter and its window's end live beside DRF's own history key, never on it.
COUNT_SUFFIX = ":count"
ENDS_SUFFIX = ":ends"
# The rates DRF copied onto its class at import; replaced rates are kept as they are.
_RATES_AT_IMPORT = throttling.SimpleRateThrottle.THROTTLE_RATES


class FailOpen:
    """Whether the throttles skip their cache, after it failed, and until when.

    One per process, built from the settings and rebuilt when ``CACHES`` or a
    ``STRICT_CORE_THROTTLE_*`` setting changes.

    Attributes:
        enabled: ``STRICT_CORE_THROTTLE_FAIL_OPEN``: let requests through when the
            cache fails.
        seconds: ``STRICT_CORE_THROTTLE_FAIL_OPEN_SECONDS``: how long to skip it.
    """

    def __init__(self, *, enabled: bool, seconds: float) -> None:
        """Start with the cache in use."""
        self.enabled = enabled
        self.seconds = seconds
        self.skipped_until = 0.0

    @classmethod
    def from_settings(cls) -> FailOpen:
        """Build it from the current settings.

        Returns:
            A state with the cache in use.
        """
        return cls(
            enabled=app_settings.STRICT_CORE_THROTTLE_FAIL_OPEN,
            seconds=app_settings.STRICT_CORE_THROTTLE_FAIL_OPEN_SECONDS,
        )

    def skipping(self) -> bool:
        """Whether a recent cache failure still lets requests pass unthrottled."""
        return self.enabled and time.monotonic() < self.skipped_until

    def skip_after(self, exc: Exception) -> None:
        """Let requests through without the cache for a while, and say so once."""
        self.skipped_until = time.monotonic() + self.seconds
        logger.warning(
            "Throttling skipped for %g s: the cache failed (%s)",
            self.seconds,
            type(exc).__name__,
            exc_info=exc,
        )


fail_open_state = SettingsScoped(
    FailOpen.from_settings, ("CACHES",), prefixes=("STRICT_CORE_THROTTLE_",)
)
"""The process's :class:`FailOpen`, rebuilt when its settings change."""


def cache_skipped() -> bool:
    """Whether a recent cache failure still lets requests pass unthrottled.

    Returns:
        ``True`` during ``STRICT_CORE_THROTTLE_FAIL_OPEN_SECONDS`` after a failure.
    """
    return fail_open_state.get().skipping()


def reset() -> None:
    """Try the cache again on the next request (for tests)."""
    fail_open_state.reset()


class AtomicRateThrottle(throttling.SimpleRateThrottle):
    """A rate throttle counting each client's requests atomically in the cache.

    Subclasses say who the client is (``get_cache_key``) and which rate applies
    (``scope``), exactly as for DRF's ``SimpleRateThrottle``.
    """

    num_requests: int
    duration: int
    window_ends: float | None = None

    def get_rate(self) -> str | None:
        """Return the scope's rate from the current ``DEFAULT_THROTTLE_RATES``.

        DRF copies the rates onto its class when it is imported; they are read
        again here, so a changed setting applies as the system checks see it.
        Rates set on a class (``THROTTLE_RATES = {...}``) are kept.

        Returns:
            The rate, e.g. ``100/hour``.
        """
        if self.THROTTLE_RATES is _RATES_AT_IMPORT:
            self.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES  # type: ignore[assignment]
        return super().get_rate()

    def get_ident(self, request: Request) -> str:
        """Return the client's address behind the trusted proxies.

        DRF's own reads the whole ``X-Forwarded-For`` header when ``NUM_PROXIES``
        is unset; this one trusts no proxy then.

        Args:
            request: The request.

        Returns:
            The address, or ``""`` when the connection has none (a Unix socket).
        """
        return request_client(request.META) or ""

    def allow_request(self, request: Request, view: APIView) -> bool:
        """Count the request in its client's window; refuse it over the rate.

        Returns:
            Whether the request is within the rate (or the cache is failing and
            ``STRICT_CORE_THROTTLE_FAIL_OPEN`` is on).
        """
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        state = fail_open_state.get()
        if state.skipping():
            return True
        try:
            count = self.count(self.key)
        except Exception as exc:  # any cache backend error: Redis, memcached, OS
            if not state.enabled:
                raise
            state.skip_after(exc)
            return True
        if count > self.num_requests:
            return self.throttle_failure()
        return True

    def count(self, key: str) -> int:
        """Add one request to the client's window and return the window's count.

        The first request of a window creates the counter (``add``) with the rate's
        period as its lifetime, and records when the window ends; later ones
        increment it (``incr``, atomic in Redis, memcached and the local-memory
        cache). A counter that expires between the two is created again.

        Args:
            key: The client's throttle key.

        Returns:
            How many requests the window has seen, this one included.
        """
        counter = key + COUNT_SUFFIX
        for _attempt in range(2):
            if self.cache.add(counter, 1, self.duration):
                self.window_ends = self.timer() + self.duration
                self.cache.set(key + ENDS_SUFFIX, self.window_ends, self.duration)
                return 1
            try:
                return int(self.cache.incr(counter))
            except ValueError:  # the window ended between add and incr
                continue
        return int(self.cache.incr(counter))

    def wait(self) -> float | None:
        """Return the seconds until the client's window ends (``Retry-After``).

        Returns:
            Whole seconds, at least 1.
        """
        ends: Any = self.window_ends
        if ends is None and self.key is not None:
            try:
                ends = self.cache.get(self.key + ENDS_SUFFIX)
            except Exception:  # the answer is throttled already; guess the period
                ends = None
        remaining = (
            float(ends) - self.timer() if ends is not None else float(self.duration)
        )
        return float(max(1, math.ceil(remaining)))


class AnonRateThrottle(AtomicRateThrottle, throttling.AnonRateThrottle):
    """DRF's ``AnonRateThrottle`` (scope ``anon``, by client address), counted atomically."""


class UserRateThrottle(AtomicRateThrottle, throttling.UserRateThrottle):
    """DRF's ``UserRateThrottle`` (scope ``user``, by user id), counted atomically."""


class ScopedRateThrottle(throttling.ScopedRateThrottle, AtomicRateThrottle):
    """DRF's ``ScopedRateThrottle`` (the view's ``throttle_scope``), counted atomically."""
