"""Rate throttles counted atomically in the cache, and failing open when it fails."""

from __future__ import annotations

import logging
import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, ClassVar

import pytest
from django.core.cache import caches
from django.test import override_settings
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from django_strict_core import throttling
from tests.support.faults import closed_port

if TYPE_CHECKING:
    from collections.abc import Iterator

    from rest_framework.request import Request

factory = APIRequestFactory()


class FiveAMinute(throttling.AnonRateThrottle):
    rate = "5/minute"


class FiftyAnHour(throttling.AnonRateThrottle):
    rate = "50/hour"


class TwoASecond(throttling.AnonRateThrottle):
    rate = "2/second"


class ThrottledView(APIView):
    authentication_classes: ClassVar[list[type[Any]]] = []
    permission_classes = (AllowAny,)
    throttle_classes = (FiveAMinute,)

    def get(self, request: Request) -> Response:
        return Response({"ok": True})


class ScopedView(ThrottledView):
    throttle_classes = (throttling.ScopedRateThrottle,)
    throttle_scope = "uploads"


def client_request(address: str | None = None) -> Any:
    """A request from its own client address, so each test has a fresh budget."""
    octets = ".".join(str(secrets.randbelow(250)) for _ in range(3))
    return factory.get("/", REMOTE_ADDR=address or f"10.{octets}")


def redis_caches(url: str) -> dict[str, Any]:
    """``CACHES`` on a Redis URL, with short timeouts and a prefix of its own."""
    return {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": f"strict-core-throttle-tests-{secrets.token_hex(4)}",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
        }
    }


@pytest.fixture(autouse=True)
def _cache_tried_again() -> Iterator[None]:
    throttling.reset()
    yield
    throttling.reset()


class TestBudget:
    def test_a_client_gets_exactly_its_rate_then_429_with_retry_after(self) -> None:
        request = client_request()
        view = ThrottledView.as_view()

        responses = [view(request) for _ in range(7)]

        assert [r.status_code for r in responses] == [200] * 5 + [429] * 2
        assert responses[-1].data["errors"][0]["code"] == "throttled"
        assert 55 <= int(responses[-1]["Retry-After"]) <= 60

    def test_clients_have_budgets_of_their_own(self) -> None:
        view = ThrottledView.as_view()
        first, second = client_request(), client_request()

        for _ in range(5):
            view(first)

        assert view(first).status_code == 429
        assert view(second).status_code == 200

    def test_the_scope_of_a_scoped_throttle_comes_from_the_view(self) -> None:
        view = ScopedView.as_view()
        request = client_request()

        # DRF reads the rates into a class attribute when it is imported.
        throttling.ScopedRateThrottle.THROTTLE_RATES = {"uploads": "1/minute"}
        try:
            statuses = [view(request).status_code for _ in range(2)]
        finally:
            del throttling.ScopedRateThrottle.THROTTLE_RATES

        assert statuses == [200, 429]

    def test_a_new_window_opens_when_the_period_is_over(self) -> None:
        throttle = TwoASecond()
        request = ThrottledView().initialize_request(client_request())

        first = [throttle.allow_request(request, ThrottledView()) for _ in range(3)]
        time.sleep(1.2)
        later = throttle.allow_request(request, ThrottledView())

        assert first == [True, True, False]
        assert later is True

    def test_wait_is_the_time_left_in_the_window(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        clock = [1_000_000.0]
        monkeypatch.setattr(FiftyAnHour, "timer", lambda _self: clock[0])
        request = ThrottledView().initialize_request(client_request())
        FiftyAnHour().allow_request(request, ThrottledView())
        clock[0] += 600.2

        later = FiftyAnHour()
        later.allow_request(request, ThrottledView())

        assert later.wait() == 3000.0

    def test_drfs_own_history_key_is_left_alone(self) -> None:
        # A deployment switching classes may still hold DRF's history under the key.
        request = ThrottledView().initialize_request(client_request("10.9.9.9"))
        throttle = FiveAMinute()
        key = throttle.get_cache_key(request, ThrottledView())
        caches["default"].set(key, [time.time()] * 10, 60)

        assert throttle.allow_request(request, ThrottledView()) is True


class TestConcurrency:
    def test_the_budget_holds_when_many_threads_count_at_once(
        self, redis_url: str
    ) -> None:
        view = ThrottledView()
        request = view.initialize_request(client_request())
        start = threading.Barrier(16)

        def spend(_: int) -> list[bool]:
            start.wait()
            return [FiftyAnHour().allow_request(request, view) for _ in range(25)]

        with (
            override_settings(CACHES=redis_caches(redis_url)),
            ThreadPoolExecutor(max_workers=16) as pool,
        ):
            allowed = [ok for batch in pool.map(spend, range(16)) for ok in batch]
            caches["default"].delete_pattern("*")

        assert allowed.count(True) == 50
        assert len(allowed) == 400


class TestCacheFailure:
    @pytest.fixture
    def refused(self) -> Iterator[None]:
        with override_settings(
            CACHES=redis_caches(f"redis://127.0.0.1:{closed_port()}/0")
        ):
            yield

    def test_a_failing_cache_lets_the_request_through_and_warns_once(
        self, refused: None, caplog: pytest.LogCaptureFixture
    ) -> None:
        view = ThrottledView.as_view()
        request = client_request()

        with caplog.at_level(logging.WARNING, logger="django_strict_core.throttling"):
            statuses = [view(request).status_code for _ in range(10)]

        assert statuses == [200] * 10
        warnings = [
            r for r in caplog.records if r.name == "django_strict_core.throttling"
        ]
        assert len(warnings) == 1
        assert warnings[0].getMessage() == (
            "Throttling skipped for 5 s: the cache failed (ConnectionError)"
        )
        assert warnings[0].exc_info is not None

    def test_the_cache_is_not_asked_while_it_is_skipped(
        self, refused: None, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        request = ThrottledView().initialize_request(client_request())
        FiveAMinute().allow_request(request, ThrottledView())
        calls: list[str] = []
        monkeypatch.setattr(FiveAMinute, "count", lambda _self, key: calls.append(key))

        allowed = FiveAMinute().allow_request(request, ThrottledView())

        assert allowed is True
        assert calls == []
        assert throttling.cache_skipped()

    def test_the_cache_is_tried_again_after_the_skip(self, refused: None) -> None:
        request = ThrottledView().initialize_request(client_request())

        with override_settings(STRICT_CORE_THROTTLE_FAIL_OPEN_SECONDS=0.2):
            FiveAMinute().allow_request(request, ThrottledView())
            skipped = throttling.cache_skipped()
            time.sleep(0.3)

        assert skipped
        assert not throttling.cache_skipped()

    def test_failing_closed_raises_the_caches_error(self, refused: None) -> None:
        from redis.exceptions import ConnectionError as RedisConnectionError  # noqa: PLC0415

        request = ThrottledView().initialize_request(client_request())

        with (
            override_settings(STRICT_CORE_THROTTLE_FAIL_OPEN=False),
            pytest.raises(RedisConnectionError),
        ):
            FiveAMinute().allow_request(request, ThrottledView())
        assert not throttling.cache_skipped()

    def test_wait_guesses_the_period_when_the_cache_fails(self, refused: None) -> None:
        throttle = FiveAMinute()
        throttle.key = "throttle_anon_10.0.0.1"

        assert throttle.wait() == 60.0


def test_no_rate_or_no_identity_is_never_throttled() -> None:
    class Unlimited(throttling.AnonRateThrottle):
        rate = None

        def __init__(self) -> None:
            self.rate = None

    class Anonymous(throttling.UserRateThrottle):
        rate = "1/minute"

        def get_cache_key(self, request: Any, view: Any) -> None:
            return None

    request = ThrottledView().initialize_request(client_request())

    assert all(Unlimited().allow_request(request, ThrottledView()) for _ in range(3))
    assert all(Anonymous().allow_request(request, ThrottledView()) for _ in range(3))
