"""Error views: the envelope under the API prefixes, Django's pages elsewhere."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
from asgiref.sync import async_to_sync
from django.core.checks import run_checks
from django.core.exceptions import (
    BadRequest,
    PermissionDenied as DjangoPermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from django.test import AsyncClient, Client, RequestFactory

from django_strict_core import views
from tests.apps.errors.middleware import MIDDLEWARE_SECRET
from tests.apps.errors.plain import PLAIN_SECRET

if TYPE_CHECKING:
    from django.http import HttpResponse

pytestmark = pytest.mark.urls("tests.apps.errors.root_urls")

PLAIN = "/api/errors/plain/"


@pytest.fixture
def client() -> Client:
    """A client that returns 500 responses instead of re-raising the exception."""
    return Client(raise_request_exception=False)


def envelope(code: str, detail: str, error_type: str = "client_error") -> Any:
    return {
        "type": error_type,
        "errors": [{"code": code, "detail": detail, "attr": None}],
    }


def is_json(response: HttpResponse) -> bool:
    return response["Content-Type"] == "application/json"


class TestUnderTheApiPrefix:
    def test_unknown_route_is_a_not_found_envelope(self, client: Client) -> None:
        response = client.get("/api/no/such/route/")

        assert response.status_code == 404
        assert is_json(response)
        assert response.json() == envelope("not_found", "Not found.")

    def test_http404_from_a_plain_view(self, client: Client) -> None:
        response = client.get(f"{PLAIN}fail/missing/")

        assert response.status_code == 404
        assert response.json() == envelope("not_found", "Not found.")
        assert PLAIN_SECRET.encode() not in response.content

    def test_permission_denied_from_a_plain_view(self, client: Client) -> None:
        response = client.get(f"{PLAIN}fail/forbidden/")

        assert response.status_code == 403
        assert response.json() == envelope(
            "permission_denied", "You do not have permission to perform this action."
        )
        assert PLAIN_SECRET.encode() not in response.content

    def test_suspicious_operation_from_a_plain_view(self, client: Client) -> None:
        response = client.get(f"{PLAIN}fail/suspicious/")

        assert response.status_code == 400
        assert response.json() == envelope("bad_request", "Bad request.")
        assert PLAIN_SECRET.encode() not in response.content

    def test_an_oversized_body_is_413(self) -> None:
        request = RequestFactory().post(f"{PLAIN}submit/")

        response = views.bad_request(request, RequestDataTooBig(PLAIN_SECRET))

        assert response.status_code == 413
        assert json.loads(response.content) == envelope(
            "request_too_large", "Request body too large."
        )

    def test_crash_in_a_plain_view(self, client: Client) -> None:
        response = client.get(f"{PLAIN}fail/crash/")

        assert response.status_code == 500
        assert response.json() == envelope(
            "error", "A server error occurred.", "server_error"
        )
        assert PLAIN_SECRET.encode() not in response.content

    @pytest.mark.parametrize("path", ["/api/errors/orders/", "/api/anything/"])
    def test_crash_in_a_middleware(
        self, client: Client, settings: Any, path: str
    ) -> None:
        settings.MIDDLEWARE = [
            *settings.MIDDLEWARE,
            "tests.apps.errors.middleware.ExplodingMiddleware",
        ]

        response = client.get(path, headers={"X-Explode": "1"})

        assert response.status_code == 500
        assert response.json()["type"] == "server_error"
        assert MIDDLEWARE_SECRET.encode() not in response.content

    def test_crash_in_a_middleware_under_asgi(self, settings: Any) -> None:
        settings.MIDDLEWARE = [
            *settings.MIDDLEWARE,
            "tests.apps.errors.middleware.ExplodingMiddleware",
        ]
        client = AsyncClient(raise_request_exception=False)

        response = async_to_sync(client.get)("/api/x/", headers={"X-Explode": "1"})

        assert response.status_code == 500
        assert response.json()["errors"][0]["code"] == "error"

    def test_csrf_failure_is_an_envelope(self) -> None:
        response = Client(enforce_csrf_checks=True).post(f"{PLAIN}submit/")

        assert response.status_code == 403
        assert response.json() == envelope(
            "permission_denied", "CSRF Failed: CSRF cookie not set."
        )

    def test_csrf_failure_of_a_drf_session_view_reads_the_same(
        self, django_user_model: Any, db: None
    ) -> None:
        user = django_user_model.objects.create_user("ann")
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)

        response = client.post("/api/errors/session/")

        assert response.status_code == 403
        assert response.json()["errors"][0]["code"] == "permission_denied"
        assert response.json()["errors"][0]["detail"].startswith("CSRF Failed: ")

    def test_prefixes_are_read_at_call_time(
        self, client: Client, settings: Any
    ) -> None:
        settings.STRICT_CORE_API_PREFIXES = ["/v2/"]

        assert is_json(client.get("/v2/missing/"))
        assert not is_json(client.get("/api/missing/"))


class TestOutsideTheApiPrefix:
    def test_unknown_route_keeps_djangos_page(self, client: Client) -> None:
        response = client.get("/no/such/page/")

        assert response.status_code == 404
        assert response["Content-Type"].startswith("text/html")

    @pytest.mark.parametrize(
        ("kind", "status_code"),
        [("forbidden", 403), ("suspicious", 400), ("missing", 404), ("crash", 500)],
    )
    def test_plain_view_failures_keep_djangos_pages(
        self, client: Client, kind: str, status_code: int
    ) -> None:
        response = client.get(f"/site/fail/{kind}/")

        assert response.status_code == status_code
        assert response["Content-Type"].startswith("text/html")
        assert PLAIN_SECRET.encode() not in response.content

    def test_csrf_failure_keeps_djangos_page(self) -> None:
        response = Client(enforce_csrf_checks=True).post("/site/submit/")

        assert response.status_code == 403
        assert response["Content-Type"].startswith("text/html")


class TestWiring:
    def test_handlers_pass_djangos_signature_checks(self) -> None:
        assert [m for m in run_checks(tags=["urls"]) if m.is_serious()] == []

    def test_script_prefix_is_not_part_of_the_match(self) -> None:
        request = RequestFactory().get("/api/x/", SCRIPT_NAME="/svc")
        request.path_info = "/api/x/"
        request.path = "/svc/api/x/"

        assert views.is_api_request(request)


class TestErrorViewFor:
    @pytest.mark.parametrize(
        ("exception", "view"),
        [
            (Http404(), views.page_not_found),
            (DjangoPermissionDenied(), views.permission_denied),
            (BadRequest(), views.bad_request),
            (SuspiciousOperation(), views.bad_request),
            (MultiPartParserError(), views.bad_request),
            (RequestDataTooBig(), views.bad_request),
            (RuntimeError(), views.server_error),
        ],
    )
    def test_it_chooses_as_django_does(
        self, exception: Exception, view: views.ErrorView
    ) -> None:
        assert views.error_view_for(exception) is view

    def test_a_5xx_names_the_exception_only_under_debug(self, settings: Any) -> None:
        request = RequestFactory().get("/api/x/")
        error = RuntimeError(PLAIN_SECRET)

        quiet = views.server_error(request, error)
        settings.DEBUG = True
        named = views.server_error(request, error)

        assert json.loads(quiet.content)["errors"][0]["detail"] == (
            "A server error occurred."
        )
        assert json.loads(named.content)["errors"][0]["detail"] == (
            f"RuntimeError: {PLAIN_SECRET}"
        )
