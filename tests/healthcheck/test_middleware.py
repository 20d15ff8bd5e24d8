"""HealthCheckMiddleware: probes get their answer under strict production settings."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

import pytest
from asgiref.sync import iscoroutinefunction
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from django_strict_core.conf import StrictSettings, build_settings
from django_strict_core.healthcheck import HealthCheckMiddleware
from django_strict_core.healthcheck.middleware import probe_match
from tests.healthcheck.conftest import get, get_sync

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.http import HttpRequest

STRONG_KEY = "k3y-" + "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOP"
POD_IP = "10.42.0.17:8000"


def production_settings(**changes: Any) -> Any:
    """Override the request-handling settings with what production builds."""
    built = build_settings(
        StrictSettings(
            env="production",
            secret_key=STRONG_KEY,
            allowed_hosts="api.example.com",
        ),
        base_dir="/srv/app",
    )
    names = (
        "DEBUG",
        "ALLOWED_HOSTS",
        "MIDDLEWARE",
        "SECURE_SSL_REDIRECT",
        "SECURE_REDIRECT_EXEMPT",
        "SECURE_PROXY_SSL_HEADER",
        "SECURE_HSTS_SECONDS",
    )
    return override_settings(**{name: built[name] for name in names}, **changes)


def test_build_settings_puts_the_middleware_above_security_and_common() -> None:
    middleware = build_settings(StrictSettings(env="test"), base_dir="/srv")[
        "MIDDLEWARE"
    ]

    position = middleware.index("django_strict_core.healthcheck.HealthCheckMiddleware")
    assert position < middleware.index("django.middleware.security.SecurityMiddleware")
    assert position < middleware.index("django.middleware.common.CommonMiddleware")


@pytest.mark.django_db
class TestProductionProbes:
    @pytest.mark.parametrize("send", [get, get_sync], ids=["asgi", "wsgi"])
    @pytest.mark.parametrize(
        "path", ["/api/health/", "/api/health/ready/", "/api/health/live/"]
    )
    def test_plain_http_with_the_pod_ip_as_host_gets_the_answer(
        self, send: Callable[..., HttpResponse], path: str
    ) -> None:
        with production_settings():
            response = send(path, host=POD_IP)

        assert response.status_code == 200
        assert json.loads(response.content)["status"] == "healthy"
        assert "Strict-Transport-Security" not in response

    def test_other_paths_still_meet_the_host_check_and_the_redirect(self) -> None:
        with production_settings():
            wrong_host = get("/admin/", host=POD_IP)
            plain_http = get("/admin/", host="api.example.com")

        assert wrong_host.status_code == 400
        assert plain_http.status_code == 301
        assert plain_http["Location"] == "https://api.example.com/admin/"

    def test_without_the_middleware_the_probe_would_be_rejected(self) -> None:
        with production_settings():
            stack = [m for m in settings.MIDDLEWARE if "HealthCheckMiddleware" not in m]
            with override_settings(MIDDLEWARE=stack):
                response = get("/api/health/", host=POD_IP)

        assert response.status_code == 400

    def test_production_bodies_never_carry_exception_text(self) -> None:
        with production_settings(
            STRICT_CORE_HEALTH_CHECKS={
                "bug": "tests.healthcheck.sample_checks.crashing"
            }
        ):
            response = get("/api/health/", host=POD_IP)

        assert response.status_code == 503
        assert json.loads(response.content)["bug"] == "error: failed"
        assert b"hunter2" not in response.content


@pytest.mark.django_db
class TestMountPoints:
    @pytest.mark.parametrize(
        "path", ["/ops/health/", "/health/", "/ops/health/live/", "/health/ready/"]
    )
    def test_the_routes_are_answered_wherever_they_are_mounted(self, path: str) -> None:
        with production_settings(ROOT_URLCONF="tests.healthcheck.urls_elsewhere"):
            response = get(path, host=POD_IP)

        assert response.status_code == 200

    def test_a_project_page_ending_like_a_health_route_is_left_alone(self) -> None:
        with production_settings(ROOT_URLCONF="tests.healthcheck.urls_lookalike"):
            rejected = get("/status/health/", host=POD_IP)
            served = get(
                "/status/health/", host="api.example.com", x_forwarded_proto="https"
            )

        assert rejected.status_code == 400
        assert served.content == b"the project's page"

    def test_unknown_paths_with_probe_endings_pass_through(self) -> None:
        with production_settings():
            response = get(
                "/api/nothing/health/",
                host="api.example.com",
                x_forwarded_proto="https",
            )

        assert response.status_code == 404


class TestProbeMatch:
    def test_resolves_only_health_routes(self) -> None:
        factory = RequestFactory()

        health = factory.get("/api/health/")
        match = probe_match(health)

        assert match is not None
        assert match.view_name == "strict_core:health"
        assert health.resolver_match is match
        assert probe_match(factory.get("/admin/")) is None
        assert probe_match(factory.get("/admin/health/")) is None

    def test_the_request_urlconf_is_respected(self) -> None:
        request = RequestFactory().get("/ops/health/")
        assert probe_match(request) is None

        request.urlconf = "tests.healthcheck.urls_elsewhere"
        assert probe_match(request) is not None


class TestModes:
    def test_sync_mode_passes_other_requests_on(self) -> None:
        def downstream(request: HttpRequest) -> HttpResponse:
            return HttpResponse("downstream")

        middleware = HealthCheckMiddleware(downstream)

        assert not middleware.async_mode
        assert middleware(RequestFactory().get("/other/")).content == b"downstream"  # type: ignore[union-attr]

    def test_async_mode_is_a_coroutine_function(self) -> None:
        async def downstream(request: HttpRequest) -> HttpResponse:
            return HttpResponse("downstream")

        middleware = HealthCheckMiddleware(downstream)
        response = asyncio.run(middleware(RequestFactory().get("/other/")))  # type: ignore[arg-type]

        assert iscoroutinefunction(middleware)
        assert response.content == b"downstream"
