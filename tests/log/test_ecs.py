"""The ``ecs`` field set: the rules of Elastic's ECS logging spec, one test each.

The rules come from the ECS logging specification
(https://github.com/elastic/ecs-logging/blob/main/spec/spec.json, vendored as
``data/ecs-logging-spec.json``) and the ECS field reference
(https://www.elastic.co/guide/en/ecs/current/ecs-field-reference.html).
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime, timezone
from typing import Any

import pytest

from django_strict_core.log import ACCESS_LOGGER
from django_strict_core.log.config import LOG_FIELDS
from django_strict_core.log.ecs import (
    CUSTOM_NAMESPACE,
    ECS_VERSION,
    label_key,
    label_value,
)
from django_strict_core.log.fields import FIELD_SETS
from django_strict_core.log.formatters import JsonFormatter
from django_strict_core.log.orjson_formatter import OrjsonFormatter
from tests.log import schemas

STATIC = {"service": "shop", "environment": "production", "version": "1.4.2"}
SPEC = schemas.load("ecs-logging-spec.json")["fields"]


def make_record(
    msg: object = "hello",
    *,
    logger: str = "shop.orders",
    extra: dict[str, Any] | None = None,
    exc_info: Any = None,
    stack_info: str | None = None,
) -> logging.LogRecord:
    record = logging.getLogger(logger).makeRecord(
        logger, logging.INFO, __file__, 10, msg, (), exc_info, extra=extra
    )
    record.request_id = "req-1"
    record.stack_info = stack_info
    return record


def exc_info() -> Any:
    try:
        raise ValueError("bad value")
    except ValueError:
        return sys.exc_info()


@pytest.fixture(params=[JsonFormatter, OrjsonFormatter], ids=["json", "orjson"])
def render(request: pytest.FixtureRequest) -> Any:
    def render(record: logging.LogRecord, **static: Any) -> tuple[str, dict[str, Any]]:
        formatter = request.param(fields="ecs", static_fields={**STATIC, **static})
        text = formatter.format(record)
        return text, json.loads(text)

    return render


class TestSpecRules:
    def test_timestamp_is_utc_with_z(self, render: Any) -> None:
        record = make_record()
        record.created = 1_767_225_600.25

        _, line = render(record)

        assert line["@timestamp"] == "2026-01-01T00:00:00.250000Z"
        assert schemas.ECS_TIMESTAMP.fullmatch(line["@timestamp"])
        parsed = datetime.strptime(line["@timestamp"], "%Y-%m-%dT%H:%M:%S.%fZ")
        assert parsed.replace(tzinfo=timezone.utc).timestamp() == record.created

    def test_timestamp_level_and_message_come_first_in_the_spec_order(
        self, render: Any
    ) -> None:
        _, line = render(make_record(exc_info=exc_info(), extra={"order_id": 1}))

        indexed = sorted(
            (rule["index"], name) for name, rule in SPEC.items() if "index" in rule
        )
        assert [name for _, name in indexed] == ["@timestamp", "log.level", "message"]
        assert list(line)[:3] == ["@timestamp", "log.level", "message"]

    def test_required_fields_are_on_every_line(self, render: Any) -> None:
        _, line = render(make_record())

        required = {name for name, rule in SPEC.items() if rule.get("required")}
        assert required == {"@timestamp", "log.level", "ecs.version"}
        assert required <= line.keys()
        assert line["ecs.version"] == ECS_VERSION

    def test_top_level_fields_are_dotted_keys(self, render: Any) -> None:
        text, line = render(make_record())

        for name, rule in SPEC.items():
            if rule.get("top_level_field"):
                assert f'"{name}":' in text
                assert name.split(".")[0] not in line

    def test_spec_types_of_every_field(self, render: Any) -> None:
        text, _ = render(
            make_record(exc_info=exc_info(), extra={"labels": {"a": 1}}),
        )

        _, problems = schemas.problems(text, SPEC)
        assert problems == []

    def test_message_is_a_string_for_a_dict_message(self, render: Any) -> None:
        _, line = render(make_record({"event": "paid"}))

        assert line["message"] == ""
        assert line[f"{CUSTOM_NAMESPACE}.event"] == "paid"

    def test_service_fields_are_strings_and_name_the_dataset(self, render: Any) -> None:
        _, line = render(make_record(), version=2)

        assert line["service.name"] == "shop"
        assert line["service.environment"] == "production"
        assert line["service.version"] == "2"
        assert line["event.dataset"] == "shop"

    def test_a_configured_dataset_wins(self, render: Any) -> None:
        _, line = render(make_record(), **{"event.dataset": "shop.web"})

        assert line["event.dataset"] == "shop.web"


class TestLabels:
    @pytest.mark.parametrize(
        ("key", "expected"),
        [
            ("tenant.id", "tenant_id"),
            ("a*b", "a_b"),
            ("back\\slash", "back_slash"),
            ("a.b*c\\d", "a_b_c_d"),
            ("plain_key", "plain_key"),
        ],
    )
    def test_keys_are_sanitized_as_the_spec_requires(
        self, key: str, expected: str
    ) -> None:
        rule = SPEC["labels"]["sanitization"]["key"]
        assert rule == {"replacements": [".", "*", "\\"], "substitute": "_"}

        assert label_key(key) == expected

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("acme", "acme"),
            (1, "1"),
            (0.5, "0.5"),
            (True, "true"),
            ({"rpm": 60}, '{"rpm":60}'),
            (["a", "b"], '["a","b"]'),
        ],
    )
    def test_values_are_keywords(self, value: object, expected: str) -> None:
        assert label_value(value) == expected

    def test_values_json_cannot_hold_are_their_text(self) -> None:
        loop: list[object] = []
        loop.append(loop)

        assert label_value(loop) == "[[...]]"
        assert label_value({(1, 2): "pair"}) == "{(1, 2): 'pair'}"

    def test_labels_of_a_record(self, render: Any) -> None:
        labels = {"tenant.id": "acme", "a*b": 1, "plan": None, "ok": True}

        _, line = render(make_record(extra={"labels": labels}))

        assert line["labels"] == {"tenant_id": "acme", "a_b": "1", "ok": "true"}

    def test_labels_that_are_not_a_mapping_are_a_custom_field(
        self, render: Any
    ) -> None:
        _, line = render(make_record(extra={"labels": "plain"}))

        assert "labels" not in line
        assert line[f"{CUSTOM_NAMESPACE}.labels"] == "plain"


class TestCallersFields:
    @pytest.mark.parametrize(
        ("name", "value"),
        [
            ("status", "captured"),
            ("status_code", "teapot"),
            ("version", 3),
            ("path", ["a"]),
            ("method", {"name": "card"}),
            ("service", "billing"),
            ("duration_ms", 12.5),
            ("user_id", 7),
            ("query", "q"),
            ("error", "boom"),
            ("log", {"level": 1}),
            ("url.path", 1),
            ("http.response.status_code", "x"),
            ("ecs.version", 2),
        ],
    )
    def test_extra_fields_go_to_the_custom_namespace(
        self, render: Any, name: str, value: object
    ) -> None:
        _, line = render(make_record(extra={name: value}))

        assert line[f"{CUSTOM_NAMESPACE}.{name}"] == value
        written = [key for key in line if not key.startswith(f"{CUSTOM_NAMESPACE}.")]
        assert written == [
            "@timestamp",
            "log.level",
            "message",
            "log.logger",
            "http.request.id",
            "service.name",
            "service.environment",
            "service.version",
            "event.dataset",
            "ecs.version",
        ]
        assert line["ecs.version"] == ECS_VERSION
        assert line["service.version"] == "1.4.2"

    def test_dict_message_keys_that_are_not_strings(self, render: Any) -> None:
        _, line = render(make_record({1: "one", "status": "ok"}))

        assert line[f"{CUSTOM_NAMESPACE}.1"] == "one"
        assert line[f"{CUSTOM_NAMESPACE}.status"] == "ok"

    def test_static_fields_of_your_own_keep_their_names(self, render: Any) -> None:
        _, line = render(make_record(), **{"cloud.region": "eu-west-1"})

        assert line["cloud.region"] == "eu-west-1"


class TestLibraryFields:
    def test_access_record_fields_have_ecs_names_and_types(self, render: Any) -> None:
        record = make_record(
            "GET /orders/ 200",
            logger=ACCESS_LOGGER,
            extra={
                "method": "GET",
                "path": "/orders/",
                "query": "page=2",
                "status": 200,
                "duration_ms": 12.5,
                "user_id": "7",
            },
        )

        _, line = render(record)

        assert line["http.request.id"] == "req-1"
        assert line["http.request.method"] == "GET"
        assert line["url.path"] == "/orders/"
        assert line["url.query"] == "page=2"
        assert line["http.response.status_code"] == 200
        assert line["event.duration"] == 12_500_000
        assert line["user.id"] == "7"
        assert not any(key.startswith(f"{CUSTOM_NAMESPACE}.") for key in line)

    @pytest.mark.parametrize(
        ("name", "value"),
        [
            ("status", "200"),
            ("status", True),
            ("duration_ms", "n/a"),
            ("duration_ms", float("inf")),
            ("duration_ms", 2**80),
            ("path", 5),
        ],
    )
    def test_a_value_without_the_ecs_type_is_never_written_to_the_ecs_field(
        self, render: Any, name: str, value: object
    ) -> None:
        _, line = render(make_record(logger=ACCESS_LOGGER, extra={name: value}))

        assert line[f"{CUSTOM_NAMESPACE}.{name}"] in (value, str(value), None)
        assert not {"http.response.status_code", "event.duration", "url.path"} & set(
            line
        )

    def test_status_code_of_djangos_records(self, render: Any) -> None:
        _, django_line = render(
            make_record(logger="django.request", extra={"status_code": 404})
        )
        _, own_line = render(make_record(extra={"status_code": 404}))

        assert django_line["http.response.status_code"] == 404
        assert own_line[f"{CUSTOM_NAMESPACE}.status_code"] == 404
        assert "http.response.status_code" not in own_line

    def test_exception_fields(self, render: Any) -> None:
        _, line = render(make_record(exc_info=exc_info()))

        assert line["error.type"] == "ValueError"
        assert line["error.message"] == "bad value"
        assert line["error.stack_trace"].startswith("Traceback (most recent call")
        assert line["error.stack_trace"].endswith("ValueError: bad value")

    def test_stack_info_is_the_stack_trace(self, render: Any) -> None:
        stack = 'Stack (most recent call last):\n  File "x.py", line 1'

        _, line = render(make_record(stack_info=stack))

        assert line["error.stack_trace"] == stack
        assert "error.type" not in line
        assert not any(key.startswith("log.origin") for key in line)

    def test_stack_info_follows_the_traceback(self, render: Any) -> None:
        stack = 'Stack (most recent call last):\n  File "x.py", line 1'

        _, line = render(make_record(exc_info=exc_info(), stack_info=stack))

        traceback, _, rest = line["error.stack_trace"].partition("\n" + stack)
        assert traceback.endswith("ValueError: bad value")
        assert rest == ""


def test_every_field_set_is_known_to_build_logging() -> None:
    assert tuple(FIELD_SETS) == LOG_FIELDS


def test_the_checker_knows_every_type_the_spec_uses() -> None:
    assert {"@timestamp", "log.level", "message", "ecs.version", "labels"} <= set(SPEC)
    assert {rule["type"] for rule in SPEC.values()} <= schemas.SPEC_TYPES
