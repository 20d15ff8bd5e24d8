"""The probe endpoints: seed JSON, methods, headers, and what each route touches."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from django.db import connections
from django.test import Client, override_settings
from django.urls import reverse

from tests.healthcheck.conftest import get, get_sync
from tests.support.faults import closed_port

if TYPE_CHECKING:
    from django.http import HttpResponse

LOCMEM = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}


def body(response: HttpResponse) -> dict[str, str]:
    return json.loads(response.content)  # type: ignore[no-any-return]


@pytest.mark.django_db
class TestReadiness:
    @pytest.mark.parametrize("path", ["/api/health/", "/api/health/ready/"])
    def test_healthy_answer_is_exactly_the_seed_json(
        self, path: str, postgres_url: str, redis_url: str
    ) -> None:
        response = get(path)

        assert response.status_code == 200
        assert response.content == b'{"status": "healthy", "db": "ok", "cache": "ok"}'

    def test_headers_forbid_caching_and_describe_the_json(self) -> None:
        response = get()

        assert response["Content-Type"] == "application/json"
        assert response["Cache-Control"] == "no-store"
        assert response["Content-Length"] == str(len(response.content))
        assert response["X-Content-Type-Options"] == "nosniff"

    def test_head_answers_with_the_status_and_headers_of_get(self) -> None:
        response = Client().head("/api/health/")

        assert response.status_code == 200
        assert response.content == b""
        assert int(response["Content-Length"]) == len(
            b'{"status": "healthy", "db": "ok", "cache": "ok"}'
        )
        assert response["Cache-Control"] == "no-store"

    @pytest.mark.parametrize("method", ["post", "put", "delete", "options"])
    def test_other_methods_are_not_allowed(self, method: str) -> None:
        response = getattr(Client(), method)("/api/health/")

        assert response.status_code == 405
        assert response["Allow"] == "GET, HEAD"

    @pytest.mark.parametrize("path", ["/api/health/", "/api/health/live/"])
    def test_other_methods_are_answered_with_the_envelope(self, path: str) -> None:
        response = Client().post(path)

        assert response.status_code == 405
        assert response["Content-Type"] == "application/json"
        assert response.json() == {
            "type": "client_error",
            "errors": [
                {
                    "code": "method_not_allowed",
                    "detail": 'Method "POST" not allowed.',
                    "attr": None,
                }
            ],
        }

    def test_unhealthy_answer_is_503_with_a_reason_per_key(self) -> None:
        broken = {
            "default": LOCMEM,
            "sessions": {
                "BACKEND": "django_redis.cache.RedisCache",
                "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
            },
        }
        with override_settings(CACHES=broken):
            response = get()

        assert response.status_code == 503
        assert body(response) == {
            "status": "unhealthy",
            "db": "ok",
            "cache": "ok",
            "cache:sessions": "error: unavailable",
        }
        assert response["Cache-Control"] == "no-store"

    @override_settings(
        STRICT_CORE_HEALTH_CHECKS={
            "queue": "tests.healthcheck.sample_checks.passing_async",
            "search": {
                "CHECK": "tests.healthcheck.sample_checks.Search",
                "OPTIONS": {"url": "https://search.internal", "healthy": False},
                "CRITICAL": False,
            },
        }
    )
    def test_project_checks_appear_under_their_keys(self) -> None:
        response = get()

        assert response.status_code == 200
        assert body(response) == {
            "status": "healthy",
            "db": "ok",
            "cache": "ok",
            "queue": "ok",
            "search": "error: unavailable",
        }

    @override_settings(
        STRICT_CORE_HEALTH_CHECKS={"queue": "tests.healthcheck.sample_checks.failing"}
    )
    def test_a_failing_critical_project_check_makes_the_answer_503(self) -> None:
        response = get()

        assert response.status_code == 503
        assert body(response)["queue"] == "error: backlog"

    def test_the_sync_handler_gives_the_same_answer(self) -> None:
        response = get_sync()

        assert response.status_code == 200
        assert body(response) == {"status": "healthy", "db": "ok", "cache": "ok"}

    @override_settings(MIDDLEWARE=[])  # the view handler, not the middleware, answers
    def test_atomic_requests_do_not_wrap_the_async_views(self) -> None:
        connection = connections["default"]
        previous = connection.settings_dict["ATOMIC_REQUESTS"]
        connection.settings_dict["ATOMIC_REQUESTS"] = True
        try:
            response = get_sync(path="/api/health/")
            live = get_sync(path="/api/health/live/")
        finally:
            connection.settings_dict["ATOMIC_REQUESTS"] = previous

        assert (response.status_code, live.status_code) == (200, 200)

    def test_routes_are_named_in_the_strict_core_namespace(self) -> None:
        assert reverse("strict_core:health") == "/api/health/"
        assert reverse("strict_core:ready") == "/api/health/ready/"
        assert reverse("strict_core:live") == "/api/health/live/"


class TestLiveness:
    def test_answers_without_touching_any_backend(self) -> None:
        # No database access is allowed in this test, and every cache is unreachable.
        unreachable = {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
        }
        with override_settings(CACHES={"default": unreachable}):
            response = get("/api/health/live/")

        assert response.status_code == 200
        assert response.content == b'{"status": "healthy"}'
        assert response["Cache-Control"] == "no-store"

    def test_head_is_allowed(self) -> None:
        response = Client().head("/api/health/live/")

        assert response.status_code == 200
        assert response["Content-Length"] == "21"


@pytest.mark.django_db
class TestNoAuthenticationRequired:
    @override_settings(
        MIDDLEWARE=[
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.contrib.auth.middleware.LoginRequiredMiddleware",
        ]
    )
    def test_login_required_middleware_lets_probes_through(self) -> None:
        assert get("/api/health/").status_code == 200
        assert get("/api/health/live/").status_code == 200
        assert get("/admin/").status_code == 302
