"""Failed logins spend the client's budget; once it is spent, logins are refused.

Each test comes from an address of its own, so its budgets start at zero in the
shared cache.
"""

from __future__ import annotations

import base64
import logging
import secrets
from typing import TYPE_CHECKING, Any

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings as django_settings
from django.contrib import admin
from django.contrib.auth.views import LoginView
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.test import AsyncClient, Client, RequestFactory
from rest_framework.authtoken.views import ObtainAuthToken

from django_strict_core import throttling
from django_strict_core.logins import (
    FailedLoginThrottle,
    LoginThrottleMiddleware,
    is_login_view,
)
from django_strict_core.testing import closed_port
from tests.apps.logins.views import SignInView

if TYPE_CHECKING:
    from collections.abc import Iterator

    from django.http import HttpResponse

pytestmark = [pytest.mark.urls("tests.apps.logins.urls"), pytest.mark.django_db]

PASSWORD = "correct-horse-battery-staple"
MIDDLEWARE = "django_strict_core.logins.LoginThrottleMiddleware"
BUDGET = 3


@pytest.fixture(autouse=True)
def budgets(settings: Any) -> Iterator[None]:
    """Three failed logins and three anonymous requests per hour, the middleware on."""
    throttling.reset()
    settings.MIDDLEWARE = [*django_settings.MIDDLEWARE, MIDDLEWARE]
    rates = {
        **django_settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
        "login": f"{BUDGET}/hour",
        "anon": f"{BUDGET}/hour",
    }
    settings.REST_FRAMEWORK = {
        **django_settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": rates,
    }
    yield
    throttling.reset()


@pytest.fixture
def staff(django_user_model: Any) -> Any:
    return django_user_model.objects.create_superuser(
        "admin", "admin@example.com", PASSWORD
    )


def new_address() -> str:
    return "10." + ".".join(str(secrets.randbelow(250) + 1) for _ in range(3))


def client() -> Client:
    return Client(REMOTE_ADDR=new_address())


def admin_login(browser: Client, password: str) -> HttpResponse:
    return browser.post(  # type: ignore[return-value]
        "/admin/login/?next=/admin/",
        {"username": "admin", "password": password, "next": "/admin/"},
    )


def api_login(browser: Client, path: str, password: str) -> HttpResponse:
    return browser.post(  # type: ignore[return-value]
        path,
        {"username": "admin", "password": password},
        content_type="application/json",
    )


def assert_throttled_envelope(response: HttpResponse) -> None:
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert response.json()["errors"][0]["code"] == "throttled"  # type: ignore[attr-defined]
    assert 1 <= int(response["Retry-After"]) <= 3600


@pytest.mark.usefixtures("staff")
class TestLoginViews:
    def test_the_admin_refuses_the_right_password_once_the_budget_is_spent(
        self,
    ) -> None:
        attacker = client()

        wrong = [admin_login(attacker, "guess").status_code for _ in range(BUDGET)]
        right = admin_login(attacker, PASSWORD)

        assert wrong == [200] * BUDGET
        assert right.status_code == 429
        assert right["Content-Type"] == "text/plain; charset=utf-8"
        assert 1 <= int(right["Retry-After"]) <= 3600
        assert b"Too many failed logins" in right.content
        assert admin_login(client(), PASSWORD).status_code == 302

    def test_successful_logins_spend_nothing(self) -> None:
        user = client()

        answers = [admin_login(user, PASSWORD).status_code for _ in range(BUDGET + 2)]

        assert answers == [302] * (BUDGET + 2)

    def test_djangos_login_view_counts_and_refuses_too(self) -> None:
        attacker = client()
        form = {"username": "admin", "password": "guess"}

        wrong = [
            attacker.post("/accounts/login/", form).status_code for _ in range(BUDGET)
        ]
        right = attacker.post(
            "/accounts/login/", {"username": "admin", "password": PASSWORD}
        )

        assert wrong == [200] * BUDGET
        assert right.status_code == 429

    def test_drfs_obtain_auth_token_is_refused_with_the_envelope(self) -> None:
        attacker = client()

        wrong = [
            api_login(attacker, "/api/token/", "guess").status_code
            for _ in range(BUDGET)
        ]

        assert wrong == [400] * BUDGET
        assert_throttled_envelope(api_login(attacker, "/api/token/", PASSWORD))

    def test_a_drf_view_with_the_throttle_counts_checks_made_without_the_request(
        self,
    ) -> None:
        attacker = client()

        wrong = [
            api_login(attacker, "/api/sign-in/", "guess").status_code
            for _ in range(BUDGET)
        ]

        assert wrong == [400] * BUDGET
        assert_throttled_envelope(api_login(attacker, "/api/sign-in/", PASSWORD))

    def test_the_async_path_counts_and_refuses_alike(self) -> None:
        # The async client always comes from 127.0.0.1: start its budget at zero.
        attacker = AsyncClient()
        key = FailedLoginThrottle().get_cache_key(
            RequestFactory().get("/", REMOTE_ADDR="127.0.0.1"),  # type: ignore[arg-type]
            None,
        )
        caches["default"].delete_many(
            [key + throttling.COUNT_SUFFIX, key + throttling.ENDS_SUFFIX]
        )

        def attempt(password: str) -> Any:
            return async_to_sync(attacker.post)(
                "/api/sign-in/",
                {"username": "admin", "password": password},
                content_type="application/json",
            )

        wrong = [attempt("guess").status_code for _ in range(BUDGET)]

        assert wrong == [400] * BUDGET
        assert_throttled_envelope(attempt(PASSWORD))

    def test_the_budget_is_shared_by_every_login_of_the_client(self) -> None:
        attacker = client()

        for _ in range(BUDGET):
            admin_login(attacker, "guess")

        assert_throttled_envelope(api_login(attacker, "/api/sign-in/", PASSWORD))

    def test_a_failing_cache_lets_logins_be_checked(
        self, settings: Any, caplog: pytest.LogCaptureFixture
    ) -> None:
        settings.CACHES = {
            "default": {
                "BACKEND": "django_redis.cache.RedisCache",
                "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
                "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
            }
        }
        settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
        attacker = client()

        with caplog.at_level(logging.WARNING, "django_strict_core.throttling"):
            wrong = admin_login(attacker, "guess")
            right = admin_login(attacker, PASSWORD)

        assert (wrong.status_code, right.status_code) == (200, 302)
        assert "Throttling skipped" in caplog.text


class TestFailedAuthentication:
    def test_made_up_tokens_spend_the_anonymous_budget(self) -> None:
        attacker = client()

        def attempt() -> HttpResponse:
            return attacker.get(  # type: ignore[return-value]
                "/api/me/",
                headers={"Authorization": f"Token {secrets.token_hex(20)}"},
            )

        answers = [attempt().status_code for _ in range(BUDGET)]

        assert answers == [401] * BUDGET
        assert_throttled_envelope(attempt())

    @pytest.mark.usefixtures("staff")
    def test_a_wrong_basic_password_spends_the_login_budget_too(self) -> None:
        attacker = client()
        basic = base64.b64encode(b"admin:guess").decode()

        for _ in range(BUDGET):
            attacker.get("/api/open/", headers={"Authorization": f"Basic {basic}"})

        assert_throttled_envelope(api_login(attacker, "/api/sign-in/", PASSWORD))

    def test_a_view_without_throttles_keeps_answering_401(self) -> None:
        attacker = client()

        answers = [
            attacker.get(
                "/api/open/", headers={"Authorization": "Token " + "0" * 40}
            ).status_code
            for _ in range(BUDGET + 2)
        ]

        assert answers == [401] * (BUDGET + 2)


class TestSetup:
    def test_the_middleware_needs_a_login_rate(self, settings: Any) -> None:
        settings.REST_FRAMEWORK = {
            **django_settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {"anon": "1/hour", "user": "1/hour"},
        }

        with pytest.raises(ImproperlyConfigured, match="'login' rate"):
            LoginThrottleMiddleware(lambda _request: None)  # type: ignore[arg-type,return-value]

    @pytest.mark.parametrize(
        ("view", "expected"),
        [
            (admin.site.login, True),
            (admin.site.logout, False),
            (LoginView.as_view(), True),
            (type("ShopLogin", (LoginView,), {}).as_view(), True),
            (ObtainAuthToken.as_view(), True),
            (SignInView.as_view(), False),
            (lambda _request: None, False),
        ],
    )
    def test_login_views_are_recognised(self, view: Any, expected: object) -> None:
        assert is_login_view(view) is expected
