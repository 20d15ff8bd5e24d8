"""The OpenAPI schema: error envelopes per operation, valid, and true to real bodies."""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from drf_spectacular.settings import patched_settings
from jsonschema import Draft202012Validator, ValidationError
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from rest_framework.permissions import (
    AllowAny,
    IsAuthenticated,
    IsAuthenticatedOrReadOnly,
)
from rest_framework.test import APIClient

from django_strict_core.openapi import allows_anonymous, attr_schema, camel_case
from django_strict_core.permissions import IsStaff, IsStaffOrReadOnly, ReadOnly

if TYPE_CHECKING:
    from collections.abc import Iterator

URL = "/api/errors/"


def generate(oas_version: str | None = None) -> dict[str, Any]:
    """Generate the test project's schema as JSON data."""
    patches = {"OAS_VERSION": oas_version} if oas_version else {}
    with patched_settings(patches):
        schema = SchemaGenerator(urlconf="tests.urls").get_schema(
            request=None, public=True
        )
    return json.loads(OpenApiJsonRenderer().render(schema))  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return generate()


def statuses(schema: dict[str, Any], path: str, method: str) -> list[str]:
    return sorted(schema["paths"][f"{URL}{path}"][method]["responses"])


class TestDocument:
    def test_passes_openapi_spec_validator(self, schema: dict[str, Any]) -> None:
        validate(schema)  # type: ignore[arg-type]

    def test_passes_openapi_spec_validator_as_openapi_3_1(self) -> None:
        document = generate("3.1.0")

        assert document["openapi"] == "3.1.0"
        validate(document)  # type: ignore[arg-type]


class TestStatusesPerOperation:
    @pytest.mark.parametrize(
        ("path", "method", "expected"),
        [
            # Input is validated only where a body is parsed.
            ("orders/", "post", ["200", "400", "500"]),
            ("items/bulk/", "post", ["201", "400", "500"]),
            ("orders/", "get", ["200", "500"]),
            # Path parameters or pagination can answer 404.
            ("fail/{kind}/", "get", ["200", "404", "500"]),
            ("widgets/", "get", ["200", "404", "500"]),
            ("widgets/{id}/", "get", ["200", "404", "500"]),
            # A WWW-Authenticate challenge gives 401, session authentication 403.
            ("token/", "get", ["200", "401", "500"]),
            ("session/", "get", ["200", "403", "500"]),
            ("throttled/", "get", ["200", "429", "500"]),
            # Query parameters other than the page number are validated.
            ("paged/", "get", ["200", "400", "401", "403", "404", "500"]),
        ],
    )
    def test_error_statuses(
        self, schema: dict[str, Any], path: str, method: str, expected: list[str]
    ) -> None:
        # Every operation can meet an unreachable database or cache: 503 as well.
        assert statuses(schema, path, method) == sorted([*expected, "503"])

    def test_an_unreachable_backend_is_documented_with_retry_after(
        self, schema: dict[str, Any]
    ) -> None:
        response = schema["paths"][f"{URL}orders/"]["get"]["responses"]["503"]
        component = schema["components"]["schemas"]["ErrorResponse503"]

        assert response["headers"]["Retry-After"]["schema"] == {"type": "integer"}
        assert response["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ErrorResponse503"
        }
        code = component["properties"]["errors"]["items"]["properties"]["code"]
        assert code["enum"] == ["service_unavailable"]
        assert component["example"]["type"] == "server_error"

    def test_views_with_another_exception_handler_get_no_error_responses(
        self, schema: dict[str, Any]
    ) -> None:
        assert statuses(schema, "default-handler/", "get") == ["200"]

    def test_challenge_and_retry_headers_are_documented(
        self, schema: dict[str, Any]
    ) -> None:
        token = schema["paths"][f"{URL}token/"]["get"]["responses"]["401"]
        throttled = schema["paths"][f"{URL}throttled/"]["get"]["responses"]["429"]

        assert set(token["headers"]) == {"WWW-Authenticate"}
        assert throttled["headers"]["Retry-After"]["schema"] == {"type": "integer"}

    def test_anonymous_reads_make_authentication_optional(
        self, schema: dict[str, Any]
    ) -> None:
        paged = schema["paths"][f"{URL}paged/"]["get"]
        token = schema["paths"][f"{URL}token/"]["get"]

        assert paged["security"] == [{"tokenAuth": []}, {}]
        assert {} not in token["security"]

    @pytest.mark.parametrize(
        ("permission", "method", "expected"),
        [
            (AllowAny(), "POST", True),
            (ReadOnly(), "GET", True),
            (ReadOnly(), "POST", False),
            (IsStaffOrReadOnly(), "HEAD", True),
            (IsAuthenticatedOrReadOnly(), "DELETE", False),
            (IsAuthenticated(), "GET", False),
            ((IsStaff | ReadOnly)(), "GET", True),
            ((IsStaff | ReadOnly)(), "PATCH", False),
            ((ReadOnly & IsStaff)(), "GET", False),
            ((ReadOnly & AllowAny)(), "GET", True),
            ((~IsStaff)(), "GET", False),
        ],
    )
    def test_which_permissions_allow_anonymous_requests(
        self, permission: Any, method: str, expected: object
    ) -> None:
        assert allows_anonymous(permission, method) is expected

    def test_explicit_responses_win(self, schema: dict[str, Any]) -> None:
        created = schema["paths"][f"{URL}widgets/"]["post"]["responses"]["201"]

        assert created["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Widget"
        }


class TestValidationSchema:
    def test_codes_and_attrs_come_from_the_request_serializer(
        self, schema: dict[str, Any]
    ) -> None:
        response = schema["paths"][f"{URL}orders/"]["post"]["responses"]["400"]
        refs = [
            option["$ref"].rsplit("/", 1)[-1]
            for option in response["content"]["application/json"]["schema"]["oneOf"]
        ]
        # The name's prefix depends on every route of the project (drf-spectacular
        # strips the common path prefix from operation ids).
        (name,) = [ref for ref in refs if ref.endswith("OrdersCreateValidationError")]
        component = schema["components"]["schemas"][name]
        item = component["properties"]["errors"]["items"]["properties"]

        assert {
            "required",
            "invalid",
            "max_length",
            "min_value",
            "blocked_domain",
        } <= set(item["code"]["enum"])
        pattern = item["attr"]["pattern"]
        for attr in (
            "email",
            "non_field_errors",
            "address.city",
            "items.12.name",
            "tags.3",
            "meta.any key",
        ):
            assert Draft202012Validator({"pattern": pattern}).is_valid(attr), attr
        assert not Draft202012Validator({"pattern": pattern}).is_valid("items.x.name")
        assert item["attr"]["nullable"] is True

    def test_query_errors_are_about_the_validated_parameters(
        self, schema: dict[str, Any]
    ) -> None:
        response = schema["paths"][f"{URL}paged/"]["get"]["responses"]["400"]
        ref = response["content"]["application/json"]["schema"]["$ref"]
        component = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
        item = component["properties"]["errors"]["items"]["properties"]

        assert item["attr"]["enum"] == ["colour", "page_size", None]
        assert "invalid" in item["code"]["enum"]

    def test_static_paths_are_an_enum(self) -> None:
        assert attr_schema([("email",), ("address", "city")]) == {
            "type": "string",
            "enum": ["email", "address.city", None],
        }

    def test_operation_ids_become_component_names(self) -> None:
        assert camel_case("api_errors_orders_create") == "ApiErrorsOrdersCreate"


@pytest.fixture(scope="module")
def validator_for() -> Iterator[Any]:
    """Validate real bodies against the OpenAPI 3.1 (JSON Schema) responses."""
    document = generate("3.1.0")
    registry: Registry[Any] = Registry().with_resource(
        "urn:api", Resource.from_contents(document, default_specification=DRAFT202012)
    )

    def validator(path: str, method: str, status: int) -> Draft202012Validator:
        pointer = "/".join(
            [
                "#",
                "paths",
                f"{URL}{path}".replace("/", "~1"),
                method,
                "responses",
                str(status),
                "content",
                "application~1json",
                "schema",
            ]
        )
        return Draft202012Validator({"$ref": f"urn:api{pointer}"}, registry=registry)

    yield validator


@pytest.mark.django_db
class TestRealBodiesMatchTheSchema:
    @pytest.mark.parametrize(
        ("method", "path", "data", "status"),
        [
            ("post", "orders/", {"email": "x", "items": [{}], "meta": {"a": "b"}}, 400),
            ("post", "orders/", "{broken", 400),
            ("post", "items/bulk/", [{"name": "x" * 20}], 400),
            ("get", "token/", None, 401),
            ("get", "session/", None, 403),
            ("get", "widgets/12345/", None, 404),
            ("get", "widgets/?page=7", None, 404),
            ("get", "paged/?page_size=lots", None, 400),
            ("get", "paged/?colour=mauve", None, 400),
            ("get", "fail/unhandled/", None, 500),
        ],
    )
    def test_body_is_valid_against_its_documented_response(
        self,
        validator_for: Any,
        method: str,
        path: str,
        data: Any,
        status: int,
    ) -> None:
        client = APIClient(raise_request_exception=False)
        if isinstance(data, str):
            response = client.post(
                f"{URL}{path}", data, content_type="application/json"
            )
        else:
            response = getattr(client, method)(f"{URL}{path}", data, format="json")

        assert response.status_code == status
        template = (
            path.split("?", maxsplit=1)[0]
            .replace("12345", "{id}")
            .replace("unhandled", "{kind}")
        )
        validator_for(template, method, status).validate(response.json())

    def test_throttled_body_is_valid(self, validator_for: Any) -> None:
        client = APIClient()
        url = f"{URL}throttled/?client={uuid.uuid4().hex}"
        responses = [client.get(url) for _ in range(3)]

        assert responses[-1].status_code == 429
        validator_for("throttled/", "get", 429).validate(responses[-1].json())

    def test_schema_rejects_an_undocumented_code(self, validator_for: Any) -> None:
        body = {
            "type": "client_error",
            "errors": [{"code": "teapot", "detail": "x", "attr": None}],
        }

        with pytest.raises(ValidationError):
            validator_for("token/", "get", 401).validate(body)
