"""The standard-library probe for images without a shell or curl."""

from __future__ import annotations

import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

import pytest

from django_strict_core.healthcheck.probe import local_url, main, probe
from django_strict_core.testing import FaultProxy, closed_port

if TYPE_CHECKING:
    from collections.abc import Iterator

ROOT = Path(__file__).resolve().parents[2]


class Answers(BaseHTTPRequestHandler):
    """Answers by path: /ok 200, /down 503, /moved 301."""

    statuses: ClassVar[dict[str, int]] = {"/ok": 200, "/down": 503, "/moved": 301}

    def do_GET(self) -> None:
        status = self.statuses.get(self.path.split("?")[0], 404)
        body = b'{"status": "healthy"}' if status == 200 else b'{"status": "unhealthy"}'
        self.send_response(status)
        if status == 301:
            self.send_header("Location", "https://example.invalid/ok")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        return None


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Answers)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_a_2xx_answer_exits_0_and_prints_it(
    server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([f"{server}/ok?full=1"]) == 0
    assert capsys.readouterr().out == '200 {"status": "healthy"}\n'


@pytest.mark.parametrize("path", ["/down", "/moved", "/missing"])
def test_any_other_answer_exits_1(
    server: str, path: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([server + path]) == 1
    assert capsys.readouterr().err.startswith(("503 ", "301 ", "404 "))


def test_redirects_are_not_followed(server: str) -> None:
    assert probe(f"{server}/moved")[0] == 301


def test_a_refused_connection_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([f"http://127.0.0.1:{closed_port()}/", "--timeout", "1"]) == 1
    assert capsys.readouterr().err.startswith("error no answer: ConnectionRefusedError")


def test_a_hung_server_exits_1_after_the_timeout() -> None:
    with FaultProxy() as hung:
        status, message = probe(f"http://{hung.address}/", timeout=0.2)

    assert status == 0
    assert "timed out" in message


def test_quiet_prints_nothing(server: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([f"{server}/down", "--quiet"]) == 1
    assert capsys.readouterr() == ("", "")


def test_only_http_urls_are_accepted(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["file:///etc/passwd"])

    assert exited.value.code == 2
    assert "expected an http:// or https:// URL" in capsys.readouterr().err


def test_https_urls_use_tls(server: str) -> None:
    status, message = probe(server.replace("http://", "https://") + "/ok", timeout=1)

    assert status == 0
    assert "SSL" in message


def test_runs_as_a_module_without_importing_django(server: str) -> None:
    script = (
        "import runpy, sys\n"
        "sys.argv = ['probe', sys.argv[1]]\n"
        "try:\n"
        "    runpy.run_module('django_strict_core.healthcheck.probe', run_name='__main__')\n"
        "except SystemExit as exc:\n"
        "    assert 'django' not in sys.modules, 'django was imported'\n"
        "    raise\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, f"{server}/ok"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
        cwd=ROOT,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("200 ")


def test_without_a_url_it_asks_the_health_route_on_port_from_the_environment(
    server: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    Answers.statuses["/api/health/"] = 200
    monkeypatch.setenv("PORT", server.rsplit(":", 1)[1])
    try:
        assert main([]) == 0
    finally:
        del Answers.statuses["/api/health/"]
    assert capsys.readouterr().out.startswith("200 ")


def test_a_path_is_asked_on_port_from_the_environment(
    server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PORT", server.rsplit(":", 1)[1])

    assert main(["/ok"]) == 0
    assert main(["/down"]) == 1


@pytest.mark.parametrize(
    ("environ", "url"),
    [
        ({}, "http://127.0.0.1:8000/api/health/"),
        ({"PORT": ""}, "http://127.0.0.1:8000/api/health/"),
        ({"PORT": " 9001 "}, "http://127.0.0.1:9001/api/health/"),
    ],
)
def test_the_local_url_follows_port_like_gunicorns_bind(
    environ: dict[str, str], url: str
) -> None:
    assert local_url(environ=environ) == url


def test_a_path_on_a_closed_port_exits_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PORT", str(closed_port()))

    assert main(["--timeout", "1"]) == 1
    assert "ConnectionRefusedError" in capsys.readouterr().err
