"""The deploy project under uvicorn with production settings, probed like a kubelet."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from django_strict_core.testing import closed_port

if TYPE_CHECKING:
    from collections.abc import Iterator
    from email.message import Message

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "k3y-" + "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOP"
POD_IP_HOST = "10.42.0.17:8000"


class Server:
    """A uvicorn process serving the deploy project on a loopback socket."""

    def __init__(self, env: dict[str, str]) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        base = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_"))
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "django.core.asgi:get_asgi_application",
                "--fd",
                str(self.socket.fileno()),
                "--no-access-log",
            ],
            env={
                **base,
                "DJANGO_SETTINGS_MODULE": "tests.projects.deploy.settings",
                "DJANGO_ENV": "production",
                "DJANGO_SECRET_KEY": STRONG_KEY,
                "DJANGO_ALLOWED_HOSTS": "api.example.com",
                **env,
            },
            cwd=ROOT,
            pass_fds=(self.socket.fileno(),),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def request(
        self, path: str, *, method: str = "GET", host: str = POD_IP_HOST
    ) -> tuple[int, Message, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            connection.request(method, path, headers={"Host": host})
            response = connection.getresponse()
            return response.status, response.headers, response.read()
        finally:
            connection.close()

    def wait_until_serving(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(self.stop())
            try:
                if self.request("/api/health/live/")[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"uvicorn did not start:\n{self.stop()}")

    def stop(self) -> str:
        self.process.terminate()
        output, _ = self.process.communicate(timeout=15)
        self.socket.close()
        return output


@pytest.fixture
def serve(postgres_url: str, redis_url: str) -> Iterator[type[Server]]:
    servers: list[Server] = []

    def start(**env: str) -> Server:
        server = Server({"DATABASE_URL": postgres_url, "REDIS_URL": redis_url, **env})
        servers.append(server)
        server.wait_until_serving()
        return server

    yield start  # type: ignore[misc]
    for server in servers:
        if server.process.poll() is None:
            server.stop()


def test_a_plain_http_probe_to_the_pod_ip_gets_the_documented_answer(
    serve: type[Server],
) -> None:
    server = serve()

    status, headers, body = server.request("/api/health/")
    head_status, head_headers, head_body = server.request("/api/health/", method="HEAD")
    other_status, _, _ = server.request("/admin/")

    assert (status, body) == (200, b'{"status": "healthy", "db": "ok", "cache": "ok"}')
    assert headers["Cache-Control"] == "no-store"
    assert (head_status, head_body) == (200, b"")
    assert head_headers["Content-Length"] == str(len(body))
    assert other_status == 400  # ALLOWED_HOSTS still guards everything else


def test_the_probe_module_passes_against_the_real_server(serve: type[Server]) -> None:
    server = serve()

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "django_strict_core.healthcheck.probe",
            f"http://127.0.0.1:{server.port}/api/health/",
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith('200 {"status": "healthy"')


def test_a_failure_shows_a_short_reason_and_logs_the_details(
    serve: type[Server],
) -> None:
    port = closed_port()
    server = serve(REDIS_URL=f"redis://:hunter2@127.0.0.1:{port}/0")

    status, _, body = server.request("/api/health/")
    for _ in range(4):
        assert server.request("/api/health/")[0] == 503
    log = server.stop()

    assert status == 503
    assert json.loads(body) == {
        "status": "unhealthy",
        "db": "ok",
        "cache": "error: unavailable",
    }
    for secret in (str(port), "127.0.0.1", "hunter2", "redis"):
        assert secret.encode() not in body
    records = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    # Five unhealthy probes: the failure is logged once, and no probe's answer is.
    (failure,) = [r for r in records if r.get("health_check") == "cache"]
    assert failure["level"] == "ERROR"
    assert failure["reason"] == "unavailable"
    assert str(port) in failure["exception"]
    assert [r for r in records if r["logger"] == "django.request"] == []
