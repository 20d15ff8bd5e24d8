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

from django_strict_core.gunicorn.refusals import REFUSALS
from django_strict_core.openapi import (
    STATIC_ERRORS,
    allows_anonymous,
    attr_schema,
    camel_case,
)
from django_strict_core.permissions import IsStaff, IsStaffOrReadOnly, ReadOnly
from tests.apps.errors.views import SignedOut

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


# Every operation can answer these: a malformed request, a method the path does not
# answer, an Accept header the API cannot satisfy, the server's refusals of a slow,
# long or large head, a bug, an unreachable database or cache.
EVERYWHERE = {"400", "405", "406", "408", "414", "431", "500", "503"}
# And every operation with a request body these: too large, not JSON.
WITH_A_BODY = {"413", "415"}


def statuses(schema: dict[str, Any], path: str, method: str) -> list[str]:
    return sorted(schema["paths"][f"{URL}{path}"][method]["responses"])


def operations(schema: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def ref_name(schema: dict[str, Any]) -> str:
    return str(schema["$ref"]).rsplit("/", 1)[-1]


def json_schema(response: dict[str, Any]) -> dict[str, Any]:
    return response["content"]["application/json"]["schema"]  # type: ignore[no-any-return]


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
            ("orders/", "post", ["200"]),
            ("items/bulk/", "post", ["201"]),
            ("orders/", "get", ["200"]),
            # Path parameters or pagination can answer 404.
            ("fail/{kind}/", "get", ["200", "404"]),
            ("widgets/", "get", ["200", "404"]),
            ("widgets/{id}/", "get", ["200", "404"]),
            # A WWW-Authenticate challenge gives 401, session authentication 403.
            ("token/", "get", ["200", "401"]),
            ("session/", "get", ["200", "403"]),
            ("throttled/", "get", ["200", "429"]),
            ("paged/", "get", ["200", "401", "403", "404"]),
        ],
    )
    def test_error_statuses(
        self, schema: dict[str, Any], path: str, method: str, expected: list[str]
    ) -> None:
        common = EVERYWHERE | (WITH_A_BODY if method == "post" else set())

        assert statuses(schema, path, method) == sorted({*expected, *common})

    def test_every_operation_documents_the_protocols_refusals(
        self, schema: dict[str, Any]
    ) -> None:
        for path, method, operation in operations(schema):
            if path == f"{URL}default-handler/":
                continue
            responses = operation["responses"]
            expected = EVERYWHERE | (
                WITH_A_BODY if "requestBody" in operation else set()
            )
            assert expected <= set(responses), (path, method)
            assert not WITH_A_BODY & set(responses) or "requestBody" in operation
            assert set(responses["405"]["headers"]) == {"Allow"}

    @pytest.mark.parametrize(
        ("status", "code"),
        [
            ("405", "method_not_allowed"),
            ("406", "not_acceptable"),
            ("413", "request_too_large"),
            ("415", "unsupported_media_type"),
            ("408", "request_timeout"),
            ("414", "request_uri_too_long"),
            ("431", "request_header_fields_too_large"),
        ],
    )
    def test_the_protocols_refusals_have_their_codes(
        self, schema: dict[str, Any], status: str, code: str
    ) -> None:
        response = schema["paths"][f"{URL}orders/"]["post"]["responses"][status]
        component = schema["components"]["schemas"][ref_name(json_schema(response))]
        item = component["properties"]["errors"]["items"]["properties"]

        assert item["code"]["enum"] == [code]
        assert component["example"]["errors"][0]["code"] == code

    def test_the_servers_own_refusals_are_documented(self) -> None:
        for status, (code, _detail) in REFUSALS.items():
            assert code in STATIC_ERRORS[str(status.value)].codes, status

    def test_request_bodies_are_json_unless_the_view_takes_more(
        self, schema: dict[str, Any]
    ) -> None:
        bodies = {
            path: list(operation["requestBody"]["content"])
            for path, _method, operation in operations(schema)
            if "requestBody" in operation
        }
        upload = bodies.pop(f"{URL}upload/")

        assert bodies
        assert all(media == ["application/json"] for media in bodies.values())
        assert upload == [
            "application/json",
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ]

    def test_an_unreachable_backend_is_documented_with_retry_after(
        self, schema: dict[str, Any]
    ) -> None:
        response = schema["paths"][f"{URL}orders/"]["get"]["responses"]["503"]
        component = schema["components"]["schemas"][ref_name(json_schema(response))]
        item = component["properties"]["errors"]["items"]["properties"]

        assert response["headers"]["Retry-After"]["schema"] == {"type": "integer"}
        assert item["code"]["enum"] == ["service_unavailable"]
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

    def test_a_permission_may_say_it_lets_anonymous_requests_through(
        self, schema: dict[str, Any]
    ) -> None:
        signed_out = schema["paths"][f"{URL}signed-out/"]["post"]

        assert signed_out["security"] == [{"tokenAuth": []}, {}]
        # It still refuses signed-in users.
        assert "403" in signed_out["responses"]

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
            (SignedOut(), "DELETE", True),
            ((SignedOut | IsStaff)(), "POST", True),
            ((SignedOut & IsStaff)(), "POST", False),
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
        assert "enum" not in item["attr"]
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
        query, malformed = json_schema(response)["oneOf"]
        component = schema["components"]["schemas"][ref_name(query)]
        item = component["properties"]["errors"]["items"]["properties"]
        paths, null = (ref_name(option) for option in item["attr"]["oneOf"])

        assert schema["components"]["schemas"][paths]["enum"] == ["colour", "page_size"]
        assert null == "NullEnum"
        assert "invalid" in item["code"]["enum"]
        # Too many query fields or a foreign Host: the request is malformed.
        assert ref_name(malformed) == "ClientErrorResponse400"

    def test_static_paths_are_an_enum(self) -> None:
        assert attr_schema([("email",), ("address", "city")]) == {
            "type": "string",
            "enum": ["email", "address.city"],
        }

    @pytest.mark.parametrize("oas_version", ["3.0.3", "3.1.0"])
    def test_attr_is_one_enum_component_or_null(self, oas_version: str) -> None:
        document = generate(oas_version)
        components = document["components"]["schemas"]
        null = {"enum": [None]} if oas_version == "3.0.3" else {"type": "null"}
        response = document["paths"][f"{URL}widgets/"]["post"]["responses"]["400"]
        validation = components[ref_name(json_schema(response)["oneOf"][0])]
        attr = validation["properties"]["errors"]["items"]["properties"]["attr"]
        paths, none = (ref_name(option) for option in attr["oneOf"])

        assert components[none] == null
        assert components[paths]["type"] == "string"
        assert None not in components[paths]["enum"]
        assert "nullable" not in attr
        for name, component in components.items():
            if name.startswith(("ErrorResponse", "ClientErrorResponse")):
                item = component["properties"]["errors"]["items"]["properties"]
                assert item["attr"] == {"$ref": "#/components/schemas/NullEnum"}, name

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

    @pytest.mark.parametrize(
        ("request_args", "documented", "status"),
        [
            # PUT is not an operation of the path: any operation's 405 applies.
            (("put", {}), "post", 405),
            (("get", {"HTTP_ACCEPT": "text/html"}), "get", 406),
            (("post", {"data": b"{}" + b" " * 200}), "post", 413),
            (("post", {"data": "email=x", "content_type": "text/plain"}), "post", 415),
            (
                (
                    "post",
                    {"data": "x", "content_type": "multipart/form-data; boundary=x"},
                ),
                "post",
                415,
            ),
            # Over DATA_UPLOAD_MAX_NUMBER_FIELDS: a malformed request.
            (("get", {"QUERY_STRING": "a=1&b=2&c=3"}), "get", 400),
        ],
    )
    def test_the_protocols_refusals_are_valid(
        self,
        validator_for: Any,
        settings: Any,
        request_args: tuple[str, dict[str, Any]],
        documented: str,
        status: int,
    ) -> None:
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
        settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 2
        method, extra = request_args
        client = APIClient(raise_request_exception=False)

        response = getattr(client, method)(
            f"{URL}orders/", **{"content_type": "application/json", **extra}
        )

        assert response.status_code == status, response.content
        validator_for("orders/", documented, status).validate(response.json())

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
