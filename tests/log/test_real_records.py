"""Real records, checked against the ECS logging spec and the documented schema.

Requests go through the test project's middleware stack to the views of
``tests.log.recordsite``, uvicorn starts and stops, and every line that reaches
stdout through ``build_logging``'s handler is checked: with ``fields="ecs"``
against Elastic's ECS logging specification (``data/ecs-logging-spec.json``) and
the ECS types of the fields the library writes; with the standard field set
against the schema ``docs/logging.md`` documents (``data/standard-log-schema.json``).
"""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import uvicorn
from django.contrib.auth import get_user_model
from django.test import Client, override_settings

from django_strict_core.log import ACCESS_LOGGER, build_logging
from django_strict_core.log.config import JSON_FORMATTER, ORJSON_FORMATTER
from tests.log import schemas

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.conftest import LogCapture

pytestmark = [pytest.mark.urls("tests.log.recordsite"), pytest.mark.django_db]

FORMATTERS = {"json": JSON_FORMATTER, "orjson": ORJSON_FORMATTER}
DOCS = Path(__file__).parents[2] / "docs" / "logging.md"
# What the line separators of a hostile path look like to line-splitting tools.
SEPARATORS_PATH = "/ok/%E2%80%A8%C2%85%E2%80%A9%1E/"

# ECS types of the fields the library writes beyond those the logging spec lists
# (https://www.elastic.co/guide/en/ecs/current/ecs-field-reference.html): keyword,
# wildcard and match_only_text are strings, long is an integer.
ECS_FIELDS: dict[str, dict[str, Any]] = {
    "http.request.id": {"type": "string", "nullable": True},
    "http.request.method": {"type": "string"},
    "http.response.status_code": {"type": "integer"},
    "url.path": {"type": "string"},
    "url.query": {"type": "string"},
    "event.duration": {"type": "integer"},
    "user.id": {"type": "string"},
    "client.ip": {"type": "string"},
}
ECS_ACCESS_FIELDS: dict[str, dict[str, Any]] = {
    "http.request.method": {"type": "string", "required": True},
    "url.path": {"type": "string", "required": True},
    "http.response.status_code": {"type": "integer", "required": True},
    "event.duration": {"type": "integer", "required": True},
}
ECS_SPEC = schemas.load("ecs-logging-spec.json")
STANDARD_SCHEMA = schemas.load("standard-log-schema.json")
# Where a caller's fields may go in an ECS line: the custom namespace.
ECS_CUSTOM = re.compile(r"django\..+")


def start_and_stop_uvicorn() -> None:
    """Let uvicorn write its start-up and shut-down lines through the handler."""

    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("no request is sent")

    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None, lifespan="off")
    )

    async def started() -> None:
        while not server.started:
            await asyncio.sleep(0.01)

    async def run() -> None:
        serving = asyncio.ensure_future(server.serve())
        waiting = asyncio.ensure_future(started())
        await asyncio.wait(
            [serving, waiting], timeout=10, return_when=asyncio.FIRST_COMPLETED
        )
        assert server.started, serving.result() if serving.done() else "no start"
        server.should_exit = True
        await asyncio.wait_for(serving, 10)

    asyncio.run(run())


def produce_records(json_logs: Callable[..., LogCapture], **options: Any) -> str:
    """Write every kind of record through a real ``LOGGING`` dict; return stdout."""
    formatter = options.pop("formatter")
    config = build_logging(
        level="INFO",
        service="shop",
        environment="test",
        version="1.4.2",
        mail_admins=False,
        **options,
    )
    config["formatters"]["default"]["()"] = FORMATTERS[formatter]
    capture = json_logs(config)
    start_and_stop_uvicorn()
    client = Client(raise_request_exception=False)
    for route in (
        "/ok/",
        "/colliding-extra/",
        "/labels/",
        "/dict-message/",
        "/caught/",
        "/stack/",
        "/fails/",
        "/api/orders/",
        "/api/failing/",
        "/missing/",
        SEPARATORS_PATH,
    ):
        client.get(route)
    client.put("/api/orders/", {}, content_type="application/json")
    client.post("/api/orders/", {}, content_type="application/json")
    client.get("/ok/", headers={"host": "evil.example"})
    client.force_login(get_user_model().objects.create_user("ada"))
    with override_settings(STRICT_CORE_ACCESS_LOG_QUERY_STRING=True):
        client.get("/whoami/?page=2")
    capture.lines()
    return capture.text


def check(text: str, check_line: Callable[[str], list[str]]) -> tuple[int, list[str]]:
    """Check every line; return the number of lines and one message per bad one."""
    lines = text.split("\n")
    assert lines[-1] == ""
    failures = []
    for line in lines[:-1]:
        found = check_line(line)
        if found:
            failures.append(f"{line}\n    " + "\n    ".join(found))
    return len(lines) - 1, failures


def ecs_problems(line: str) -> list[str]:
    """How one line breaks the ECS logging spec or the ECS types of its fields."""
    data, found = schemas.problems(line, ECS_SPEC["fields"])
    if data is None:
        return found
    _, typed = schemas.problems(line, ECS_FIELDS)
    found += typed
    if data.get("log.logger") == ACCESS_LOGGER:
        found += schemas.problems(line, ECS_ACCESS_FIELDS)[1]
    labels = data.get("labels", {})
    found += [
        f"labels.{key}: {value!r} is not a string (ECS type keyword)"
        for key, value in (labels.items() if isinstance(labels, dict) else [])
        if not isinstance(value, str)
    ]
    written = {*ECS_SPEC["fields"], *ECS_FIELDS, "event.dataset"}
    found += [
        f"{key}: neither a field the library writes nor a custom django.* field"
        for key in data
        if key not in written and not ECS_CUSTOM.fullmatch(key)
    ]
    return found


def standard_problems(line: str) -> list[str]:
    """How one line breaks the standard field set's documented schema."""
    data, found = schemas.problems(line, STANDARD_SCHEMA["fields"])
    if data is not None and data.get("logger") == ACCESS_LOGGER:
        found += schemas.problems(line, STANDARD_SCHEMA["access_fields"])[1]
    return found


def assert_all_valid(text: str, check_line: Callable[[str], list[str]]) -> None:
    count, failures = check(text, check_line)
    assert not failures, f"{len(failures)} of {count} records fail:\n" + "\n".join(
        failures
    )


@pytest.fixture(params=sorted(FORMATTERS))
def formatter(request: pytest.FixtureRequest) -> str:
    return str(request.param)


class TestEcs:
    def test_every_record_meets_the_ecs_logging_spec(
        self, json_logs: Callable[..., LogCapture], formatter: str
    ) -> None:
        text = produce_records(json_logs, fields="ecs", formatter=formatter)

        assert_all_valid(text, ecs_problems)

    def test_the_records_cover_every_kind(
        self, json_logs: Callable[..., LogCapture], formatter: str
    ) -> None:
        text = produce_records(json_logs, fields="ecs", formatter=formatter)

        lines = [json.loads(line) for line in text.splitlines()]
        access = [line for line in lines if line.get("log.logger") == ACCESS_LOGGER]
        assert sorted(line["http.response.status_code"] for line in access) == [
            200, 200, 200, 200, 200, 200, 200, 200, 400, 400, 404, 404, 405, 500, 500,
        ]  # fmt: skip
        tracebacks = [line for line in lines if "error.stack_trace" in line]
        assert {line["error.type"] for line in tracebacks if "error.type" in line} >= {
            "RuntimeError",
            "KeyError",
            "ValueError",
        }
        assert any("uvicorn" in line["log.logger"] for line in lines)
        assert any(line.get("http.request.id") is None for line in lines)
        assert any("user.id" in line and "url.query" in line for line in access)
        assert any("labels" in line for line in lines)
        assert any(key.startswith("django.") for line in lines for key in line)


class TestStandard:
    def test_every_record_meets_the_documented_schema(
        self, json_logs: Callable[..., LogCapture], formatter: str
    ) -> None:
        text = produce_records(json_logs, formatter=formatter)

        assert_all_valid(text, standard_problems)


def test_the_docs_list_the_schema_that_is_checked() -> None:
    text = DOCS.read_text(encoding="utf-8")

    def table(heading: str) -> list[list[str]]:
        section = text.split(f"\n{heading}\n", 1)[1]
        body = section[section.index("\n|") + 1 :].split("\n\n", 1)[0]
        return [
            [cell.strip() for cell in row.strip("|").split("|")]
            for row in body.splitlines()[2:]
        ]

    def names(cell: str) -> list[str]:
        return re.findall(r"`([^`]+)`", cell)

    schema_rows = table("## The log schema")
    documented = [name for row in schema_rows for name in names(row[0])]
    assert documented == list(STANDARD_SCHEMA["fields"])
    access_rows = table("### Access records")
    access = [name for row in access_rows for name in names(row[0])]
    assert set(STANDARD_SCHEMA["access_fields"]) <= set(access)
    ecs_documented = {
        name for row in schema_rows + access_rows for name in names(row[1])
    }
    assert ecs_documented >= {
        *ECS_FIELDS,
        "ecs.version",
        "event.dataset",
        "error.stack_trace",
        "error.type",
        "error.message",
        "labels",
    }
