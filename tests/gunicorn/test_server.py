"""gunicorn with the configuration module and uvicorn workers, for real: one JSON stream."""

from __future__ import annotations

import json
import re
from http import HTTPStatus
from http.client import HTTPConnection
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
from django.db import connection

from tests.support.gunicorn import Server, base_environment

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture
def server_env(postgres_url: str, django_db_setup: None) -> dict[str, str]:
    """The environment of a test-profile server using the test database."""
    database = urlsplit(postgres_url)._replace(
        path=f"/{connection.settings_dict['NAME']}"
    )
    return {
        **base_environment(),
        "DJANGO_SETTINGS_MODULE": "tests.projects.logs.settings",
        "DJANGO_ENV": "test",
        "DJANGO_DEBUG": "true",
        "DJANGO_LOG_LEVEL": "INFO",
        "DJANGO_LOG_LEVELS": "django.db.backends=DEBUG",
        "DATABASE_URL": database.geturl(),
        "WEB_CONCURRENCY": "1",
    }


@pytest.fixture
def server(server_env: dict[str, str]) -> Iterator[tuple[Server, int]]:
    running = Server(server_env)
    try:
        yield running, running.start()
    finally:
        running.stop()


def get(
    connection: HTTPConnection, path: str, request_id: str | None = None
) -> tuple[int, str, bytes]:
    headers = {} if request_id is None else {"X-Request-ID": request_id}
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    return response.status, response.getheader("X-Request-ID") or "", body


# The mark makes pytest-django create the test database that the server queries.
@pytest.mark.django_db
def test_gunicorn_with_uvicorn_workers_writes_one_json_stream(
    server: tuple[Server, int],
) -> None:
    process, port = server
    client = HTTPConnection("127.0.0.1", port, timeout=30)
    ids: dict[str, str] = {}

    status, ids["sync"], _ = get(client, "/sync/?marker=g1", "gunicorn-1")
    assert (status, ids["sync"]) == (200, "gunicorn-1")
    # Same keep-alive connection, no incoming id: a new one, never the previous.
    status, ids["async"], _ = get(client, "/async/?marker=g2")
    assert status == 200
    assert re.fullmatch(r"[0-9a-f]{32}", ids["async"])
    status, ids["orm"], body = get(client, "/orm/?marker=g3", "gunicorn-orm")
    assert (status, json.loads(body)) == (200, {"users": 0})
    status, ids["stream"], body = get(client, "/stream/async/", "gunicorn-stream")
    assert (status, body) == (200, b"chunk " * 3)
    status, ids["error"], _ = get(client, "/error/", "gunicorn-error")
    assert status == 500
    hostile = ["x" * 8000, '{"request_id":"forged"}', "r\u00e9quest", "a" * 129]
    for number, value in enumerate(hostile):
        status, ids[f"hostile{number}"], _ = get(client, "/sync/", value)
        assert status == 200
        assert ids[f"hostile{number}"] != value
    status, _, _ = get(client, "/api/health/live/", "gunicorn-probe")
    assert status == 200
    client.close()
    refused = HTTPConnection("127.0.0.1", port, timeout=30)
    status, _, _ = get(refused, "/sync/?" + "a" * 9000)
    assert status == 414
    # A 10 kB header is over limit_request_field_size: refused before Django.
    status, echoed, _ = get(refused, "/sync/", "y" * 10_000)
    assert (status, echoed) == (431, "")
    refused.close()

    stderr = process.stop()

    assert stderr == ""
    assert process.lines
    records = [json.loads(line) for line in process.lines]
    assert len(set(process.lines)) == len(process.lines), "duplicate lines"
    loggers = {record["logger"] for record in records}
    assert {"gunicorn.error", "uvicorn.error", "django.request"} <= loggers
    assert not loggers & {"gunicorn.access", "uvicorn.access"}
    access = [r for r in records if r["logger"] == "django_strict_core.access"]
    assert sorted(r["request_id"] for r in access) == sorted(ids.values())
    for record in records:
        for value in [*hostile, "y" * 10_000]:
            assert value not in json.dumps(record, ensure_ascii=False)
    by_id = {
        request_id: [r for r in records if r["request_id"] == request_id]
        for request_id in ids.values()
    }
    assert [r["message"] for r in by_id["gunicorn-orm"][:2]] == [
        "orm view g3",
        "orm thread g3",
    ]
    sql = [r for r in by_id["gunicorn-orm"] if r["logger"] == "django.db.backends"]
    assert sql
    assert "users_user" in sql[0]["sql"]
    assert [r["message"] for r in by_id["gunicorn-stream"]][-1] == (
        "GET /stream/async/ 200"
    )
    error = next(r for r in by_id["gunicorn-error"] if r["level"] == "ERROR")
    assert error["exception"].endswith("RuntimeError: view failed")
    refusals = [r["message"] for r in records if "server's limits" in r["message"]]
    assert [message.split(": ", 1)[1] for message in refusals] == [
        f"414 {HTTPStatus.REQUEST_URI_TOO_LONG.phrase} (request line over limit_request_line)",
        "431 Request Header Fields Too Large (header line over limit_request_field_size)",
    ]
