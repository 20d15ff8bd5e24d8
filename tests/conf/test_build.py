"""build_settings: the Django settings produced from a validated environment."""

from __future__ import annotations

import json
import logging
import logging.config
import re
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.cache import CacheHandler
from django.db.utils import ConnectionHandler
from django.test import override_settings
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory
from rest_framework.throttling import AnonRateThrottle

from django_strict_core.conf import StrictSettings, build_settings

if TYPE_CHECKING:
    from pytest_django import DjangoDbBlocker

STRONG_KEY = "k3y-" + "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOP"
BASE_DIR = Path("/srv/app")


def build(**values: object) -> dict[str, object]:
    """Build Django settings from explicit values on top of the environment."""
    return build_settings(StrictSettings(**values), base_dir=BASE_DIR)


def production(**values: object) -> dict[str, object]:
    """Build production settings with the required values."""
    return build(
        env="production",
        secret_key=STRONG_KEY,
        allowed_hosts="api.example.com",
        **values,
    )


@pytest.mark.usefixtures("clean_environ")
class TestCoreSettings:
    def test_secret_key_is_a_plain_string(self) -> None:
        result = production()

        assert result["SECRET_KEY"] == STRONG_KEY
        assert type(result["SECRET_KEY"]) is str

    def test_profile_is_exported_for_the_system_checks(self) -> None:
        assert production()["STRICT_CORE_ENV"] == "production"
        assert build()["STRICT_CORE_ENV"] == "local"

    def test_hosts_and_origins(self) -> None:
        result = production(csrf_trusted_origins="https://api.example.com")

        assert result["ALLOWED_HOSTS"] == ["api.example.com"]
        assert result["CSRF_TRUSTED_ORIGINS"] == ["https://api.example.com"]
        assert result["DEBUG"] is False

    def test_base_dir_may_be_a_string(self) -> None:
        result = build_settings(StrictSettings(), base_dir="/srv/other")

        assert result["STATIC_ROOT"] == Path("/srv/other/staticfiles")

    def test_test_profile_uses_a_fast_password_hasher(self) -> None:
        assert build(env="test")["PASSWORD_HASHERS"] == [
            "django.contrib.auth.hashers.MD5PasswordHasher"
        ]
        assert "PASSWORD_HASHERS" not in production()

    def test_password_validators_are_configured(self) -> None:
        names = [v["NAME"] for v in build()["AUTH_PASSWORD_VALIDATORS"]]  # type: ignore[attr-defined]

        assert len(names) == 4
        assert "django.contrib.auth.password_validation.MinimumLengthValidator" in names


@pytest.mark.usefixtures("clean_environ")
class TestDatabases:
    def test_default_is_sqlite_under_base_dir(self) -> None:
        database = build()["DATABASES"]["default"]  # type: ignore[index]

        assert database["ENGINE"] == "django.db.backends.sqlite3"
        assert database["NAME"] == "/srv/app/db.sqlite3"

    @pytest.mark.parametrize(
        "password", ["p@ss", "p#ss", "p%ss", "p:ss", "a@b#c%d:e/f?g"]
    )
    def test_special_characters_in_password_reach_django_exactly(
        self, password: str
    ) -> None:
        url = f"postgres://app:{quote(password, safe='')}@db.internal:5432/shop"

        database = build(database_url=url)["DATABASES"]["default"]  # type: ignore[index]

        assert database["PASSWORD"] == password
        assert (
            database["USER"],
            database["HOST"],
            database["PORT"],
            database["NAME"],
        ) == (
            "app",
            "db.internal",
            5432,
            "shop",
        )

    def test_postgres_is_asgi_safe_by_default(self) -> None:
        database = build(database_url="postgres://app@db/shop")["DATABASES"]["default"]  # type: ignore[index]

        assert database["ENGINE"] == "django.db.backends.postgresql"
        assert database["CONN_MAX_AGE"] == 0
        assert database["OPTIONS"]["connect_timeout"] == 5
        assert "pool" not in database["OPTIONS"]

    def test_pool_and_timeouts_are_configurable(self) -> None:
        database = build(
            database_url="postgres://app@db/shop?sslmode=require",
            database_pool=True,
            database_connect_timeout=2,
        )["DATABASES"]["default"]  # type: ignore[index]

        assert database["OPTIONS"] == {
            "sslmode": "require",
            "connect_timeout": 2,
            "pool": True,
        }

    def test_persistent_connections_turn_on_health_checks(self) -> None:
        database = build(
            database_url="postgres://app@db/shop", database_conn_max_age=60
        )["DATABASES"]["default"]  # type: ignore[index]

        assert (database["CONN_MAX_AGE"], database["CONN_HEALTH_CHECKS"]) == (60, True)

    def test_connects_to_the_real_postgres(
        self, postgres_url: str, django_db_blocker: DjangoDbBlocker
    ) -> None:
        config = build(database_url=postgres_url)["DATABASES"]["default"]  # type: ignore[index]
        connections = ConnectionHandler({"default": config})
        connection = connections["default"]
        with django_db_blocker.unblock():
            try:
                connection.ensure_connection()
                assert connection.is_usable()
            finally:
                connections.close_all()


@pytest.mark.usefixtures("clean_environ")
class TestCachesAndSessions:
    def test_local_memory_without_redis(self) -> None:
        result = build()

        assert result["CACHES"] == {
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "KEY_PREFIX": "",
            }
        }
        assert result["SESSION_ENGINE"] == "django.contrib.sessions.backends.db"

    def test_cache_key_prefix_follows_the_environment(
        self, clean_environ: pytest.MonkeyPatch
    ) -> None:
        clean_environ.setenv("DJANGO_CACHE_KEY_PREFIX", "shop")

        assert build()["CACHES"]["default"]["KEY_PREFIX"] == "shop"  # type: ignore[index]
        assert (
            build(redis_url="redis://cache:6379/1")["CACHES"]["default"]["KEY_PREFIX"]  # type: ignore[index]
            == "shop"
        )

    def test_redis_with_socket_timeouts(self) -> None:
        result = build(redis_url="redis://cache:6379/1", redis_socket_timeout=0.5)
        cache = result["CACHES"]["default"]  # type: ignore[index]

        assert cache["BACKEND"] == "django_redis.cache.RedisCache"
        assert cache["LOCATION"] == "redis://cache:6379/1"
        assert cache["OPTIONS"]["SOCKET_TIMEOUT"] == 0.5
        assert cache["OPTIONS"]["SOCKET_CONNECT_TIMEOUT"] == 1.0
        assert result["SESSION_ENGINE"] == "django.contrib.sessions.backends.cached_db"

    def test_session_cookies_are_http_only_and_lax(self) -> None:
        result = build()

        assert result["SESSION_COOKIE_HTTPONLY"] is True
        assert result["SESSION_COOKIE_SAMESITE"] == "Lax"

    def test_talks_to_the_real_redis(self, redis_url: str) -> None:
        config = build(redis_url=redis_url)["CACHES"]["default"]  # type: ignore[index]
        cache = CacheHandler(
            {"default": {**config, "KEY_PREFIX": "strict-core-build-test"}}
        )["default"]

        cache.set("probe", {"ok": 1}, timeout=5)
        try:
            assert cache.get("probe") == {"ok": 1}
        finally:
            cache.delete("probe")


@pytest.mark.usefixtures("clean_environ")
class TestSecurity:
    def test_production_baseline(self) -> None:
        result = production()

        assert result["SECURE_HSTS_SECONDS"] == 31_536_000
        assert result["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
        assert result["SECURE_HSTS_PRELOAD"] is True
        assert result["SECURE_SSL_REDIRECT"] is True
        assert result["SESSION_COOKIE_SECURE"] is True
        assert result["CSRF_COOKIE_SECURE"] is True
        assert result["SECURE_CONTENT_TYPE_NOSNIFF"] is True
        assert result["X_FRAME_OPTIONS"] == "DENY"
        assert result["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
        assert result["SECURE_REFERRER_POLICY"] == "same-origin"
        assert result["SECURE_CROSS_ORIGIN_OPENER_POLICY"] == "same-origin"

    def test_staging_gets_the_same_baseline(self) -> None:
        result = build(
            env="staging", secret_key=STRONG_KEY, allowed_hosts="staging.example.com"
        )

        assert result["SECURE_SSL_REDIRECT"] is True
        assert result["SECURE_HSTS_SECONDS"] == 31_536_000

    def test_local_does_not_redirect_or_pin_https(self) -> None:
        result = build()

        assert result["SECURE_SSL_REDIRECT"] is False
        assert "SECURE_HSTS_SECONDS" not in result
        assert "SESSION_COOKIE_SECURE" not in result

    def test_health_routes_are_exempt_from_ssl_redirect(self) -> None:
        (pattern,) = production()["SECURE_REDIRECT_EXEMPT"]  # type: ignore[misc]

        for path in ("api/health/", "api/health/ready/", "api/health/live/"):
            assert re.search(pattern, path)
        for path in ("api/healthy/", "api/health/other/", "api/orders/health/"):
            assert not re.search(pattern, path)

    def test_environment_overrides_security_defaults(
        self, clean_environ: pytest.MonkeyPatch
    ) -> None:
        clean_environ.setenv("DJANGO_SECURE_HSTS_SECONDS", "3600")
        clean_environ.setenv("DJANGO_SECURE_SSL_REDIRECT", "false")

        result = production()

        assert (result["SECURE_HSTS_SECONDS"], result["SECURE_SSL_REDIRECT"]) == (
            3600,
            False,
        )

    def test_security_and_session_middleware_in_order(self) -> None:
        middleware = build()["MIDDLEWARE"]

        assert isinstance(middleware, list)
        assert middleware.index(
            "django.middleware.security.SecurityMiddleware"
        ) < middleware.index("django.middleware.clickjacking.XFrameOptionsMiddleware")
        assert "django.middleware.csrf.CsrfViewMiddleware" in middleware


@pytest.mark.usefixtures("clean_environ")
class TestRestFramework:
    def test_points_at_this_package(self) -> None:
        drf = build()["REST_FRAMEWORK"]

        assert (
            drf["EXCEPTION_HANDLER"]
            == "django_strict_core.exceptions.exception_handler"
        )  # type: ignore[index]
        assert (
            drf["DEFAULT_PAGINATION_CLASS"]
            == "django_strict_core.pagination.StandardPagination"
        )  # type: ignore[index]
        assert drf["PAGE_SIZE"] == 20  # type: ignore[index]
        assert drf["DEFAULT_RENDERER_CLASSES"] == [
            "rest_framework.renderers.JSONRenderer"
        ]  # type: ignore[index]
        assert drf["DEFAULT_PERMISSION_CLASSES"] == [
            "rest_framework.permissions.IsAuthenticated"
        ]  # type: ignore[index]
        assert drf["DEFAULT_SCHEMA_CLASS"] == "django_strict_core.openapi.AutoSchema"  # type: ignore[index]

    def test_throttles_and_parsers_are_the_packages_own(self) -> None:
        drf = build()["REST_FRAMEWORK"]

        assert drf["DEFAULT_THROTTLE_CLASSES"] == [  # type: ignore[index]
            "django_strict_core.throttling.AnonRateThrottle",
            "django_strict_core.throttling.UserRateThrottle",
        ]
        assert drf["DEFAULT_PARSER_CLASSES"] == [  # type: ignore[index]
            "django_strict_core.parsers.JSONParser"
        ]
        assert drf["TEST_REQUEST_DEFAULT_FORMAT"] == "json"  # type: ignore[index]

    def test_no_proxy_is_trusted_by_default(self) -> None:
        assert build()["REST_FRAMEWORK"]["NUM_PROXIES"] == 0  # type: ignore[index]
        assert build(num_proxies=1)["REST_FRAMEWORK"]["NUM_PROXIES"] == 1  # type: ignore[index]

    def test_a_spoofed_forwarded_for_does_not_change_the_throttle_identity(
        self,
    ) -> None:
        # tests.settings is built by build_settings, so NUM_PROXIES is 0 here.
        factory = APIRequestFactory()
        throttle = AnonRateThrottle()
        idents = {
            throttle.get_ident(
                Request(factory.get("/", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}"))
            )
            for n in range(5)
        }

        assert idents == {"127.0.0.1"}

    def test_one_trusted_proxy_identifies_the_client_it_saw(self) -> None:
        drf = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
        request = APIRequestFactory().get(
            "/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7", REMOTE_ADDR="10.0.0.2"
        )

        with override_settings(REST_FRAMEWORK=drf):
            ident = AnonRateThrottle().get_ident(Request(request))

        assert ident == "203.0.113.7"

    def test_csrf_failures_use_the_envelope_view(self) -> None:
        assert build()["CSRF_FAILURE_VIEW"] == "django_strict_core.views.csrf_failure"

    def test_throttle_rates_follow_the_environment(
        self, clean_environ: pytest.MonkeyPatch
    ) -> None:
        clean_environ.setenv("DJANGO_THROTTLE_ANON_RATE", "10/minute")
        clean_environ.setenv("DJANGO_THROTTLE_LOGIN_RATE", "5/hour")

        drf = build()["REST_FRAMEWORK"]

        assert drf["DEFAULT_THROTTLE_RATES"] == {
            "anon": "10/minute",
            "user": "1000/hour",
            "login": "5/hour",
        }  # type: ignore[index]

    def test_schema_settings_name_the_service(self) -> None:
        spectacular = build(service_name="shop", service_version="1.4.2")[
            "SPECTACULAR_SETTINGS"
        ]

        assert spectacular["TITLE"] == "shop API"  # type: ignore[index]
        assert spectacular["VERSION"] == "1.4.2"  # type: ignore[index]


@pytest.mark.usefixtures("clean_environ")
class TestLogging:
    def test_json_logging_config_writes_one_json_line(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        config = production(service_name="shop")["LOGGING"]
        logging.config.dictConfig(config)  # type: ignore[arg-type]
        try:
            logging.getLogger("shop.orders").warning("order %s failed\nretrying", 42)
        finally:
            logging.config.dictConfig({"version": 1, "disable_existing_loggers": False})
            logging.getLogger().handlers.clear()

        lines = capsys.readouterr().out.splitlines()
        assert len(lines) == 1
        record = json.loads(lines[0])
        assert record["message"] == "order 42 failed\nretrying"
        assert record["level"] == "WARNING"
        assert record["logger"] == "shop.orders"
        assert record["service"] == "shop"
        assert record["environment"] == "production"
        assert record["timestamp"].endswith("+00:00")

    def test_level_follows_the_profile(self) -> None:
        assert production()["LOGGING"]["root"]["level"] == "WARNING"  # type: ignore[index]
        assert build()["LOGGING"]["root"]["level"] == "DEBUG"  # type: ignore[index]

    def test_fields_and_logger_levels_follow_the_environment(
        self, clean_environ: pytest.MonkeyPatch
    ) -> None:
        clean_environ.setenv("DJANGO_LOG_FIELDS", "ecs")
        clean_environ.setenv("DJANGO_LOG_LEVELS", "django.db.backends=DEBUG")

        config = production()["LOGGING"]

        assert config["formatters"]["default"]["fields"] == "ecs"  # type: ignore[index]
        assert config["loggers"]["django.db.backends"] == {"level": "DEBUG"}  # type: ignore[index]

    def test_request_id_middleware_comes_first(self) -> None:
        assert build()["MIDDLEWARE"][0] == (  # type: ignore[index]
            "django_strict_core.middleware.RequestIDMiddleware"
        )
