"""The gunicorn configuration module, and gunicorn with uvicorn workers for real."""

from __future__ import annotations

import json
import logging
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from http import HTTPStatus
from http.client import HTTPConnection
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest
from asgiref.sync import async_to_sync
from django.db import connection
from django.test import override_settings
from gunicorn.config import Config
from gunicorn.glogging import Logger

from django_strict_core import gunicorn as config
from django_strict_core.conf import SettingsError, StrictSettings
from django_strict_core.conf.build import logging_config

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from tests.support.logs import LogCapture

ROOT = Path(__file__).resolve().parents[1]
STARTUP_SECONDS = 60


class TestSettings:
    def test_documented_values(self) -> None:
        assert config.worker_class == "django_strict_core.gunicorn.UvicornWorker"
        assert (config.timeout, config.graceful_timeout, config.keepalive) == (
            120,
            30,
            5,
        )
        assert (config.limit_request_line, config.limit_request_fields) == (8190, 100)
        assert config.accesslog is None
        assert config.errorlog == "-"
        assert config.control_socket_disable is True

    def test_worker_heartbeats_live_in_shared_memory(self) -> None:
        assert config.worker_tmp_dir == config.SHARED_MEMORY == "/dev/shm"  # noqa: S108

    def test_a_writable_directory_is_the_worker_tmp_dir(self, tmp_path: Path) -> None:
        assert config.worker_tmp_directory(str(tmp_path)) == str(tmp_path)

    def test_without_the_directory_gunicorn_keeps_its_default(
        self, tmp_path: Path
    ) -> None:
        assert config.worker_tmp_directory(str(tmp_path / "absent")) is None
        (tmp_path / "file").write_text("")
        assert config.worker_tmp_directory(str(tmp_path / "file")) is None

    def test_logging_is_the_applications_without_django_handlers(self) -> None:
        assert config.logconfig_dict == logging_config(
            StrictSettings(), mail_admins=False
        )
        assert "mail_admins" not in config.logconfig_dict["handlers"]

    def test_workers_default_to_twice_the_cpus_plus_one(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.delenv("WEB_CONCURRENCY", raising=False)

        assert config.worker_count() == 2 * config.cpu_count() + 1
        assert config.cpu_count() >= 1

    def test_web_concurrency_overrides_workers(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("WEB_CONCURRENCY", " 3 ")

        assert config.worker_count() == 3

    @pytest.mark.parametrize("value", ["0", "-2", "four", "1.5"])
    def test_bad_web_concurrency_is_named(
        self, monkeypatch: pytest.MonkeyPatch, value: str
    ) -> None:
        monkeypatch.setenv("WEB_CONCURRENCY", value)

        with pytest.raises(SettingsError, match="WEB_CONCURRENCY: expected a positive"):
            config.worker_count()

    def test_bind_follows_port(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv("PORT", raising=False)
        assert config.bind_address() == "0.0.0.0:8000"

        monkeypatch.setenv("PORT", "9000")
        assert config.bind_address() == "0.0.0.0:9000"

    @pytest.mark.parametrize("value", ["0", "65536", "http"])
    def test_bad_port_is_named(
        self, monkeypatch: pytest.MonkeyPatch, value: str
    ) -> None:
        monkeypatch.setenv("PORT", value)

        with pytest.raises(SettingsError, match="PORT: expected a TCP port"):
            config.bind_address()

    def test_cpu_count_without_affinity(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delattr(os, "sched_getaffinity", raising=False)

        assert config.cpu_count() == (os.cpu_count() or 1)


async def never_called(scope: Any, receive: Any, send: Any) -> None:
    """The application a worker loads in these tests."""


# The module's own logconfig_dict follows this process's environment (the local
# profile, console lines); the tests use the JSON lines of the test profile.
JSON_LOGGING = logging_config(StrictSettings(env="test"), mail_admins=False)


def make_worker() -> Any:
    """A worker built as gunicorn's arbiter builds one, with this module's config."""
    cfg = Config()
    cfg.set("logconfig_dict", JSON_LOGGING)
    for name in ("limit_request_line", "limit_request_fields"):
        cfg.set(name, getattr(config, name))
    return config.UvicornWorker(
        age=1,
        ppid=os.getpid(),
        sockets=[],
        app=SimpleNamespace(wsgi=lambda: never_called),
        timeout=30,
        cfg=cfg,
        log=Logger(cfg),  # applies logconfig_dict, as in the master process
    )


class TestWorker:
    def test_uvicorn_lines_reach_the_one_handler(
        self, json_logs: Callable[..., LogCapture]
    ) -> None:
        capture = json_logs(JSON_LOGGING)
        make_worker()

        logging.getLogger("uvicorn.error").warning("from uvicorn")
        logging.getLogger("gunicorn.error").warning("from gunicorn")

        lines = capture.lines()
        assert [(line["logger"], line["message"]) for line in lines] == [
            ("uvicorn.error", "from uvicorn"),
            ("gunicorn.error", "from gunicorn"),
        ]

    def test_uvicorn_access_log_is_off(
        self, json_logs: Callable[..., LogCapture]
    ) -> None:
        capture = json_logs(JSON_LOGGING)
        worker = make_worker()

        logging.getLogger("uvicorn.access").info("GET / 200")

        assert worker.config.access_log is False
        assert not logging.getLogger("uvicorn.access").hasHandlers()
        assert capture.lines() == []

    def test_application_is_wrapped_in_the_request_limits(
        self, json_logs: Callable[..., LogCapture]
    ) -> None:
        json_logs(JSON_LOGGING)
        worker = make_worker()

        worker.load_wsgi()

        assert isinstance(worker.wsgi, config.RequestLimits)
        assert worker.wsgi.app is never_called
        assert (worker.wsgi.line, worker.wsgi.fields, worker.wsgi.field_size) == (
            8190,
            100,
            8190,
        )


class TestRequestLimits:
    @staticmethod
    def serve(
        scope: dict[str, Any], *, line: int = 100, fields: int = 3, field_size: int = 50
    ) -> tuple[list[dict[str, Any]], bool]:
        called = []
        sent: list[dict[str, Any]] = []

        async def app(scope: Any, receive: Any, send: Any) -> None:
            called.append(scope)

        async def receive() -> dict[str, Any]:
            return {"type": "http.request"}

        async def send(message: Any) -> None:
            sent.append(message)

        limits = config.RequestLimits(
            app, line=line, fields=fields, field_size=field_size
        )
        async_to_sync(limits)(scope, receive, send)
        return sent, bool(called)

    @staticmethod
    def scope(
        path: str = "/", query: bytes = b"", headers: int = 1, size: int = 5
    ) -> dict[str, Any]:
        return {
            "type": "http",
            "method": "GET",
            "path": path,
            "raw_path": path.encode(),
            "query_string": query,
            "headers": [(b"x-h%d" % n, b"v" * size) for n in range(headers)],
        }

    def test_requests_within_the_limits_pass(self) -> None:
        sent, called = self.serve(self.scope(query=b"a" * 70, headers=3, size=40))

        assert (sent, called) == ([], True)

    def test_long_request_line_gets_414(self) -> None:
        sent, called = self.serve(self.scope(query=b"a" * 90))

        assert not called
        assert sent[0]["status"] == 414
        # The reason phrase is the running Python's (RFC 9110 renamed it in 3.13).
        assert sent[1]["body"] == HTTPStatus.REQUEST_URI_TOO_LONG.phrase.encode()

    @pytest.mark.parametrize(
        ("query", "headers", "status", "code"),
        [
            (b"a" * 90, 1, 414, "request_uri_too_long"),
            (b"", 4, 431, "request_header_fields_too_large"),
        ],
    )
    def test_api_paths_are_refused_with_the_envelope(
        self, query: bytes, headers: int, status: int, code: str
    ) -> None:
        sent, called = self.serve(self.scope("/api/items/", query, headers=headers))

        assert not called
        assert sent[0]["status"] == status
        assert (b"content-type", b"application/json") in sent[0]["headers"]
        body = json.loads(sent[1]["body"])
        assert body == {
            "type": "client_error",
            "errors": [
                {"code": code, "detail": f"{HTTPStatus(status).phrase}.", "attr": None}
            ],
        }
        length = dict(sent[0]["headers"])[b"content-length"]
        assert int(length) == len(sent[1]["body"])

    def test_the_api_prefixes_come_from_the_setting(self) -> None:
        with override_settings(STRICT_CORE_API_PREFIXES=["/v2/"]):
            api, _ = self.serve(self.scope("/v2/items/", b"a" * 90))
            other, _ = self.serve(self.scope("/api/items/", b"a" * 90))

        assert json.loads(api[1]["body"])["type"] == "client_error"
        assert other[1]["body"] == HTTPStatus.REQUEST_URI_TOO_LONG.phrase.encode()

    @pytest.mark.parametrize(
        ("headers", "size"), [(4, 5), (1, 60)], ids=["count", "size"]
    )
    def test_too_many_or_too_large_headers_get_431(
        self, headers: int, size: int
    ) -> None:
        sent, called = self.serve(self.scope(headers=headers, size=size))

        assert not called
        assert sent[0]["status"] == 431

    def test_zero_turns_the_checks_off(self) -> None:
        sent, called = self.serve(
            self.scope(query=b"a" * 500, headers=9, size=500),
            line=0,
            fields=0,
            field_size=0,
        )

        assert (sent, called) == ([], True)

    def test_other_scopes_pass(self) -> None:
        sent, called = self.serve({"type": "lifespan"})

        assert (sent, called) == ([], True)


class Server:
    """A gunicorn process whose stdout is read line by line."""

    def __init__(self, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "python:django_strict_core.gunicorn",
                "tests.projects.logs.asgi:application",
                "--bind",
                "127.0.0.1:0",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []
        self._new: queue.Queue[str] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)
            self._new.put(line)

    def wait_for(self, pattern: str) -> re.Match[str]:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            try:
                line = self._new.get(timeout=0.5)
            except queue.Empty:
                assert self.process.poll() is None, self.stop()
                continue
            found = re.search(pattern, line)
            if found:
                return found
        raise AssertionError(f"no {pattern!r} in gunicorn's output: {self.lines}")

    def stop(self) -> str:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._reader.join(timeout=10)
        assert self.process.stderr is not None
        return self.process.stderr.read()


@pytest.fixture
def server_env(postgres_url: str, django_db_setup: None) -> dict[str, str]:
    """The environment of a test-profile server using the test database."""
    database = urlsplit(postgres_url)._replace(
        path=f"/{connection.settings_dict['NAME']}"
    )
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "WEB_CONCURRENCY"))
    }
    return {
        **base,
        "PYTHONPATH": str(ROOT),
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
        port = int(running.wait_for(r"Listening at: http://127\.0\.0\.1:(\d+)")[1])
        running.wait_for("Application startup complete")
        yield running, port
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
    refusals = [r["message"] for r in records if "request limits" in r["message"]]
    assert [message.split(": ")[1] for message in refusals] == [
        f"414 {HTTPStatus.REQUEST_URI_TOO_LONG.phrase}",
        "431 Request Header Fields Too Large",
    ]
