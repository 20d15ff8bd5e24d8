"""An unreachable database or cache answers 503 with Retry-After, not 500.

The faults are real: a database alias and a Redis cache on a closed port, and a
query the real PostgreSQL cancels. Requests go through DRF (the exception handler)
and through plain Django views and middleware (``handler500``), sync and async.
"""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING, Any

import psycopg
import pytest
from asgiref.sync import async_to_sync
from django.conf import settings
from django.core.cache import caches
from django.core.signals import got_request_exception
from django.db import OperationalError, connection, connections
from django.test import AsyncClient, Client, override_settings
from rest_framework.test import APIClient

from django_strict_core.exceptions import failed_backend
from django_strict_core.testing import closed_port

if TYPE_CHECKING:
    from collections.abc import Iterator

    from django.http import HttpResponse
    from pytest_django import DjangoDbBlocker

URL = "/api/errors/"
UNAVAILABLE = {
    "type": "server_error",
    "errors": [
        {
            "code": "service_unavailable",
            "detail": "The service is temporarily unavailable. Try again later.",
            "attr": None,
        }
    ],
}


@pytest.fixture
def reported() -> Iterator[list[dict[str, Any]]]:
    """The ``got_request_exception`` signals sent during the test."""
    calls: list[dict[str, Any]] = []

    def receiver(**kwargs: Any) -> None:
        calls.append(kwargs)

    got_request_exception.connect(receiver)
    yield calls
    got_request_exception.disconnect(receiver)


@pytest.fixture
def dead_database(
    postgres_url: str, django_db_blocker: DjangoDbBlocker
) -> Iterator[str]:
    """A database alias whose server refuses connections; returns the alias."""
    alias = f"dead_{uuid.uuid4().hex[:8]}"
    config = {
        **connections.settings["default"],
        "HOST": "127.0.0.1",
        "PORT": str(closed_port()),
        "OPTIONS": {"connect_timeout": 2},
    }
    configured = connections.configure_settings(
        {"default": connections.settings["default"], alias: config}
    )
    connections.settings[alias] = configured[alias]
    with django_db_blocker.unblock():
        yield alias
    del connections.settings[alias]


@pytest.fixture
def dead_cache(redis_url: str) -> Iterator[str]:
    """A django-redis cache alias ``dead`` on a closed port."""
    entry = {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
    }
    with override_settings(CACHES={**settings.CACHES, "dead": entry}):
        yield "dead"


def request_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "django.request"]


def assert_unavailable(response: HttpResponse) -> None:
    assert response.status_code == 503
    assert response.json() == UNAVAILABLE  # type: ignore[attr-defined]
    assert response["Retry-After"] == "5"
    assert response["Content-Type"] == "application/json"


class TestThroughDrf:
    @pytest.mark.parametrize("kind", ["database", "cache"])
    def test_an_unreachable_backend_is_503_reported_and_logged_once_with_its_cause(
        self,
        kind: str,
        dead_database: str,
        dead_cache: str,
        reported: list[dict[str, Any]],
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        alias = dead_database if kind == "database" else dead_cache
        path = f"{URL}backend/{kind}/{alias}/"

        response = APIClient(raise_request_exception=False).get(path)

        assert_unavailable(response)
        assert len(reported) == 1
        (record,) = request_records(caplog)
        assert record.levelno == logging.ERROR
        assert record.getMessage().startswith(
            f"Service Unavailable: {path} (the {kind} is unreachable: "
        )
        assert record.status_code == 503  # type: ignore[attr-defined]
        assert record.exc_info is not None

    def test_the_retry_after_follows_its_setting(
        self, dead_cache: str, settings: Any
    ) -> None:
        settings.STRICT_CORE_UNAVAILABLE_RETRY_AFTER = 30

        response = APIClient(raise_request_exception=False).get(
            f"{URL}backend/cache/{dead_cache}/"
        )

        assert response.status_code == 503
        assert response["Retry-After"] == "30"

    def test_an_async_request_gets_the_same_answer(self, dead_cache: str) -> None:
        response = async_to_sync(AsyncClient(raise_request_exception=False).get)(
            f"{URL}backend/cache/{dead_cache}/"
        )

        assert_unavailable(response)

    def test_debug_names_the_exception(self, dead_cache: str, settings: Any) -> None:
        settings.DEBUG = True

        response = APIClient(raise_request_exception=False).get(
            f"{URL}backend/cache/{dead_cache}/"
        )

        assert response.status_code == 503
        (error,) = response.json()["errors"]
        assert error["code"] == "service_unavailable"
        assert error["detail"].startswith("redis.exceptions.ConnectionError: ")

    def test_the_test_client_re_raises_it_like_any_server_error(
        self, dead_cache: str
    ) -> None:
        with pytest.raises(Exception, match=r"Error \d+ connecting to"):
            APIClient().get(f"{URL}backend/cache/{dead_cache}/")


@pytest.mark.urls("tests.apps.errors.root_urls")
class TestOutsideDrf:
    @pytest.mark.parametrize("kind", ["database", "cache"])
    def test_a_plain_view_under_the_api_prefix_gets_503(
        self,
        kind: str,
        dead_database: str,
        dead_cache: str,
        reported: list[dict[str, Any]],
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        alias = dead_database if kind == "database" else dead_cache

        response = Client(raise_request_exception=False).get(
            f"{URL}plain/backend/{kind}/{alias}/"
        )

        assert_unavailable(response)
        assert len(reported) == 1
        (record,) = request_records(caplog)
        assert record.getMessage().startswith("Service Unavailable: ")
        assert record.exc_info is not None

    def test_the_session_middleware_losing_its_cache_gets_503(
        self, dead_cache: str
    ) -> None:
        with override_settings(
            SESSION_ENGINE="django.contrib.sessions.backends.cache",
            SESSION_CACHE_ALIAS=dead_cache,
        ):
            sync = Client(raise_request_exception=False).get(f"{URL}plain/remember/")
            asynchronous = async_to_sync(
                AsyncClient(raise_request_exception=False).get
            )(f"{URL}plain/remember/")

        assert_unavailable(sync)
        assert_unavailable(asynchronous)

    def test_outside_the_api_prefix_django_keeps_its_500_page(
        self, dead_cache: str
    ) -> None:
        with override_settings(
            SESSION_ENGINE="django.contrib.sessions.backends.cache",
            SESSION_CACHE_ALIAS=dead_cache,
        ):
            response = Client(raise_request_exception=False).get("/site/remember/")

        assert response.status_code == 500

    def test_with_debug_on_the_answer_is_503_naming_the_exception(
        self, dead_cache: str, settings: Any
    ) -> None:
        settings.DEBUG = True

        response = Client(raise_request_exception=False).get(
            f"{URL}plain/backend/cache/{dead_cache}/"
        )

        assert response.status_code == 503
        assert response["Retry-After"] == "5"
        (error,) = response.json()["errors"]
        assert error["code"] == "service_unavailable"
        assert error["detail"].startswith("redis.exceptions.ConnectionError: ")

    def test_a_bug_outside_drf_stays_a_500(self) -> None:
        response = Client(raise_request_exception=False).get(f"{URL}plain/fail/bug/")

        assert response.status_code == 500
        assert response.json()["errors"][0]["code"] == "error"


class TestWhatCountsAsUnreachable:
    def test_a_refused_connection_is_the_database(self, dead_database: str) -> None:
        with pytest.raises(OperationalError) as caught:
            connections[dead_database].ensure_connection()

        assert failed_backend(caught.value) == "database"

    def test_a_closed_connection_is_the_database(self, postgres_url: str) -> None:
        with psycopg.connect(postgres_url) as raw:
            raw.close()
            with pytest.raises(psycopg.OperationalError) as caught:
                raw.execute("SELECT 1")
        wrapped = OperationalError(str(caught.value))
        wrapped.__cause__ = caught.value

        assert caught.value.sqlstate is None
        assert failed_backend(wrapped) == "database"

    @pytest.mark.django_db
    def test_a_cancelled_query_is_not(self) -> None:
        if connection.vendor != "postgresql":
            pytest.skip("needs PostgreSQL")
        with pytest.raises(OperationalError) as caught, connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = 1")
            cursor.execute("SELECT pg_sleep(0.2)")

        assert caught.value.__cause__ is not None
        assert getattr(caught.value.__cause__, "sqlstate", None) == "57014"
        assert failed_backend(caught.value) is None

    def test_an_unreachable_redis_is_the_cache(self, dead_cache: str) -> None:
        with pytest.raises(Exception) as caught:
            caches[dead_cache].get("key")

        assert failed_backend(caught.value) == "cache"

    def test_anything_else_is_not(self) -> None:
        assert failed_backend(RuntimeError("boom")) is None
        assert failed_backend(None) is None
        assert failed_backend(ConnectionRefusedError()) is None
