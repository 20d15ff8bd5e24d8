"""RequestIDMiddleware: request ids on every line, and one access record per request.

Every test runs real requests through the test project's ``MIDDLEWARE`` and its real
``LOGGING`` dict, captures stdout and parses each line as JSON.
"""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING, Any

import pytest
from asgiref.sync import async_to_sync, iscoroutinefunction
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.http import HttpResponse
from django.test import AsyncClient, Client, RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext

from django_strict_core.log import ACCESS_LOGGER, get_request_id
from django_strict_core.middleware import (
    REQUEST_ID_HEADER,
    RequestIDMiddleware,
    clean_request_id,
)

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from django.http import HttpRequest
    from django.http.response import HttpResponseBase

    from tests.support.logs import LogCapture

    Capture = Callable[..., LogCapture]

pytestmark = pytest.mark.urls("tests.projects.logs.urls")

GENERATED = re.compile(r"[0-9a-f]{32}")
APP_LOGGER = "tests.projects.logs"


def access_lines(capture: LogCapture) -> list[dict[str, Any]]:
    return capture.by_logger(ACCESS_LOGGER)


def ids_of(capture: LogCapture) -> set[str | None]:
    return {line["request_id"] for line in capture.lines()}


def test_is_first_in_the_built_middleware() -> None:
    assert settings.MIDDLEWARE[0] == "django_strict_core.middleware.RequestIDMiddleware"


class TestModes:
    def test_sync_and_async_capable(self) -> None:
        def sync_response(request: HttpRequest) -> HttpResponseBase:
            return HttpResponse()

        async def async_response(request: HttpRequest) -> HttpResponseBase:
            return HttpResponse()

        assert RequestIDMiddleware.sync_capable is True
        assert RequestIDMiddleware.async_capable is True
        assert not iscoroutinefunction(RequestIDMiddleware(sync_response))
        assert iscoroutinefunction(RequestIDMiddleware(async_response))

    @pytest.mark.django_db  # closing a response runs close_old_connections
    def test_sync_mode_sets_the_header(self) -> None:
        middleware = RequestIDMiddleware(lambda _request: HttpResponse())

        response: Any = middleware(RequestFactory().get("/"))
        request_id = get_request_id()
        response.close()

        assert GENERATED.fullmatch(response[REQUEST_ID_HEADER])
        assert request_id == response[REQUEST_ID_HEADER]
        assert get_request_id() is None

    @pytest.mark.django_db  # closing a response runs close_old_connections
    def test_async_mode_sets_the_header(self) -> None:
        seen: list[str | None] = []

        async def get_response(request: HttpRequest) -> HttpResponseBase:
            seen.append(get_request_id())
            return HttpResponse()

        middleware = RequestIDMiddleware(get_response)
        request = RequestFactory().get("/", headers={"X-Request-ID": "edge-1"})
        call: Callable[[HttpRequest], Awaitable[HttpResponseBase]] = middleware  # type: ignore[assignment]

        response = async_to_sync(call)(request)
        response.close()

        assert response[REQUEST_ID_HEADER] == "edge-1"
        assert seen == ["edge-1"]
        assert get_request_id() is None


class TestRequestIds:
    def test_generated_id_is_returned_and_on_every_line(
        self, json_logs: Capture
    ) -> None:
        capture = json_logs()

        response = Client().get("/sync/")

        request_id = response[REQUEST_ID_HEADER]
        assert GENERATED.fullmatch(request_id)
        lines = capture.lines()
        assert [line["logger"] for line in lines] == [APP_LOGGER, ACCESS_LOGGER]
        assert {line["request_id"] for line in lines} == {request_id}

    def test_well_formed_incoming_id_is_kept(self, json_logs: Capture) -> None:
        capture = json_logs()
        incoming = "Root=1-67891233-abc:def_0.9/+@x"

        response = Client().get("/sync/", headers={"X-Request-ID": incoming})

        assert response[REQUEST_ID_HEADER] == incoming
        assert ids_of(capture) == {incoming}

    @pytest.mark.parametrize(
        "hostile",
        [
            "abc\ndef",
            "abc\n",
            "abc\r\nSet-Cookie: session=stolen",
            "x" * 10_000,
            "x" * 129,
            "r\u00e9quest-\u4e2d\u6587",
            '{"request_id": "forged", "level": "CRITICAL"}',
            "\"'><script>",
            "a b",
            "",
            "\x00",
        ],
        ids=[
            "newline",
            "trailing-newline",
            "header-injection",
            "10kB",
            "129-chars",
            "non-ascii",
            "json-fragment",
            "markup",
            "space",
            "empty",
            "nul",
        ],
    )
    def test_hostile_id_is_replaced_and_never_echoed(
        self, json_logs: Capture, hostile: str
    ) -> None:
        capture = json_logs()

        response = Client().get("/sync/", headers={"X-Request-ID": hostile})

        request_id = response[REQUEST_ID_HEADER]
        assert GENERATED.fullmatch(request_id)
        assert ids_of(capture) == {request_id}
        if len(hostile.strip()) > 1:
            assert hostile not in capture.text
            assert hostile.encode("unicode_escape").decode() not in capture.text

    def test_boundary_lengths(self) -> None:
        assert clean_request_id("x" * 128) == "x" * 128
        assert clean_request_id("x" * 129) is None
        assert clean_request_id(None) is None

    @override_settings(STRICT_CORE_TRUST_REQUEST_ID=False)
    def test_incoming_id_is_ignored_when_not_trusted(self) -> None:
        response = Client().get("/sync/", headers={"X-Request-ID": "client-chosen"})

        assert GENERATED.fullmatch(response[REQUEST_ID_HEADER])

    def test_next_request_on_the_same_thread_never_inherits(
        self, json_logs: Capture
    ) -> None:
        capture = json_logs()
        client = Client()

        client.get("/sync/?marker=first", headers={"X-Request-ID": "first"})
        second = client.get("/sync/?marker=second")

        assert second[REQUEST_ID_HEADER] != "first"
        views = {
            line["message"]: line["request_id"]
            for line in capture.by_logger(APP_LOGGER)
        }
        assert views == {
            "sync view first": "first",
            "sync view second": second[REQUEST_ID_HEADER],
        }

    def test_next_request_in_the_same_task_never_inherits(
        self, json_logs: Capture
    ) -> None:
        capture = json_logs()

        async def two_requests() -> list[str]:
            client = AsyncClient()
            first = await client.get("/async/", headers={"X-Request-ID": "first"})
            second = await client.get("/async/", headers={"X-Request-ID": "bad id"})
            return [first[REQUEST_ID_HEADER], second[REQUEST_ID_HEADER]]

        first, second = async_to_sync(two_requests)()

        assert first == "first"
        assert GENERATED.fullmatch(second)
        assert [line["request_id"] for line in capture.by_logger(APP_LOGGER)] == [
            first,
            first,
            second,
            second,
        ]


class TestAccessLog:
    def test_one_record_with_the_request_fields(self, json_logs: Capture) -> None:
        capture = json_logs()

        response = Client().post("/sync/?token=secret-value")

        (record,) = access_lines(capture)
        assert record["message"] == "POST /sync/ 200"
        assert record["method"] == "POST"
        assert record["path"] == "/sync/"
        assert record["status"] == 200
        assert record["request_id"] == response[REQUEST_ID_HEADER]
        assert isinstance(record["duration_ms"], float)
        assert 0 <= record["duration_ms"] < 10_000
        assert record["level"] == "INFO"
        assert "user_id" not in record
        assert "query" not in record
        assert "secret-value" not in capture.text
        assert record["client_ip"] == "127.0.0.1"

    def test_the_client_is_the_peer_unless_a_proxy_is_trusted(
        self, json_logs: Capture
    ) -> None:
        capture = json_logs()
        forwarded = {"HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.9"}

        Client().get("/sync/", REMOTE_ADDR="10.0.0.2", **forwarded)
        drf = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
        with override_settings(REST_FRAMEWORK=drf):
            Client().get("/sync/", REMOTE_ADDR="10.0.0.2", **forwarded)

        assert [r["client_ip"] for r in access_lines(capture)] == [
            "10.0.0.2",
            "203.0.113.9",
        ]

    @override_settings(STRICT_CORE_ACCESS_LOG_QUERY_STRING=True)
    def test_query_string_when_enabled(self, json_logs: Capture) -> None:
        capture = json_logs()

        Client().get("/sync/?page=2&sort=name")

        (record,) = access_lines(capture)
        assert (record["path"], record["query"]) == ("/sync/", "page=2&sort=name")

    def test_async_view_gets_one_record(self, json_logs: Capture) -> None:
        capture = json_logs()

        response = async_to_sync(AsyncClient().get)("/async/")

        (record,) = access_lines(capture)
        assert record["request_id"] == response[REQUEST_ID_HEADER]
        assert record["duration_ms"] >= 10  # the view sleeps 10 ms

    def test_health_probes_are_skipped_by_default(self, json_logs: Capture) -> None:
        capture = json_logs()

        response = Client().get("/api/health/live/")

        assert response.status_code == 200
        assert GENERATED.fullmatch(response[REQUEST_ID_HEADER])
        assert access_lines(capture) == []

    def test_probes_are_skipped_wherever_the_routes_are_mounted(
        self, json_logs: Capture
    ) -> None:
        capture = json_logs()

        responses = [Client().get(path) for path in ("/ops/health/live/", "/sync/")]

        assert [r.status_code for r in responses] == [200, 200]
        assert [r["path"] for r in access_lines(capture)] == ["/sync/"]

    def test_only_the_exact_health_routes_are_skipped(self, json_logs: Capture) -> None:
        capture = json_logs()

        Client().get("/api/health/../../sync/")
        Client().get("/api/health/live/extra/")

        assert [(r["path"], r["status"]) for r in access_lines(capture)] == [
            ("/api/health/../../sync/", 404),
            ("/api/health/live/extra/", 404),
        ]

    @override_settings(STRICT_CORE_ACCESS_LOG_PROBES=True)
    def test_probes_are_recorded_when_asked_for(self, json_logs: Capture) -> None:
        capture = json_logs()

        Client().get("/api/health/live/")

        assert [r["path"] for r in access_lines(capture)] == ["/api/health/live/"]

    @override_settings(STRICT_CORE_ACCESS_LOG_SKIP_PATHS=["/sync/"])
    def test_skipped_paths_are_exact_paths(self, json_logs: Capture) -> None:
        capture = json_logs()

        Client().get("/sync/")
        Client().get("/sync/more/")
        Client().get("/async/")

        assert [r["path"] for r in access_lines(capture)] == ["/sync/more/", "/async/"]

    def test_access_log_can_be_turned_off_by_level(self, json_logs: Capture) -> None:
        capture = json_logs(levels={ACCESS_LOGGER: "WARNING"})

        response = Client().get("/sync/")

        assert response[REQUEST_ID_HEADER]
        assert access_lines(capture) == []

    def test_path_with_control_characters_stays_one_line(
        self, json_logs: Capture
    ) -> None:
        capture = json_logs()

        Client().get("/sync%0A%22injected%22/")

        (record,) = access_lines(capture)
        assert record["path"] == '/sync\n"injected"/'
        assert record["status"] == 404
        assert "\n" not in record["message"]

    def test_ecs_field_names(self, json_logs: Capture) -> None:
        capture = json_logs(fields="ecs")

        response = Client().get("/sync/")

        record = next(
            line for line in capture.lines() if line["log.logger"] == ACCESS_LOGGER
        )
        assert record["http.request.id"] == response[REQUEST_ID_HEADER]
        assert record["http.request.method"] == "GET"
        assert record["url.path"] == "/sync/"
        assert record["http.response.status_code"] == 200
        assert isinstance(record["event.duration"], int)
        assert record["client.ip"] == "127.0.0.1"


@pytest.mark.django_db
class TestUser:
    @pytest.fixture
    def client(self) -> Client:
        client = Client()
        client.force_login(get_user_model().objects.create_user("ada"))
        return client

    def test_unresolved_user_is_not_loaded_for_the_log(
        self, json_logs: Capture, client: Client
    ) -> None:
        capture = json_logs()

        with CaptureQueriesContext(connection) as queries:
            client.get("/sync/")

        assert len(queries) == 0
        (record,) = access_lines(capture)
        assert "user_id" not in record

    def test_resolved_user_is_recorded(
        self, json_logs: Capture, client: Client
    ) -> None:
        capture = json_logs()
        user = get_user_model().objects.get(username="ada")

        client.get("/user/")

        (record,) = access_lines(capture)
        assert record["user_id"] == str(user.pk)

    def test_user_resolved_asynchronously_is_recorded(
        self, json_logs: Capture, client: Client
    ) -> None:
        capture = json_logs()
        user = get_user_model().objects.get(username="ada")
        async_client = AsyncClient()
        async_client.cookies = client.cookies

        async_to_sync(async_client.get)("/user/async/")

        (record,) = access_lines(capture)
        assert record["user_id"] == str(user.pk)

    def test_anonymous_user_has_no_id(self, json_logs: Capture) -> None:
        capture = json_logs()

        Client().get("/user/")

        (record,) = access_lines(capture)
        assert "user_id" not in record


class TestStreaming:
    def test_sync_stream_is_recorded_when_it_ends(self, json_logs: Capture) -> None:
        capture = json_logs()

        response: Any = Client().get("/stream/sync/")
        assert access_lines(capture) == []
        body = b"".join(response.streaming_content)

        assert body == b"chunk " * 3
        request_id = response[REQUEST_ID_HEADER]
        lines = capture.lines()
        assert [line["message"] for line in lines] == [
            "sync chunk 0",
            "sync chunk 1",
            "sync chunk 2",
            "GET /stream/sync/ 200",
        ]
        assert {line["request_id"] for line in lines} == {request_id}

    @pytest.mark.django_db  # closing a response runs close_old_connections
    def test_sync_stream_closed_early_is_recorded_once(
        self, json_logs: Capture
    ) -> None:
        capture = json_logs()

        response: Any = Client().get("/stream/sync/")
        next(iter(response.streaming_content))
        response.close()
        response.close()

        (record,) = access_lines(capture)
        assert record["status"] == 200

    def test_async_stream_is_recorded_when_it_ends(self, json_logs: Capture) -> None:
        capture = json_logs()

        async def fetch() -> tuple[str, bytes, int]:
            response: Any = await AsyncClient().get("/stream/async/")
            before = len(access_lines(capture))
            body = b"".join([chunk async for chunk in response.streaming_content])
            return response[REQUEST_ID_HEADER], body, before

        request_id, body, records_before_reading = async_to_sync(fetch)()

        assert (body, records_before_reading) == (b"chunk " * 3, 0)
        lines = capture.lines()
        assert [line["message"] for line in lines][-1] == "GET /stream/async/ 200"
        assert len(lines) == 4
        assert {line["request_id"] for line in lines} == {request_id}

    def test_file_response_is_recorded_at_once(self, json_logs: Capture) -> None:
        capture = json_logs()

        response: Any = Client().get("/file/")

        (record,) = access_lines(capture)
        assert record["status"] == 200
        assert b"".join(response.streaming_content) == b"file body"
        assert len(access_lines(capture)) == 1


class TestErrors:
    def test_unhandled_exception_lines_share_the_id(self, json_logs: Capture) -> None:
        capture = json_logs()

        response = Client(raise_request_exception=False).get("/error/")

        assert response.status_code == 500
        lines = capture.lines()
        assert [line["logger"] for line in lines] == [
            APP_LOGGER,
            "django.request",
            ACCESS_LOGGER,
        ]
        assert {line["request_id"] for line in lines} == {response[REQUEST_ID_HEADER]}
        error = lines[1]
        assert error["level"] == "ERROR"
        assert error["status_code"] == 500
        assert error["exception"].endswith("RuntimeError: view failed")
        assert lines[2]["status"] == 500

    def test_unhandled_exception_in_async_mode(self, json_logs: Capture) -> None:
        capture = json_logs()

        response = async_to_sync(AsyncClient(raise_request_exception=False).get)(
            "/error/"
        )

        assert response.status_code == 500
        assert ids_of(capture) == {response[REQUEST_ID_HEADER]}
        assert "RuntimeError: view failed" in capture.text

    def test_a_not_found_is_logged_once_by_the_access_record(
        self, json_logs: Capture
    ) -> None:
        capture = json_logs()

        response = Client().get("/missing/")

        assert response.status_code == 404
        lines = capture.lines()
        assert [line["logger"] for line in lines] == [ACCESS_LOGGER]
        assert lines[0]["status"] == 404
        assert lines[0]["request_id"] == response[REQUEST_ID_HEADER]

    def test_error_envelope_and_500_log_are_correlated(
        self, json_logs: Capture
    ) -> None:
        capture = json_logs()

        response = Client(raise_request_exception=False).get(
            "/api/error/", headers={"X-Request-ID": "envelope-1"}
        )

        assert response.status_code == 500
        assert response[REQUEST_ID_HEADER] == "envelope-1"
        assert response.json()["type"] == "server_error"
        errors = [line for line in capture.lines() if line["level"] == "ERROR"]
        assert errors
        assert {line["request_id"] for line in errors} == {"envelope-1"}
        assert any("RuntimeError: api view failed" in str(line) for line in errors)
        assert ids_of(capture) == {"envelope-1"}

    def test_hostile_message_and_objects_stay_one_json_line(
        self, json_logs: Capture
    ) -> None:
        capture = json_logs()

        Client().get("/hostile/")

        (warning,) = capture.by_logger(APP_LOGGER)
        assert warning["message"] == ('line one\nline two "quoted" \\ {"key": "value"}')
        assert warning["unencodable"].startswith("<object object at")
        assert isinstance(warning["raw"], str)
        assert warning["nan"] in ("nan", None)


@pytest.mark.django_db
class TestDatabase:
    @pytest.fixture(autouse=True)
    def _postgres(self, postgres_url: str) -> None:
        assert connection.vendor == "postgresql"

    @override_settings(DEBUG=True)
    def test_sql_from_a_sync_to_async_thread_carries_the_id(
        self, json_logs: Capture
    ) -> None:
        capture = json_logs(levels={"django.db.backends": "DEBUG"})

        response = async_to_sync(AsyncClient().get)(
            "/orm/?marker=m1", headers={"X-Request-ID": "orm-1"}
        )

        assert response.json() == {"users": 0}
        lines = capture.lines()
        assert {line["request_id"] for line in lines} == {"orm-1"}
        view, thread, sql, access = lines
        assert view["message"] == "orm view m1"
        assert thread["message"] == "orm thread m1"
        assert thread["orm_thread"] != view["view_thread"]
        assert sql["logger"] == "django.db.backends"
        assert sql["level"] == "DEBUG"
        assert "users_user" in sql["sql"]
        assert access["path"] == "/orm/"

    @override_settings(DEBUG=True)
    def test_concurrent_requests_never_mix_ids(self, json_logs: Capture) -> None:
        capture = json_logs(levels={"django.db.backends": "DEBUG"})
        count = 12

        async def many() -> list[Any]:
            client = AsyncClient()
            requests = [
                client.get(
                    f"/{'orm' if n % 2 else 'async'}/?marker=m{n}",
                    headers={"X-Request-ID": f"req-{n}"},
                )
                for n in range(count)
            ]
            return list(await asyncio.gather(*requests))

        responses = async_to_sync(many)()

        assert [r[REQUEST_ID_HEADER] for r in responses] == [
            f"req-{n}" for n in range(count)
        ]
        lines = capture.lines()
        for line in lines:
            marker = re.search(r" m(\d+)$", line["message"])
            if marker:
                assert line["request_id"] == f"req-{marker.group(1)}", line
        sql = [line["request_id"] for line in lines if "sql" in line]
        assert sorted(sql) == sorted(f"req-{n}" for n in range(1, count, 2))
        access = [line["request_id"] for line in access_lines(capture)]
        assert sorted(access) == sorted(f"req-{n}" for n in range(count))
        messages = [line["message"] for line in capture.by_logger(APP_LOGGER)]
        assert messages.index("async view end m0") > messages.index(
            "async view start m2"
        )
