"""Attacks on a real gunicorn with the library's configuration, straight from loopback.

Each reproduces a way a client could take more than its share: a fresh throttle
budget from a forged ``X-Forwarded-For``, worker memory from huge header values,
disk from a huge body, connections held by sending slowly or not at all. The server
is ``-c python:django_strict_core.gunicorn`` with one worker; the timeouts are
shortened by a worker subclass (``tests/projects/server/worker.py``) and the
connection cap by ``--worker-connections``, as a project would set them.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from http.client import HTTPConnection
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.support.gunicorn import Server, base_environment

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

MIB = 2**20
CAP = 40
# Generous: the worker is refused past 64 KiB; Python allocates in larger steps.
RSS_GROWTH_LIMIT_KIB = 16 * 1024


def envelope_code(body: bytes) -> str:
    data = json.loads(body)
    assert set(data) == {"type", "errors"}
    return str(data["errors"][0]["code"])


class Running:
    """The server, its port, and what the tests read from its worker."""

    def __init__(self, server: Server, port: int, tmp: Path) -> None:
        self.server = server
        self.port = port
        self.tmp = tmp

    @property
    def worker(self) -> int:
        (pid,) = self.server.worker_pids()
        return pid

    def status_kib(self, field: str) -> int:
        for line in Path(f"/proc/{self.worker}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
        raise AssertionError(field)

    def temp_bytes(self) -> int:
        """Bytes in the worker's files under its TMPDIR, deleted ones included."""
        total = 0
        fds = Path(f"/proc/{self.worker}/fd")
        for fd in fds.iterdir():
            with contextlib.suppress(OSError):
                if str(fd.readlink()).startswith(str(self.tmp)):
                    total += fd.stat().st_size
        return total

    def records(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.server.lines]


@contextlib.contextmanager
def running(tmp: Path, **environment: str) -> Iterator[Running]:
    env = {
        **base_environment(),
        "DJANGO_SETTINGS_MODULE": "tests.projects.server.settings",
        "DJANGO_ENV": "test",
        "DJANGO_LOG_LEVEL": "INFO",
        "DJANGO_THROTTLE_ANON_RATE": "20/hour",
        "WEB_CONCURRENCY": "1",
        "TMPDIR": str(tmp),
        **environment,
    }
    server = Server(
        env,
        app="tests.projects.server.asgi:application",
        args=(
            "--worker-class",
            "tests.projects.server.worker.QuickWorker",
            "--worker-connections",
            str(CAP),
        ),
    )
    try:
        yield Running(server, server.start(), tmp)
    finally:
        server.stop()


@pytest.fixture(scope="module")
def direct(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """The server with no proxy trusted (``DJANGO_NUM_PROXIES`` unset)."""
    with running(tmp_path_factory.mktemp("direct")) as server:
        yield server


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """The server behind one trusted proxy."""
    with running(tmp_path_factory.mktemp("proxied"), DJANGO_NUM_PROXIES="1") as server:
        yield server


def get(port: int, path: str, headers: dict[str, str]) -> tuple[int, Any]:
    client = HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        client.request("GET", path, headers=headers)
        response = client.getresponse()
        return response.status, json.loads(response.read())
    finally:
        client.close()


def attack(port: int, head: bytes, pieces: Callable[[], Iterator[bytes]]) -> bytes:
    """Send ``head`` and then ``pieces`` while another thread reads the answer.

    Returns:
        Everything the server answered before it closed the connection.
    """
    client = socket.create_connection(("127.0.0.1", port), timeout=30)
    answer: list[bytes] = []

    def read() -> None:
        with contextlib.suppress(OSError):
            while chunk := client.recv(65536):
                answer.append(chunk)

    reader = threading.Thread(target=read)
    reader.start()
    with contextlib.suppress(OSError):  # the server stops reading and closes
        client.sendall(head)
        for piece in pieces():
            client.sendall(piece)
    reader.join(timeout=30)
    client.close()
    return b"".join(answer)


def split(answer: bytes) -> tuple[int, bytes]:
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


class TestProxyTrust:
    def test_a_new_forwarded_for_per_request_buys_no_new_budget(
        self, direct: Running
    ) -> None:
        answers = [
            get(direct.port, "/api/client/", {"X-Forwarded-For": f"198.51.100.{n}"})
            for n in range(60)
        ]

        statuses = [status for status, _ in answers]
        assert (statuses.count(200), statuses.count(429)) == (20, 40)
        assert {body["remote_addr"] for status, body in answers if status == 200} == {
            "127.0.0.1"
        }

    def test_with_one_trusted_proxy_every_layer_names_the_same_client(
        self, proxied: Running
    ) -> None:
        # A same-host proxy appends the loopback address it saw the client from.
        cases = {
            "6.6.6.6, 203.0.113.9": "203.0.113.9",
            "6.6.6.6, 127.0.0.1": "127.0.0.1",
            "not-an-address": "127.0.0.1",
        }
        for forwarded, client in cases.items():
            status, body = get(
                proxied.port, "/api/client/", {"X-Forwarded-For": forwarded}
            )
            assert status == 200
            assert (body["remote_addr"], body["throttle_ident"]) == (client, client)
        time.sleep(0.2)
        logged = [
            record["client_ip"]
            for record in proxied.records()
            if record["logger"] == "django_strict_core.access"
        ]
        assert logged == list(cases.values())


class TestMemory:
    def test_huge_header_values_are_refused_while_they_arrive(
        self, direct: Running
    ) -> None:
        peak_before = direct.status_kib("VmHWM")
        value = b"a" * MIB

        def headers() -> Iterator[bytes]:
            for number in range(8):
                yield b"X-Big-%d: " % number
                for _ in range(40):
                    yield value
                yield b"\r\n"
            yield b"\r\n"

        answer = attack(
            direct.port, b"GET /api/client/ HTTP/1.1\r\nHost: 127.0.0.1\r\n", headers
        )

        status, body = split(answer)
        assert status == 431
        assert envelope_code(body) == "request_header_fields_too_large"
        assert direct.status_kib("VmHWM") - peak_before < RSS_GROWTH_LIMIT_KIB


class TestBodies:
    @pytest.mark.parametrize("framing", ["Content-Length", "chunked"])
    @pytest.mark.parametrize("path", ["/api/echo/", "/echo/"])
    def test_a_200_mib_body_is_refused_before_it_is_stored(
        self, direct: Running, framing: str, path: str
    ) -> None:
        size = 200 * MIB
        piece = b"a" * MIB
        header = (
            f"Content-Length: {size}"
            if framing == "Content-Length"
            else "Transfer-Encoding: chunked"
        )
        head = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Content-Type: application/json\r\n{header}\r\n\r\n"
        ).encode()
        peak = [0]
        done = threading.Event()

        def watch() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], direct.temp_bytes())
                time.sleep(0.01)

        def body() -> Iterator[bytes]:
            for _ in range(size // len(piece)):
                yield (
                    piece
                    if framing == "Content-Length"
                    else (b"%x\r\n" % len(piece) + piece + b"\r\n")
                )

        watcher = threading.Thread(target=watch)
        watcher.start()
        try:
            answer = attack(direct.port, head, body)
        finally:
            done.set()
            watcher.join()

        status, content = split(answer)
        assert status == 413
        if path.startswith("/api/"):
            assert envelope_code(content) == "request_too_large"
        assert peak[0] == 0


class TestMalformed:
    def test_uvicorns_400_is_the_envelope_on_api_paths(self, direct: Running) -> None:
        answer = attack(
            direct.port,
            b"GET /api/client/ HTTP/1.1\r\nHost: 127.0.0.1\r\nNo colon\r\n\r\n",
            lambda: iter(()),
        )

        status, body = split(answer)
        assert status == 400
        assert envelope_code(body) == "bad_request"


class TestSlowClients:
    def test_partial_heads_and_bodies_are_answered_408_after_the_timeouts(
        self, direct: Running
    ) -> None:
        sent = {
            "head": b"GET /api/client/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ",
            "body": (
                b"POST /api/echo/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n[1,"
            ),
        }
        held: dict[str, tuple[float, bytes]] = {}

        def hold(name: str) -> None:
            client = socket.create_connection(("127.0.0.1", direct.port), timeout=10)
            started = time.monotonic()
            client.sendall(sent[name])
            answer = b""
            with contextlib.suppress(OSError):
                while chunk := client.recv(65536):
                    answer += chunk
            held[name] = (time.monotonic() - started, answer)
            client.close()

        threads = [threading.Thread(target=hold, args=(name,)) for name in sent]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        # QuickWorker: 1 s for a head, 1.5 s for a body.
        for name, limit in (("head", 1.0), ("body", 1.5)):
            seconds, answer = held[name]
            assert limit - 0.2 < seconds < limit + 3, name
            status, body = split(answer)
            assert (status, envelope_code(body)) == (408, "request_timeout"), name

    def test_idle_connections_are_capped_and_then_closed(self, direct: Running) -> None:
        clients = [
            socket.create_connection(("127.0.0.1", direct.port), timeout=5)
            for _ in range(CAP + 20)
        ]
        time.sleep(0.3)

        def still_open(client: socket.socket) -> bool:
            client.settimeout(0)  # non-blocking
            try:
                return client.recv(1) != b""
            except BlockingIOError:
                return True
            except OSError:
                return False

        try:
            assert sum(still_open(c) for c in clients) == CAP
            time.sleep(1.5)  # past QuickWorker's head timeout
            assert sum(still_open(c) for c in clients) == 0
        finally:
            for client in clients:
                client.close()
