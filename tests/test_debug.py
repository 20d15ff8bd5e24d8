"""DebugEnvelopeMiddleware: the envelope under the API prefixes with DEBUG on."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from asgiref.sync import async_to_sync
from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpResponse
from django.test import AsyncClient, Client, RequestFactory

from django_strict_core.debug import DebugEnvelopeMiddleware, EnvelopeReporter
from tests.apps.errors.middleware import MIDDLEWARE_SECRET
from tests.apps.errors.plain import PLAIN_SECRET
from tests.support.uvicorn import UvicornServer

if TYPE_CHECKING:
    from collections.abc import Iterator

pytestmark = pytest.mark.urls("tests.apps.errors.root_urls")

ROOT = Path(__file__).resolve().parents[1]
PLAIN = "/api/errors/plain/fail"
EXPLODING = "tests.apps.errors.middleware.ExplodingMiddleware"


@pytest.fixture(autouse=True)
def debug(settings: Any) -> None:
    """The local profile: DEBUG on."""
    settings.DEBUG = True


@pytest.fixture
def client() -> Client:
    """A client that returns 500 responses instead of re-raising the exception."""
    return Client(raise_request_exception=False)


def envelope(code: str, detail: str, error_type: str = "client_error") -> Any:
    return {
        "type": error_type,
        "errors": [{"code": code, "detail": detail, "attr": None}],
    }


def assert_envelope_without_traceback(response: Any) -> None:
    assert response["Content-Type"] == "application/json"
    assert b"Traceback" not in response.content
    assert b"SECRET_KEY" not in response.content


class TestUnderTheApiPrefix:
    def test_an_unknown_route_is_a_not_found_envelope(self, client: Client) -> None:
        response = client.get("/api/no/such/route/")

        assert response.status_code == 404
        assert_envelope_without_traceback(response)
        assert response.json() == envelope("not_found", "Not found.")

    def test_a_browser_gets_the_envelope_too(self, client: Client) -> None:
        response = client.get("/api/no/such/route/", headers={"Accept": "text/html"})

        assert response.status_code == 404
        assert response.json() == envelope("not_found", "Not found.")

    def test_http404_from_a_plain_view(self, client: Client) -> None:
        response = client.get(f"{PLAIN}/missing/")

        assert response.status_code == 404
        assert response.json() == envelope("not_found", "Not found.")
        assert PLAIN_SECRET.encode() not in response.content

    def test_permission_denied_from_a_plain_view(self, client: Client) -> None:
        response = client.get(f"{PLAIN}/forbidden/")

        assert response.status_code == 403
        assert response.json()["errors"][0]["code"] == "permission_denied"
        assert PLAIN_SECRET.encode() not in response.content

    def test_suspicious_operation_is_a_bad_request_logged_as_django_does(
        self, client: Client, caplog: pytest.LogCaptureFixture
    ) -> None:
        with caplog.at_level(logging.ERROR, logger="django.security"):
            response = client.get(f"{PLAIN}/suspicious/")

        assert response.status_code == 400
        assert response.json() == envelope("bad_request", "Bad request.")
        assert PLAIN_SECRET.encode() not in response.content
        assert [r.name for r in caplog.records] == [
            "django.security.SuspiciousOperation"
        ]

    def test_a_disallowed_host_is_a_bad_request(self, client: Client) -> None:
        response = client.get("/api/x/", headers={"Host": "scanner.example"})

        assert response.status_code == 400
        assert response.json() == envelope("bad_request", "Bad request.")
        assert b"scanner.example" not in response.content

    def test_a_crash_names_the_exception_but_shows_no_traceback(
        self, client: Client
    ) -> None:
        response = client.get(f"{PLAIN}/crash/")

        assert response.status_code == 500
        assert_envelope_without_traceback(response)
        assert response.json() == envelope(
            "error", f"RuntimeError: {PLAIN_SECRET}", "server_error"
        )

    def test_a_crash_is_logged_once_with_its_traceback(
        self, client: Client, caplog: pytest.LogCaptureFixture
    ) -> None:
        with caplog.at_level(logging.ERROR, logger="django.request"):
            client.get(f"{PLAIN}/crash/")

        records = [r for r in caplog.records if r.name == "django.request"]
        assert len(records) == 1
        assert records[0].exc_info is not None
        assert records[0].exc_info[0] is RuntimeError

    def test_a_crash_still_reaches_got_request_exception(self) -> None:
        # The test client re-raises what the signal carried.
        with pytest.raises(RuntimeError, match=PLAIN_SECRET):
            Client().get(f"{PLAIN}/crash/")

    def test_debug_propagate_exceptions_still_propagates(
        self, client: Client, settings: Any
    ) -> None:
        settings.DEBUG_PROPAGATE_EXCEPTIONS = True

        with pytest.raises(RuntimeError, match=PLAIN_SECRET):
            client.get(f"{PLAIN}/crash/")

    @pytest.mark.parametrize("path", ["/api/errors/orders/", "/api/anything/"])
    def test_a_crash_in_a_middleware(
        self, client: Client, settings: Any, path: str
    ) -> None:
        settings.MIDDLEWARE = [*settings.MIDDLEWARE, EXPLODING]

        response = client.get(path, headers={"X-Explode": "1"})

        assert response.status_code == 500
        assert_envelope_without_traceback(response)
        assert response.json() == envelope(
            "error", f"RuntimeError: {MIDDLEWARE_SECRET}", "server_error"
        )

    def test_drf_views_keep_their_own_envelope(self, client: Client) -> None:
        response = client.get("/api/errors/fail/http404/")

        assert response.status_code == 404
        assert response.json()["errors"][0]["code"] == "not_found"

    def test_a_404_the_view_answers_itself_is_left_alone(self, client: Client) -> None:
        response = client.get(f"{PLAIN}/gone/")

        assert response.status_code == 404
        assert response.content == b"gone, by the view's own choice"

    def test_a_missing_slash_still_redirects(self, client: Client) -> None:
        response = client.get("/api/errors/orders")

        assert response.status_code == 301
        assert response["Location"] == "/api/errors/orders/"

    def test_the_request_id_header_is_kept(self, client: Client) -> None:
        response = client.get("/api/no/such/route/")

        assert len(response["X-Request-ID"]) == 32

    @pytest.mark.urls("tests.urls")
    @pytest.mark.parametrize(
        ("path", "status_code"),
        [("/api/no/such/route/", 404), (f"{PLAIN}/forbidden/", 403)],
    )
    def test_no_error_handlers_are_needed(
        self, client: Client, path: str, status_code: int
    ) -> None:
        response = client.get(path)

        assert response.status_code == status_code
        assert_envelope_without_traceback(response)


class TestUnderAsgi:
    def get(self, path: str, **headers: str) -> Any:
        client = AsyncClient(raise_request_exception=False)
        return async_to_sync(client.get)(path, headers=headers)

    def test_an_unknown_route(self) -> None:
        response = self.get("/api/no/such/route/")

        assert response.status_code == 404
        assert response.json() == envelope("not_found", "Not found.")

    def test_a_crash_in_a_plain_view(self) -> None:
        response = self.get(f"{PLAIN}/crash/")

        assert response.status_code == 500
        assert_envelope_without_traceback(response)
        assert response.json()["errors"][0]["detail"] == f"RuntimeError: {PLAIN_SECRET}"

    def test_a_crash_in_a_middleware(self, settings: Any) -> None:
        settings.MIDDLEWARE = [*settings.MIDDLEWARE, EXPLODING]

        response = self.get("/api/x/", X_Explode="1")

        assert response.status_code == 500
        assert response.json()["errors"][0]["code"] == "error"

    def test_other_paths_keep_the_technical_page(self) -> None:
        response = self.get("/no/such/page/")

        assert response.status_code == 404
        assert response["Content-Type"].startswith("text/html")


class TestOutsideTheApiPrefix:
    def test_an_unknown_route_keeps_the_technical_404(self, client: Client) -> None:
        response = client.get("/no/such/page/")

        assert response.status_code == 404
        assert response["Content-Type"].startswith("text/html")
        assert b"Using the URLconf defined in" in response.content

    def test_a_crash_keeps_the_technical_500(self, client: Client) -> None:
        response = client.get("/site/fail/crash/", headers={"Accept": "text/html"})

        assert response.status_code == 500
        assert response["Content-Type"].startswith("text/html")
        assert b"Traceback" in response.content


class TestEnvelopeReporter:
    def test_it_renders_the_envelope_not_the_traceback(self) -> None:
        request = RequestFactory().get("/api/x/")
        error = RuntimeError("<b>stock</b> service timed out")

        reporter = EnvelopeReporter(request, RuntimeError, error, None)

        assert json.loads(reporter.get_traceback_text()) == envelope(
            "error", "RuntimeError: <b>stock</b> service timed out", "server_error"
        )
        assert "<b>" not in reporter.get_traceback_html()
        assert "&lt;b&gt;stock" in reporter.get_traceback_html()

    def test_without_a_request_it_renders_nothing(self) -> None:
        reporter = EnvelopeReporter(None, RuntimeError, RuntimeError("x"), None)

        assert reporter.get_traceback_text() == ""


class TestWithoutDebug:
    def test_django_leaves_it_out(self, settings: Any) -> None:
        settings.DEBUG = False

        with pytest.raises(MiddlewareNotUsed):
            DebugEnvelopeMiddleware(lambda _request: HttpResponse())

    def test_the_handlers_answer(self, client: Client, settings: Any) -> None:
        settings.DEBUG = False

        missing = client.get("/api/no/such/route/")
        crash = client.get(f"{PLAIN}/crash/")

        assert missing.json() == envelope("not_found", "Not found.")
        assert crash.json() == envelope(
            "error", "A server error occurred.", "server_error"
        )


PROFILES = {
    "local": {"DJANGO_ENV": "local"},
    "production": {
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": "k3y-"
        + "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOP",
        "DJANGO_ALLOWED_HOSTS": "localhost",
    },
}


class Server(UvicornServer):
    """uvicorn serving the envelope test project in one profile."""

    def __init__(self, profile: str) -> None:
        super().__init__(
            "tests.projects.envelope.settings",
            PROFILES[profile],
            # As nginx says it, for the SSL redirect of production.
            headers={"Host": "localhost", "X-Forwarded-Proto": "https"},
        )
        self.profile = profile

    def get(self, path: str, **headers: str) -> tuple[int, str, bytes]:
        status, received, body = self.request(path, headers=headers)
        return status, received["Content-Type"], body


@pytest.fixture(scope="module", params=sorted(PROFILES))
def server(request: pytest.FixtureRequest) -> Iterator[Server]:
    served = Server(request.param)
    served.wait_until_serving()
    yield served
    served.stop()


class TestUnderARealAsgiServer:
    def test_an_unknown_api_route(self, server: Server) -> None:
        status, content_type, body = server.get(
            "/api/no/such/route/", Accept="text/html"
        )

        assert (status, content_type) == (404, "application/json")
        assert json.loads(body) == envelope("not_found", "Not found.")

    def test_a_crash_in_a_plain_view(self, server: Server) -> None:
        status, content_type, body = server.get(f"{PLAIN}/crash/")

        assert (status, content_type) == (500, "application/json")
        assert json.loads(body)["type"] == "server_error"
        assert b"Traceback" not in body

    def test_a_crash_in_a_middleware(self, server: Server) -> None:
        status, content_type, body = server.get("/api/x/", **{"X-Explode": "1"})

        assert (status, content_type) == (500, "application/json")
        assert json.loads(body)["errors"][0]["code"] == "error"
        assert b"Traceback" not in body

    def test_other_paths_keep_html(self, server: Server) -> None:
        status, content_type, _ = server.get("/no/such/page/")

        assert status == 404
        assert content_type.startswith("text/html")

    def test_only_local_names_the_exception(self, server: Server) -> None:
        _, _, body = server.get(f"{PLAIN}/crash/")

        assert (
            json.loads(body)["errors"][0]["detail"]
            == {
                "local": f"RuntimeError: {PLAIN_SECRET}",
                "production": "A server error occurred.",
            }[server.profile]
        )
