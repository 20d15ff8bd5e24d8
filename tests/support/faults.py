"""Real network faults on loopback: a TCP proxy that forwards, hangs or stops."""

from __future__ import annotations

import contextlib
import select
import socket
import threading
import time
from typing import Literal

Mode = Literal["forward", "hang"]


def closed_port() -> int:
    """Return a loopback port that nothing listens on (connections are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class FaultProxy:
    """A TCP proxy on a loopback port in front of a real server.

    * ``forward``: bytes flow both ways, the service works through it.
    * ``hang``: connections are accepted and held, every byte is swallowed; clients
      wait for an answer that never comes (a hung server).
    * :meth:`stop`: the port is closed (connections are refused), as when the
      server process is gone; :meth:`start` listens on the same port again.

    Without a target it is a listener that accepts and never answers.
    """

    def __init__(
        self, target: tuple[str, int] | None = None, *, mode: Mode = "forward"
    ) -> None:
        self.target = target
        self.mode: Mode = "hang" if target is None else mode
        self.port = 0
        self.accepted = 0
        self._listener: socket.socket | None = None
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._running = False

    @property
    def address(self) -> str:
        """``host:port`` of the proxy."""
        return f"127.0.0.1:{self.port}"

    def start(self) -> FaultProxy:
        """Listen (again, on the same port after a stop)."""
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        listener.settimeout(0.05)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._running = True
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def stop(self) -> None:
        """Close the port and every connection: new connections are refused."""
        self._running = False
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        self._drop_connections()

    def hang(self) -> None:
        """Stop answering: hold new connections, swallow bytes on open ones."""
        self.mode = "hang"

    def resume(self) -> None:
        """Forward again; connections that were hung are closed, as by a restart."""
        self._drop_connections()
        self.mode = "forward"

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _drop_connections(self) -> None:
        with self._lock:
            sockets, self._sockets = self._sockets, set()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _accept(self, listener: socket.socket) -> None:
        while self._running and self._listener is listener:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted += 1
            client.settimeout(None)
            if self.target is None or self.mode == "hang":
                with self._lock:
                    self._sockets.add(client)
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=2)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets.update((client, upstream))
            threading.Thread(
                target=self._pump, args=(client, upstream), daemon=True
            ).start()

    def _pump(self, client: socket.socket, upstream: socket.socket) -> None:
        peers = {client: upstream, upstream: client}
        try:
            while True:
                readable, _, _ = select.select(list(peers), [], [], 0.1)
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    if self.mode == "forward":
                        peers[sock].sendall(data)
        except (OSError, ValueError):
            return
        finally:
            with self._lock:
                self._sockets.discard(client)
                self._sockets.discard(upstream)
            client.close()
            upstream.close()


def wait_until(condition: object, timeout: float = 5.0) -> bool:
    """Poll a callable until it returns true or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return True
        time.sleep(0.02)
    return False
