"""Every documented extension point works without tripping a check or the schema.

The project in ``tests.apps.extended`` subclasses each class the documentation invites
projects to subclass and names each in its settings; here it passes every strict
check, and its OpenAPI schema keeps every error response.
"""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

import pytest
from django.conf import settings
from django.core.checks import run_checks
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from openapi_spec_validator import validate
from rest_framework.test import APIClient

from django_strict_core.checks import TAG
from django_strict_core.checks.middleware import check_middleware

if TYPE_CHECKING:
    from collections.abc import Iterator

    from pytest_django.fixtures import SettingsWrapper

EXTENSIONS = "tests.apps.extended.extensions"


@pytest.fixture(autouse=True)
def extended_project(settings: SettingsWrapper) -> Iterator[SettingsWrapper]:
    """The test project, with every extension point taken."""
    middleware = list(settings.MIDDLEWARE)
    middleware[:2] = [
        f"{EXTENSIONS}.ProjectRequestIDMiddleware",
        f"{EXTENSIONS}.ProjectHealthCheckMiddleware",
    ]
    settings.MIDDLEWARE = middleware
    settings.ROOT_URLCONF = "tests.apps.extended.urls"
    settings.STRICT_CORE_EXCEPTION_HANDLER_CLASS = f"{EXTENSIONS}.ShopExceptionHandler"
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_PAGINATION_CLASS": f"{EXTENSIONS}.LargePages",
        "DEFAULT_THROTTLE_CLASSES": [
            *settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"],
            f"{EXTENSIONS}.BurstThrottle",
        ],
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "burst": "2/minute",
        },
        "DEFAULT_SCHEMA_CLASS": f"{EXTENSIONS}.ProjectSchema",
        "DEFAULT_PARSER_CLASSES": [
            f"{EXTENSIONS}.ProjectJSONParser",
            *settings.REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"],
        ],
    }
    yield settings


def schema() -> dict[str, Any]:
    document = SchemaGenerator(urlconf="tests.apps.extended.urls").get_schema(
        request=None, public=True
    )
    return json.loads(OpenApiJsonRenderer().render(document))  # type: ignore[no-any-return]


def responses(document: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    return document["paths"][path][method]["responses"]  # type: ignore[no-any-return]


def component(document: dict[str, Any], response: dict[str, Any]) -> dict[str, Any]:
    ref = response["content"]["application/json"]["schema"]["$ref"]
    return document["components"]["schemas"][ref.rsplit("/", 1)[-1]]  # type: ignore[no-any-return]


def codes(document: dict[str, Any], response: dict[str, Any]) -> list[str]:
    item = component(document, response)["properties"]["errors"]["items"]
    return item["properties"]["code"]["enum"]  # type: ignore[no-any-return]


def test_the_project_passes_every_strict_check() -> None:
    assert run_checks(tags=[TAG]) == []


def test_the_schema_is_valid() -> None:
    validate(schema())  # type: ignore[arg-type]


class TestExceptionHandlerClass:
    def test_the_named_subclass_answers_api_errors(self) -> None:
        client = APIClient()

        conflict = client.post("/api/notes/", {"text": "taken"}, format="json")
        invalid = client.post("/api/notes/", {"text": "x" * 30}, format="json")

        assert conflict.status_code == 409
        assert conflict.json()["errors"][0]["code"] == "conflict"
        assert invalid.status_code == 400
        assert invalid.json()["type"] == "validation_error"

    def test_the_schema_keeps_every_error_response(self) -> None:
        document = schema()

        assert sorted(responses(document, "/api/notes/", "post")) == [
            "201",
            "400",
            "401",
            "404",
            "405",
            "406",
            "408",
            "409",
            "413",
            "414",
            "415",
            "429",
            "431",
            "500",
            "503",
        ]

    def test_the_codes_it_adds_are_documented_where_they_apply(self) -> None:
        document = schema()
        write = responses(document, "/api/notes/", "post")
        read = responses(document, "/api/notes/{id}/", "get")

        assert codes(document, write["409"]) == ["conflict"]
        assert "409" not in read
        assert codes(document, read["404"]) == ["not_found", "gone"]


def test_a_schema_class_subclass_keeps_the_error_responses() -> None:
    write = responses(schema(), "/api/notes/", "post")

    assert write["503"] == {"description": "The upstream service is down."}
    assert {"400", "401", "409", "429", "500"} <= set(write)


class TestPaginationSubclass:
    def test_it_bounds_the_page_size(self) -> None:
        page = APIClient().get("/api/numbers/?page_size=1000&p=1").json()

        assert (page["count"], len(page["results"])) == (600, 500)

    def test_its_parameters_are_documented(self) -> None:
        document = schema()
        operation = document["paths"]["/api/numbers/"]["get"]
        parameters = {p["name"]: p["schema"] for p in operation["parameters"]}
        query_error = responses(document, "/api/numbers/", "get")["400"]
        envelope, _malformed = query_error["content"]["application/json"]["schema"][
            "oneOf"
        ]
        items = component(
            document, {"content": {"application/json": {"schema": envelope}}}
        )
        attr = items["properties"]["errors"]["items"]["properties"]["attr"]
        paths, null = (option["$ref"].rsplit("/", 1)[-1] for option in attr["oneOf"])

        assert parameters["page_size"]["maximum"] == 500
        assert parameters["p"]["minimum"] == 1
        # A bad page number is a 404, not a query error.
        assert document["components"]["schemas"][paths]["enum"] == ["page_size"]
        assert null == "NullEnum"


class TestThrottleSubclass:
    def test_it_counts_its_own_scope(self) -> None:
        client = APIClient()
        url = f"/api/notes/?client={uuid.uuid4().hex}"

        answers = [client.post(url, {"text": "hi"}, format="json") for _ in range(3)]

        assert [a.status_code for a in answers] == [201, 201, 429]
        assert answers[-1]["Retry-After"]

    def test_its_429_is_documented(self) -> None:
        throttled = responses(schema(), "/api/notes/", "post")["429"]

        assert set(throttled["headers"]) == {"Retry-After"}


class TestPermissionSubclasses:
    def test_a_read_only_subclass_makes_authentication_optional(self) -> None:
        operation = schema()["paths"]["/api/numbers/"]["get"]

        assert {} in operation["security"]

    def test_an_owner_subclass_documents_its_refusals(self) -> None:
        read = responses(schema(), "/api/notes/{id}/", "get")

        assert {"401", "403"} <= set(read)


class TestParserSubclass:
    def test_its_media_type_is_the_documented_body(self) -> None:
        operation = schema()["paths"]["/api/notes/"]["post"]

        assert set(operation["requestBody"]["content"]) == {
            "application/vnd.shop+json",
            "application/json",
        }

    def test_it_keeps_the_depth_bound(self) -> None:
        response = APIClient().post(
            "/api/notes/",
            "[" * 100_000,
            content_type="application/vnd.shop+json",
        )

        assert response.status_code == 400
        assert response.json()["errors"][0]["code"] == "parse_error"


class TestMiddlewareSubclasses:
    def test_they_satisfy_the_presence_and_order_checks(self) -> None:
        assert check_middleware() == []

    def test_a_misplaced_subclass_is_named(self, settings: SettingsWrapper) -> None:
        first, second, *rest = settings.MIDDLEWARE
        settings.MIDDLEWARE = [second, first, *rest]

        (error,) = check_middleware()

        assert error.id == "strict_core.E012"
        assert error.msg.startswith(f"{first} in MIDDLEWARE must come first")

    def test_they_answer_probes_and_skip_them_in_the_access_log(self) -> None:
        response = APIClient().get("/ops/health/live/")

        assert response.status_code == 200
        assert response["X-Request-ID"]


def test_the_health_routes_mounted_elsewhere_answer_probes() -> None:
    assert settings.ROOT_URLCONF == "tests.apps.extended.urls"
    assert APIClient().get("/ops/health/live/").json() == {"status": "healthy"}
