"""A real TCP echo server for the fault proxy to stand in front of."""

from __future__ import annotations

import socket
import socketserver
import threading
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Iterator

# Long enough for an answer on a busy machine; short enough to call a silence a hang.
ANSWER_WITHIN = 2.0
SILENCE = 0.3


class EchoHandler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        while data := self.request.recv(1024):
            self.request.sendall(data)


class EchoServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


@pytest.fixture
def echo() -> Iterator[tuple[str, int]]:
    """An echo server on a free loopback port."""
    server = EchoServer(("127.0.0.1", 0), EchoHandler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield "127.0.0.1", server.server_address[1]
    server.shutdown()
    server.server_close()
    thread.join(5)


def connect(port: int) -> socket.socket:
    """A client connection to a loopback port."""
    return socket.create_connection(("127.0.0.1", port), timeout=ANSWER_WITHIN)


def round_trip(
    sock: socket.socket, payload: bytes, timeout: float = ANSWER_WITHIN
) -> bytes:
    """Send ``payload`` and read as many bytes back; raise ``TimeoutError`` on silence."""
    sock.settimeout(timeout)
    sock.sendall(payload)
    received = b""
    while len(received) < len(payload):
        chunk = sock.recv(len(payload) - len(received))
        if not chunk:
            break
        received += chunk
    return received


def refuses_connections(port: int) -> bool:
    """Whether a connection to a loopback port is refused."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=ANSWER_WITHIN):
            return False
    except ConnectionRefusedError:
        return True
