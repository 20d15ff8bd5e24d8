"""A real uvicorn server on loopback, in a thread, speaking the worker's protocol."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import uvicorn

from django_strict_core.gunicorn.connection import bounded_protocol

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from django_strict_core.gunicorn.limits import ServerLimits

CRLF = b"\r\n"


@dataclass
class Recorder:
    """An ASGI application that reads the whole body and answers what it got.

    Attributes:
        calls: Paths the application was called with.
        outcomes: ``"complete"`` or ``"disconnect"`` per call, once the body is read.
        delay: Seconds to wait before answering.
        answer_first: Start the answer before reading the body.
    """

    calls: list[str] = field(default_factory=list)
    outcomes: list[str] = field(default_factory=list)
    delay: float = 0.0
    answer_first: bool = False

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        assert scope["type"] == "http"
        self.calls.append(scope["path"])
        start = {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json")],
        }
        if self.answer_first:
            await send(start)  # chunked: the length is not known yet
        body = b""
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                self.outcomes.append("disconnect")
                return
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        self.outcomes.append("complete")
        await asyncio.sleep(self.delay)
        payload = json.dumps({"length": len(body), "client": scope["client"][0]})
        if not self.answer_first:
            start["headers"].append((b"content-length", b"%d" % len(payload)))
            await send(start)
        await send({"type": "http.response.body", "body": payload.encode()})


@contextlib.contextmanager
def serve(
    limits: ServerLimits, app: Any = None, *, keepalive: int = 5
) -> Iterator[tuple[int, Any]]:
    """Run uvicorn with the bounded protocol until the block ends.

    Args:
        limits: The bounds.
        app: The ASGI application; a new :class:`Recorder` when ``None``.
        keepalive: uvicorn's ``timeout_keep_alive``.

    Yields:
        The port and the application.
    """
    app = Recorder() if app is None else app
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    config = uvicorn.Config(
        app,
        http=bounded_protocol(limits),
        lifespan="off",
        log_config=None,
        access_log=False,
        proxy_headers=False,
        timeout_keep_alive=keepalive,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]})
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    try:
        yield listener.getsockname()[1], app
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()


def connect(port: int, timeout: float = 5.0) -> socket.socket:
    """Open a client connection."""
    return socket.create_connection(("127.0.0.1", port), timeout=timeout)


def read_all(client: socket.socket) -> bytes:
    """Read until the server closes the connection (or the timeout)."""
    chunks = []
    with contextlib.suppress(TimeoutError, ConnectionResetError):
        while chunk := client.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


class Reader:
    """Read responses one after another from a keep-alive connection."""

    def __init__(self, client: socket.socket) -> None:
        self.client = client
        self.buffer = b""

    def _fill(self) -> None:
        chunk = self.client.recv(65536)
        assert chunk, f"closed after {self.buffer!r}"
        self.buffer += chunk

    def response(self) -> tuple[int, dict[str, str], bytes]:
        """Return the next response, which must have a ``Content-Length``."""
        while CRLF * 2 not in self.buffer:
            self._fill()
        head, _, rest = self.buffer.partition(CRLF * 2)
        status, headers, _ = parse(head + CRLF * 2)
        length = int(headers.get("content-length", 0))
        while len(rest) < length:
            self._fill()
            rest = self.buffer.partition(CRLF * 2)[2]
        self.buffer = rest[length:]
        return status, headers, rest[:length]


def read_response(client: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """Read one response from a connection that has nothing else pending."""
    return Reader(client).response()


def wait_for(condition: Callable[[], object], seconds: float = 5.0) -> None:
    """Wait until ``condition()`` is true, which the server makes so in its thread."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the condition never became true"
        time.sleep(0.01)


def parse(response: bytes) -> tuple[int, dict[str, str], bytes]:
    """Split a whole response into status, headers and body."""
    head, _, body = response.partition(CRLF * 2)
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {
        name.lower(): value.strip()
        for name, _, value in (line.partition(":") for line in lines)
    }
    return int(status_line.split()[1]), headers, body
