"""exception_handler through real requests: one behaviour per kind of exception."""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING, Any

import pytest
from asgiref.sync import async_to_sync
from django.core.signals import got_request_exception
from django.db import connection
from django.test import AsyncClient
from rest_framework import exceptions
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient, APIRequestFactory

from django_strict_core.exceptions import exception_handler
from tests.apps.errors.models import Widget
from tests.apps.errors.views import LEAKY_MESSAGE

if TYPE_CHECKING:
    from collections.abc import Iterator

    from django.http import HttpResponse

URL = "/api/errors/"
GENERIC_500 = {
    "type": "server_error",
    "errors": [{"code": "error", "detail": "A server error occurred.", "attr": None}],
}


@pytest.fixture
def api() -> APIClient:
    """A client that returns 500 responses instead of re-raising the exception."""
    return APIClient(raise_request_exception=False)


@pytest.fixture
def reported() -> Iterator[list[dict[str, Any]]]:
    """The ``got_request_exception`` signals sent during the test."""
    calls: list[dict[str, Any]] = []

    def receiver(**kwargs: Any) -> None:
        calls.append(kwargs)

    got_request_exception.connect(receiver)
    yield calls
    got_request_exception.disconnect(receiver)


def body(response: HttpResponse) -> Any:
    return response.json()  # type: ignore[attr-defined]


def pairs(response: HttpResponse) -> set[tuple[str | None, str]]:
    return {(e["attr"], e["code"]) for e in body(response)["errors"]}


def request_log(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "django.request"]


class TestValidationErrors:
    def test_nested_list_and_dict_field_errors_are_flattened(
        self, api: APIClient
    ) -> None:
        response = api.post(
            f"{URL}orders/",
            {
                "email": "not-an-email",
                "address": {"zip_code": "12"},
                "items": [{"name": "bolt", "quantity": 0}, {"name": "x" * 11}],
                "tags": ["ok", "too-long"],
                "meta": {"size": "big"},
            },
            format="json",
        )

        assert response.status_code == 400
        assert body(response)["type"] == "validation_error"
        assert pairs(response) == {
            ("email", "invalid"),
            ("address.city", "required"),
            ("address.zip_code", "invalid"),
            ("items.0.quantity", "min_value"),
            ("items.1.name", "max_length"),
            ("items.1.quantity", "required"),
            ("tags.1", "max_length"),
            ("meta.size", "invalid"),
        }

    def test_serializer_level_error_has_its_own_code(self, api: APIClient) -> None:
        response = api.post(
            f"{URL}orders/",
            {
                "email": "a@blocked.example",
                "address": {"city": "Oslo", "zip_code": "12345"},
                "items": [],
                "tags": [],
                "meta": {},
            },
            format="json",
        )

        assert body(response) == {
            "type": "validation_error",
            "errors": [
                {
                    "code": "blocked_domain",
                    "detail": "Orders from this domain are blocked.",
                    "attr": "non_field_errors",
                }
            ],
        }

    def test_top_level_list_serializer_paths_start_with_the_index(
        self, api: APIClient
    ) -> None:
        response = api.post(
            f"{URL}items/bulk/",
            [{"name": "ok", "quantity": 1}, {"quantity": 0}],
            format="json",
        )

        assert response.status_code == 400
        assert pairs(response) == {("1.name", "required"), ("1.quantity", "min_value")}

    def test_model_full_clean_errors_map_all_to_non_field_errors(
        self, api: APIClient
    ) -> None:
        response = api.get(f"{URL}fail/model-validation/")

        assert response.status_code == 400
        assert body(response)["type"] == "validation_error"
        assert pairs(response) == {
            ("quantity", "min_value"),
            ("non_field_errors", "reserved"),
        }

    def test_service_validation_error_is_not_about_a_field(
        self, api: APIClient
    ) -> None:
        response = api.get(f"{URL}fail/service-validation/")

        assert response.status_code == 400
        assert body(response) == {
            "type": "validation_error",
            "errors": [
                {"code": "low_stock", "detail": "The stock is too low.", "attr": None}
            ],
        }

    def test_validation_error_raised_in_a_view(self, api: APIClient) -> None:
        response = api.get(f"{URL}fail/list-validation/")

        assert body(response)["errors"] == [
            {"code": "invalid", "detail": "Not today.", "attr": None}
        ]

    def test_async_client_gets_the_same_envelope(self) -> None:
        async_client = AsyncClient(raise_request_exception=False)

        async def call() -> HttpResponse:
            return await async_client.post(
                f"{URL}items/bulk/", [{"name": "ok"}], content_type="application/json"
            )

        response = async_to_sync(call)()

        assert response.status_code == 400
        assert pairs(response) == {("0.quantity", "required")}


class TestClientErrors:
    def test_malformed_json_is_a_parse_error(self, api: APIClient) -> None:
        response = api.post(
            f"{URL}orders/", "{not json", content_type="application/json"
        )

        assert response.status_code == 400
        assert body(response)["type"] == "client_error"
        assert pairs(response) == {(None, "parse_error")}

    def test_token_authentication_answers_401_with_a_challenge(
        self, api: APIClient
    ) -> None:
        response = api.get(f"{URL}token/")

        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Token"
        assert body(response) == {
            "type": "client_error",
            "errors": [
                {
                    "code": "not_authenticated",
                    "detail": "Authentication credentials were not provided.",
                    "attr": None,
                }
            ],
        }

    @pytest.mark.django_db
    def test_bad_token_is_authentication_failed(self, api: APIClient) -> None:
        response = api.get(f"{URL}token/", headers={"Authorization": "Token nope"})

        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Token"
        assert pairs(response) == {(None, "authentication_failed")}

    @pytest.mark.django_db
    def test_good_token_passes(self, api: APIClient, django_user_model: Any) -> None:
        user = django_user_model.objects.create_user("ann")
        token = Token.objects.create(user=user)

        response = api.get(f"{URL}token/", headers={"Authorization": f"Token {token}"})

        assert (response.status_code, body(response)) == (200, {"user": "ann"})

    def test_session_authentication_answers_403(self, api: APIClient) -> None:
        response = api.get(f"{URL}session/")

        assert response.status_code == 403
        assert "WWW-Authenticate" not in response
        assert pairs(response) == {(None, "not_authenticated")}

    def test_drf_permission_denied(self, api: APIClient) -> None:
        response = api.get(f"{URL}fail/drf-permission/")

        assert response.status_code == 403
        assert body(response)["errors"] == [
            {
                "code": "permission_denied",
                "detail": "You do not have permission to perform this action.",
                "attr": None,
            }
        ]

    def test_django_permission_denied_hides_its_message(self, api: APIClient) -> None:
        response = api.get(f"{URL}fail/django-permission/")

        assert response.status_code == 403
        assert pairs(response) == {(None, "permission_denied")}
        assert b"ops-team" not in response.content

    def test_http404_hides_its_message(self, api: APIClient) -> None:
        response = api.get(f"{URL}fail/http404/")

        assert response.status_code == 404
        assert body(response) == {
            "type": "client_error",
            "errors": [{"code": "not_found", "detail": "Not found.", "attr": None}],
        }

    @pytest.mark.django_db
    def test_get_object_or_404(self, api: APIClient) -> None:
        response = api.get(f"{URL}widgets/999999/")

        assert response.status_code == 404
        assert pairs(response) == {(None, "not_found")}
        assert b"Widget" not in response.content

    @pytest.mark.django_db
    def test_invalid_page_is_not_found(self, api: APIClient) -> None:
        response = api.get(f"{URL}widgets/?page=9")

        assert response.status_code == 404
        assert pairs(response) == {(None, "not_found")}

    def test_method_not_allowed(self, api: APIClient) -> None:
        response = api.delete(f"{URL}orders/")

        assert response.status_code == 405
        assert body(response)["errors"] == [
            {
                "code": "method_not_allowed",
                "detail": 'Method "DELETE" not allowed.',
                "attr": None,
            }
        ]

    def test_not_acceptable(self, api: APIClient) -> None:
        response = api.get(f"{URL}orders/", headers={"Accept": "application/xml"})

        assert response.status_code == 406
        assert pairs(response) == {(None, "not_acceptable")}

    def test_unsupported_media_type(self, api: APIClient) -> None:
        response = api.post(f"{URL}orders/", "a=1", content_type="text/plain")

        assert response.status_code == 415
        assert body(response)["type"] == "client_error"
        assert pairs(response) == {(None, "unsupported_media_type")}

    def test_throttled_keeps_retry_after(self, api: APIClient) -> None:
        url = f"{URL}throttled/?client={uuid.uuid4().hex}"
        statuses = [api.get(url).status_code for _ in range(2)]

        response = api.get(url)

        assert statuses == [200, 200]
        assert response.status_code == 429
        assert 0 < int(response["Retry-After"]) <= 60
        assert pairs(response) == {(None, "throttled")}

    def test_suspicious_operation_is_a_bad_request_logged_as_security(
        self, api: APIClient, caplog: pytest.LogCaptureFixture
    ) -> None:
        response = api.get(f"{URL}fail/suspicious/")

        assert response.status_code == 400
        assert body(response) == {
            "type": "client_error",
            "errors": [{"code": "bad_request", "detail": "Bad request.", "attr": None}],
        }
        assert b"evil.example" not in response.content
        security = [
            r for r in caplog.records if r.name == "django.security.SuspiciousOperation"
        ]
        assert len(security) == 1
        assert security[0].levelno == logging.ERROR
        assert request_log(caplog) == []

    def test_bad_request_exception(self, api: APIClient) -> None:
        response = api.get(f"{URL}fail/bad-request/")

        assert response.status_code == 400
        assert pairs(response) == {(None, "bad_request")}
        assert b"q=1" not in response.content

    def test_custom_exception_keeps_its_code_and_detail(self, api: APIClient) -> None:
        response = api.get(f"{URL}fail/payment/")

        assert response.status_code == 402
        assert body(response) == {
            "type": "client_error",
            "errors": [
                {
                    "code": "payment_required",
                    "detail": "A paid plan is required.",
                    "attr": None,
                }
            ],
        }


class TestServerErrors:
    def test_unhandled_exception_is_a_generic_500(
        self, api: APIClient, reported: list[dict[str, Any]]
    ) -> None:
        response = api.get(f"{URL}fail/unhandled/")

        assert response.status_code == 500
        assert body(response) == GENERIC_500
        for leak in (LEAKY_MESSAGE, "secret", "/srv/", "Traceback", "RuntimeError"):
            assert leak.encode() not in response.content

    def test_unhandled_exception_is_reported_and_logged_exactly_once(
        self,
        api: APIClient,
        reported: list[dict[str, Any]],
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        api.get(f"{URL}fail/unhandled/")

        assert len(reported) == 1
        assert reported[0]["request"].path == f"{URL}fail/unhandled/"
        records = request_log(caplog)
        assert len(records) == 1
        assert records[0].levelno == logging.ERROR
        assert records[0].status_code == 500  # type: ignore[attr-defined]
        assert records[0].exc_info is not None
        assert records[0].exc_info[0] is RuntimeError
        assert LEAKY_MESSAGE in caplog.text

    def test_the_test_client_re_raises_through_the_signal(self) -> None:
        with pytest.raises(RuntimeError, match="secret token"):
            APIClient().get(f"{URL}fail/unhandled/")

    def test_async_request_is_reported_and_logged_exactly_once(
        self, reported: list[dict[str, Any]], caplog: pytest.LogCaptureFixture
    ) -> None:
        response = async_to_sync(AsyncClient(raise_request_exception=False).get)(
            f"{URL}fail/unhandled/"
        )

        assert response.status_code == 500
        assert body(response) == GENERIC_500
        assert len(reported) == 1
        assert len(request_log(caplog)) == 1

    def test_deliberate_server_error_keeps_its_code_and_is_reported_once(
        self,
        api: APIClient,
        reported: list[dict[str, Any]],
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        response = api.get(f"{URL}fail/maintenance/")

        assert response.status_code == 503
        assert body(response) == {
            "type": "server_error",
            "errors": [
                {
                    "code": "maintenance",
                    "detail": "The shop is closed for maintenance.",
                    "attr": None,
                }
            ],
        }
        assert len(reported) == 1
        assert reported[0]["request"].path == f"{URL}fail/maintenance/"
        (record,) = request_log(caplog)
        assert record.getMessage() == f"Service Unavailable: {URL}fail/maintenance/"
        assert record.levelno == logging.ERROR
        assert record.exc_info is not None

    @pytest.mark.parametrize("status", [500, 502, 503, 504])
    def test_a_5xx_api_exception_is_sent_through_the_signal(
        self, reported: list[dict[str, Any]], status: int
    ) -> None:
        class Failing(exceptions.APIException):
            status_code = status

        request = APIRequestFactory().get(f"{URL}direct/")
        context = {"view": None, "args": (), "kwargs": {}, "request": request}

        response = exception_handler(Failing(), context)

        assert response is not None
        assert response.status_code == status
        assert [call["request"] for call in reported] == [request]

    def test_client_errors_are_not_sent_through_the_signal(
        self, reported: list[dict[str, Any]]
    ) -> None:
        request = APIRequestFactory().get(f"{URL}direct/")
        context = {"view": None, "args": (), "kwargs": {}, "request": request}

        for error in (
            exceptions.ValidationError({"name": ["Required."]}),
            exceptions.NotFound(),
            exceptions.Throttled(30),
        ):
            exception_handler(error, context)

        assert reported == []

    def test_debug_shows_the_exception_class_and_message_only(
        self,
        api: APIClient,
        settings: Any,
        reported: list[dict[str, Any]],
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        settings.DEBUG = True

        response = api.get(f"{URL}fail/unhandled/")

        assert response.status_code == 500
        assert body(response) == {
            "type": "server_error",
            "errors": [
                {
                    "code": "error",
                    "detail": f"RuntimeError: {LEAKY_MESSAGE}",
                    "attr": None,
                }
            ],
        }
        assert b"Traceback" not in response.content
        assert len(reported) == 1
        assert len(request_log(caplog)) == 1

    def test_debug_propagate_exceptions_lets_the_exception_through(
        self, api: APIClient, settings: Any
    ) -> None:
        settings.DEBUG_PROPAGATE_EXCEPTIONS = True

        with pytest.raises(RuntimeError, match="secret token"):
            api.get(f"{URL}fail/unhandled/")

    def test_handled_exceptions_do_not_propagate_with_debug_propagate(
        self, api: APIClient, settings: Any
    ) -> None:
        settings.DEBUG_PROPAGATE_EXCEPTIONS = True

        assert api.get(f"{URL}fail/http404/").status_code == 404


@pytest.mark.django_db
class TestRollback:
    @pytest.fixture(autouse=True)
    def atomic_requests(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setitem(connection.settings_dict, "ATOMIC_REQUESTS", value=True)

    def post(self, api: APIClient, then: str) -> HttpResponse:
        return api.post(
            f"{URL}widgets/",
            {"name": "bolt", "quantity": 3, "then": then},
            format="json",
        )

    def test_committed_request_keeps_its_row(self, api: APIClient) -> None:
        assert self.post(api, "commit").status_code == 201
        assert Widget.objects.filter(name="bolt").count() == 1

    def test_validation_error_rolls_the_request_back(self, api: APIClient) -> None:
        response = self.post(api, "invalid")

        assert response.status_code == 400
        assert pairs(response) == {("name", "invalid")}
        assert not Widget.objects.filter(name="bolt").exists()

    def test_unhandled_exception_rolls_the_request_back(self, api: APIClient) -> None:
        assert self.post(api, "crash").status_code == 500
        assert not Widget.objects.filter(name="bolt").exists()

    def test_model_validation_through_the_service(self, api: APIClient) -> None:
        response = api.post(
            f"{URL}widgets/",
            {"name": "x" * 21, "quantity": -1, "then": "commit"},
            format="json",
        )

        assert response.status_code == 400
        assert pairs(response) == {("name", "max_length"), ("quantity", "min_value")}


class TestOversizedBody:
    def test_a_body_over_the_upload_limit_is_413_logged_as_security(
        self, api: APIClient, settings: Any, caplog: pytest.LogCaptureFixture
    ) -> None:
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100

        response = api.post(f"{URL}orders/", {"email": "a" * 200}, format="json")

        assert response.status_code == 413
        assert body(response) == {
            "type": "client_error",
            "errors": [
                {
                    "code": "request_too_large",
                    "detail": "Request body too large.",
                    "attr": None,
                }
            ],
        }
        security = [
            r for r in caplog.records if r.name == "django.security.RequestDataTooBig"
        ]
        assert len(security) == 1
        assert request_log(caplog) == []
