"""The deploy project under uvicorn with production settings, probed like a kubelet."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from django_strict_core.testing import closed_port
from tests.support.uvicorn import UvicornServer

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "k3y-" + "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOP"
POD_IP_HOST = "10.42.0.17:8000"


class Server(UvicornServer):
    """The deploy project in production, asked with the pod IP as ``Host``."""

    def __init__(self, env: dict[str, str]) -> None:
        super().__init__(
            "tests.projects.deploy.settings",
            {
                "DJANGO_ENV": "production",
                "DJANGO_SECRET_KEY": STRONG_KEY,
                "DJANGO_ALLOWED_HOSTS": "api.example.com",
                **env,
            },
            headers={"Host": POD_IP_HOST},
        )


@pytest.fixture
def serve(postgres_url: str, redis_url: str) -> Iterator[Callable[..., Server]]:
    servers: list[Server] = []

    def start(**env: str) -> Server:
        server = Server({"DATABASE_URL": postgres_url, "REDIS_URL": redis_url, **env})
        servers.append(server)
        server.wait_until_serving()
        return server

    yield start
    for server in servers:
        if server.process.poll() is None:
            server.stop()


def test_a_plain_http_probe_to_the_pod_ip_gets_the_documented_answer(
    serve: Callable[..., Server],
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


def test_the_probe_module_passes_against_the_real_server(
    serve: Callable[..., Server],
) -> None:
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
    serve: Callable[..., Server],
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
