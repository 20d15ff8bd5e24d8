"""The worker's protocol on a real uvicorn server: bounds applied while a request arrives.

Small limits and short timeouts make every bound quick to reach; the same code runs
with the documented defaults in ``test_attacks.py``.
"""

from __future__ import annotations

import json
import time
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import pytest

from django_strict_core.gunicorn import connection
from django_strict_core.gunicorn.limits import ServerLimits
from tests.gunicorn.served import (
    Reader,
    Recorder,
    connect,
    parse,
    read_all,
    read_response,
    serve,
    wait_for,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

LIMITS = ServerLimits(
    request_line=100,
    fields=5,
    field_size=64,
    head_size=512,
    body_size=1000,
    head_timeout=0.6,
    body_timeout=0.6,
    connections=5,
)


@pytest.fixture
def server() -> Iterator[tuple[int, Recorder]]:
    with serve(LIMITS) as running:
        yield running


def envelope(code: str, detail: str) -> dict[str, Any]:
    return {
        "type": "client_error",
        "errors": [{"code": code, "detail": detail, "attr": None}],
    }


def head(path: str = "/api/items/", *lines: str, method: str = "GET") -> bytes:
    text = f"{method} {path} HTTP/1.1\r\nHost: t\r\n" + "".join(
        f"{line}\r\n" for line in lines
    )
    return text.encode() + b"\r\n"


def chunk(data: bytes) -> bytes:
    return b"%x\r\n" % len(data) + data + b"\r\n"


class TestWithinTheBounds:
    def test_requests_on_one_connection_are_served(
        self, server: tuple[int, Recorder]
    ) -> None:
        port, app = server
        client = connect(port)
        reader = Reader(client)
        client.sendall(head("/a/"))
        first = reader.response()
        client.sendall(head("/b/", "Content-Length: 1000", method="POST") + b"x" * 1000)
        second = reader.response()
        client.sendall(
            head("/c/", "Transfer-Encoding: chunked", method="POST")
            + chunk(b"y" * 600)
            + chunk(b"y" * 400)
            + b"0\r\n\r\n"
        )
        third = reader.response()

        assert [(s, json.loads(b)["length"]) for s, _, b in (first, second, third)] == [
            (200, 0),
            (200, 1000),
            (200, 1000),
        ]
        assert app.calls == ["/a/", "/b/", "/c/"]

    def test_pipelined_requests_are_served_in_order(
        self, server: tuple[int, Recorder]
    ) -> None:
        port, app = server
        client = connect(port)
        client.sendall(head("/a/") * 3)
        reader = Reader(client)

        statuses = [reader.response()[0] for _ in range(3)]

        assert statuses == [200, 200, 200]
        assert app.calls == ["/a/"] * 3

    def test_a_head_arriving_byte_by_byte_within_the_timeout_is_served(
        self, server: tuple[int, Recorder]
    ) -> None:
        port, _ = server
        client = connect(port)
        for byte in head("/slow/"):
            client.send(bytes([byte]))

        assert read_response(client)[0] == 200


class TestUpgrades:
    def test_a_websocket_upgrade_is_handed_over(self) -> None:
        async def app(scope: Any, receive: Any, send: Any) -> None:
            assert scope["type"] == "websocket"
            await receive()  # websocket.connect
            await send({"type": "websocket.accept"})
            await send({"type": "websocket.close"})

        with serve(LIMITS, app) as (port, _):
            client = connect(port)
            client.sendall(
                head(
                    "/ws/",
                    "Connection: Upgrade",
                    "Upgrade: websocket",
                    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
                    "Sec-WebSocket-Version: 13",
                )
            )

            assert client.recv(65536).startswith(b"HTTP/1.1 101 ")

    def test_an_unsupported_upgrade_is_served_as_a_request(
        self, server: tuple[int, Recorder]
    ) -> None:
        port, app = server
        client = connect(port)
        client.sendall(head("/a/", "Connection: Upgrade", "Upgrade: h2c"))

        assert read_response(client)[0] == 200
        assert app.calls == ["/a/"]


class TestHead:
    def test_a_long_target_is_refused_before_its_line_ends(
        self, server: tuple[int, Recorder]
    ) -> None:
        port, app = server
        client = connect(port)
        client.sendall(b"GET /api/" + b"a" * 60)
        client.sendall(b"a" * 60)  # no space, no HTTP version, no line end

        status, headers, body = parse(read_all(client))

        assert status == 414
        assert headers["connection"] == "close"
        assert json.loads(body) == envelope(
            "request_uri_too_long", f"{HTTPStatus.REQUEST_URI_TOO_LONG.phrase}."
        )
        assert app.calls == []

    def test_a_head_growing_past_its_size_is_refused_before_it_ends(
        self, server: tuple[int, Recorder]
    ) -> None:
        port, app = server
        client = connect(port)
        client.sendall(b"GET /api/items/ HTTP/1.1\r\nHost: t\r\nX-Big: ")
        for _ in range(6):
            client.sendall(b"v" * 100)  # one header line that never ends
            time.sleep(0.02)

        status, _, body = parse(read_all(client))

        assert status == 431
        assert json.loads(body)["errors"][0]["code"] == (
            "request_header_fields_too_large"
        )
        assert app.calls == []

    @pytest.mark.parametrize(
        ("lines", "status"),
        [
            (["X-A: " + "v" * 60], 431),
            ([f"X-{n}: 1" for n in range(5)], 431),
            ([], 414),
        ],
        ids=["header line", "header count", "request line"],
    )
    def test_a_whole_head_over_a_limit_is_refused(
        self, server: tuple[int, Recorder], lines: list[str], status: int
    ) -> None:
        port, app = server
        # Host is the first header. "GET " + 87 bytes + " HTTP/1.1\r\n" is 102 bytes.
        path = "/api/" + ("p" * 82 if status == 414 else "")
        client = connect(port)
        client.sendall(head(path, *lines))

        assert parse(read_all(client))[0] == status
        assert app.calls == []

    def test_outside_the_api_the_refusal_is_plain_text(
        self, server: tuple[int, Recorder]
    ) -> None:
        port, _ = server
        client = connect(port)
        client.sendall(head("/page/", "X-A: " + "v" * 60))

        status, headers, body = parse(read_all(client))

        assert status == 431
        assert headers["content-type"] == "text/plain; charset=utf-8"
        assert body == b"Request Header Fields Too Large"

    def test_a_target_that_does_not_parse_is_not_under_the_api(
        self, server: tuple[int, Recorder]
    ) -> None:
        port, _ = server
        client = connect(port)
        client.sendall(head("http://[/api/items/", "X-A: " + "v" * 60))

        status, headers, _ = parse(read_all(client))

        assert (status, headers["content-type"]) == (431, "text/plain; charset=utf-8")

    @pytest.mark.parametrize(
        ("path", "json_body"), [("/api/items/", True), ("/page/", False)]
    )
    def test_a_malformed_request_gets_400_with_the_envelope_under_the_api(
        self, server: tuple[int, Recorder], path: str, *, json_body: bool
    ) -> None:
        port, app = server
        client = connect(port)
        client.sendall(
            f"GET {path} HTTP/1.1\r\nHost: t\r\nNo colon here\r\n\r\n".encode()
        )

        status, headers, body = parse(read_all(client))

        assert status == 400
        if json_body:
            assert json.loads(body) == envelope("bad_request", "Bad request.")
        else:
            assert (headers["content-type"], body) == (
                "text/plain; charset=utf-8",
                b"Bad Request",
            )
        assert app.calls == []

    def test_a_refused_head_after_a_request_in_progress_ends_the_connection_after_it(
        self,
    ) -> None:
        with serve(LIMITS, Recorder(delay=0.3)) as (port, app):
            client = connect(port)
            client.sendall(head("/first/") + head("/second/", "X-A: " + "v" * 60))

            status, _, body = parse(read_all(client))

        assert (status, json.loads(body)["length"]) == (200, 0)
        assert app.calls == ["/first/"]


class TestBody:
    def test_a_declared_length_over_the_limit_is_refused_before_the_body(
        self, server: tuple[int, Recorder]
    ) -> None:
        port, app = server
        client = connect(port)
        client.sendall(head("/api/items/", "Content-Length: 1001", method="POST"))

        status, _, body = parse(read_all(client))

        assert status == 413
        assert json.loads(body) == envelope(
            "request_too_large", "Request body too large."
        )
        assert app.calls == []

    def test_expect_continue_over_the_limit_gets_413_and_no_continue(
        self, server: tuple[int, Recorder]
    ) -> None:
        port, _ = server
        client = connect(port)
        client.sendall(
            head(
                "/api/items/",
                "Content-Length: 5000",
                "Expect: 100-continue",
                method="POST",
            )
        )

        answer = read_all(client)

        assert answer.startswith(b"HTTP/1.1 413 ")
        assert b"100 Continue" not in answer

    def test_a_chunked_body_is_refused_when_it_passes_the_limit(
        self, server: tuple[int, Recorder]
    ) -> None:
        port, app = server
        client = connect(port)
        client.sendall(head("/api/items/", "Transfer-Encoding: chunked", method="POST"))
        client.sendall(chunk(b"x" * 600))
        time.sleep(0.1)
        client.sendall(chunk(b"x" * 600))

        status, _, body = parse(read_all(client))

        assert status == 413
        assert json.loads(body)["errors"][0]["code"] == "request_too_large"
        # The application was reading the body: it sees the client gone.
        wait_for(lambda: app.outcomes)
        assert (app.calls, app.outcomes) == (["/api/items/"], ["disconnect"])

    def test_a_body_refused_after_the_answer_began_cuts_the_connection(self) -> None:
        with serve(LIMITS, Recorder(answer_first=True)) as (port, app):
            client = connect(port)
            client.sendall(
                head("/stream/", "Transfer-Encoding: chunked", method="POST")
            )
            time.sleep(0.2)  # the application answers before it reads
            client.sendall(chunk(b"x" * 1200))

            answer = read_all(client)

        assert answer.startswith(b"HTTP/1.1 200 ")
        assert b"413" not in answer
        wait_for(lambda: app.outcomes)
        assert app.outcomes == ["disconnect"]

    def test_what_follows_a_refusal_is_drained_so_the_client_reads_it(
        self, server: tuple[int, Recorder]
    ) -> None:
        port, _ = server
        client = connect(port)
        client.sendall(head("/api/items/", "Content-Length: 400000", method="POST"))
        client.sendall(b"x" * 400_000)  # the whole body, as naive clients send it

        assert read_all(client).startswith(b"HTTP/1.1 413 ")

    def test_draining_stops_after_its_byte_budget(
        self, server: tuple[int, Recorder], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(connection, "LINGER_BYTES", 10_000)
        port, _ = server
        client = connect(port)
        client.sendall(head("/api/items/", "Content-Length: 4000000", method="POST"))
        assert client.recv(12) == b"HTTP/1.1 413"

        with pytest.raises((BrokenPipeError, ConnectionResetError)):
            for _ in range(400):
                client.sendall(b"x" * 10_000)


class TestTimeouts:
    def test_an_idle_connection_is_closed_without_an_answer(
        self, server: tuple[int, Recorder]
    ) -> None:
        port, _ = server
        client = connect(port)
        started = time.monotonic()

        assert read_all(client) == b""
        assert 0.5 < time.monotonic() - started < 3

    def test_a_head_that_does_not_arrive_in_time_gets_408(
        self, server: tuple[int, Recorder]
    ) -> None:
        port, app = server
        client = connect(port)
        started = time.monotonic()
        client.sendall(b"GET /api/items/ HTTP/1.1\r\n")
        # A byte every 0.2 s: every read is recent, the head is never complete.
        for byte in b"Host: t\r\nX-Slow: 1":
            try:
                client.send(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                break
            time.sleep(0.2)
            if time.monotonic() - started > 1.5:
                break

        status, _, body = parse(read_all(client))

        assert status == 408
        assert json.loads(body) == envelope(
            "request_timeout", f"{HTTPStatus.REQUEST_TIMEOUT.phrase}."
        )
        assert app.calls == []

    def test_the_head_timeout_starts_again_with_each_request(
        self, server: tuple[int, Recorder]
    ) -> None:
        port, _ = server
        client = connect(port)
        client.sendall(head("/a/"))
        assert read_response(client)[0] == 200
        time.sleep(0.4)
        client.sendall(b"GET /b/ HTTP/1.1\r\n")
        time.sleep(0.4)  # 0.8 s after the connection began, 0.4 s into this head
        client.sendall(b"Host: t\r\n\r\n")

        assert read_response(client)[0] == 200

    def test_a_body_that_does_not_arrive_in_time_gets_408(
        self, server: tuple[int, Recorder]
    ) -> None:
        port, app = server
        client = connect(port)
        started = time.monotonic()
        client.sendall(
            head("/api/items/", "Content-Length: 100", method="POST") + b"[1,"
        )

        status, _, _ = parse(read_all(client))

        assert status == 408
        assert 0.5 < time.monotonic() - started < 3
        wait_for(lambda: app.outcomes)
        assert app.outcomes == ["disconnect"]

    def test_a_slow_application_is_not_cut_off(self) -> None:
        with serve(LIMITS, Recorder(delay=1.0)) as (port, _):
            client = connect(port)
            client.sendall(head("/slow/"))

            assert read_response(client)[0] == 200


class TestConnections:
    def test_a_connection_over_the_cap_is_closed_at_once(
        self, server: tuple[int, Recorder]
    ) -> None:
        port, _ = server
        held = [connect(port) for _ in range(5)]
        time.sleep(0.1)
        extra = connect(port)
        started = time.monotonic()

        assert read_all(extra) == b""
        assert time.monotonic() - started < 0.5
        # The admitted ones are still served.
        held[0].sendall(head("/a/"))
        assert read_response(held[0])[0] == 200

    def test_the_cap_is_logged_once_while_it_lasts(
        self, server: tuple[int, Recorder], caplog: pytest.LogCaptureFixture
    ) -> None:
        port, _ = server
        held = [connect(port) for _ in range(5)]
        time.sleep(0.1)
        extras = [connect(port) for _ in range(3)]
        for extra in extras:
            assert read_all(extra) == b""

        warnings = [m for m in caplog.messages if "worker_connections" in m]
        assert warnings == [
            "Closing new connections: the worker holds worker_connections (5)"
        ]
        assert len(held) == 5

    def test_a_closed_connection_makes_room(self, server: tuple[int, Recorder]) -> None:
        port, _ = server
        held = [connect(port) for _ in range(5)]
        held.pop().close()
        time.sleep(0.1)
        again = connect(port)
        again.sendall(head("/a/"))

        assert read_response(again)[0] == 200
        for client in held:
            client.close()

    def test_zero_turns_the_bounds_off(self) -> None:
        limits = ServerLimits(
            request_line=0,
            fields=0,
            field_size=0,
            head_size=0,
            body_size=None,
            connections=0,
        )
        with serve(limits) as (port, app):
            clients = [connect(port) for _ in range(8)]
            client = clients[-1]
            client.sendall(
                head(
                    "/api/" + "p" * 9000,
                    *(f"X-{n}: {'v' * 200}" for n in range(200)),
                    "Content-Length: 3000000",
                    method="POST",
                )
                + b"x" * 3_000_000
            )

            status, _, body = read_response(client)

        assert (status, json.loads(body)["length"]) == (200, 3_000_000)
        assert len(app.calls) == 1


def test_uvicorn_warns_of_each_refusal(
    server: tuple[int, Recorder], caplog: pytest.LogCaptureFixture
) -> None:
    port, _ = server
    client = connect(port)
    client.sendall(head("/api/items/", "Content-Length: 5000", method="POST"))
    read_all(client)

    assert (
        "Refused a request over the server's limits: 413 "
        f"{HTTPStatus.REQUEST_ENTITY_TOO_LARGE.phrase} "
        "(Content-Length over DATA_UPLOAD_MAX_MEMORY_SIZE)"
    ) in caplog.messages
