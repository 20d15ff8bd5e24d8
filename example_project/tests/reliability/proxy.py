"""TCP proxies between the application and its backends, which the suite can break.

The machine's PostgreSQL and Redis are shared, so they are never stopped: the
application reaches them through these proxies, and a fault is a proxy that stops
forwarding (**hang**: connections are accepted and nothing comes back) or closes its
port and resets its connections (**refuse**), then forwards again (**restore**).

The proxies run in a process of their own (``python -m tests.reliability.proxy
NAME=HOST:PORT ...``) so the load generator's CPU use cannot delay backend traffic;
:class:`ProxyProcess` starts it and sends it commands over its standard input.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from collections.abc import Iterable

Mode = Literal["pass", "hang", "refuse"]
MODES: tuple[Mode, ...] = ("pass", "hang", "refuse")
CHUNK = 65536


@dataclass
class FaultProxy:
    """Forward one loopback port to a backend, or break the path on request.

    Attributes:
        target_host: The backend's host.
        target_port: The backend's port.
        port: The port the proxy listens on (kept across refuse and restore).
        mode: What the proxy does now.
    """

    target_host: str
    target_port: int
    port: int = 0
    mode: Mode = "pass"
    _server: asyncio.Server | None = field(default=None, repr=False)
    _flowing: asyncio.Event = field(default_factory=asyncio.Event, repr=False)
    _connections: set[asyncio.StreamWriter] = field(default_factory=set, repr=False)

    async def start(self) -> None:
        """Listen on 127.0.0.1 (on ``port``, or a free one when it is 0)."""
        self._flowing.set()
        await self._listen()

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(
            self._serve, "127.0.0.1", self.port, reuse_address=True, backlog=512
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def set_mode(self, mode: Mode) -> None:
        """Switch to ``pass``, ``hang`` or ``refuse``.

        Args:
            mode: ``hang`` stops forwarding in both directions on every connection,
                old and new, while still accepting; ``refuse`` closes the port and
                resets every open connection; ``pass`` forwards again (held data
                included) and reopens the port.
        """
        self.mode = mode
        if mode == "hang":
            self._flowing.clear()
            return
        if mode == "refuse":
            self._flowing.clear()
            if self._server is not None:
                self._server.close()
                self._server = None
            for writer in list(self._connections):
                writer.transport.abort()
            self._connections.clear()
            return
        if self._server is None:
            await self._listen()
        self._flowing.set()

    async def close(self) -> None:
        """Stop listening and drop every connection."""
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._connections):
            writer.transport.abort()

    async def _serve(
        self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter
    ) -> None:
        self._connections.add(client_writer)
        upstream_writer: asyncio.StreamWriter | None = None
        try:
            await self._flowing.wait()
            upstream_reader, upstream_writer = await asyncio.open_connection(
                self.target_host, self.target_port
            )
            self._connections.add(upstream_writer)
            await asyncio.gather(
                self._pump(client_reader, upstream_writer),
                self._pump(upstream_reader, client_writer),
            )
        except OSError:
            client_writer.transport.abort()
        finally:
            for writer in (client_writer, upstream_writer):
                if writer is not None:
                    self._connections.discard(writer)
                    writer.transport.abort()

    async def _pump(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        while True:
            data = await reader.read(CHUNK)
            if not data:
                break
            await self._flowing.wait()
            if writer.transport.is_closing():
                break
            writer.write(data)
            await writer.drain()
        with contextlib.suppress(OSError):
            writer.write_eof()


async def _serve_commands(proxies: dict[str, FaultProxy], out: IO[str]) -> None:
    """Start the proxies, print their ports, then obey ``NAME MODE`` lines on stdin."""
    for name, proxy in proxies.items():
        await proxy.start()
        out.write(f"ready {name} {proxy.port}\n")
    out.flush()
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            break
        name, _, mode = line.strip().partition(" ")
        proxy = proxies.get(name)
        if proxy is None or mode not in MODES:
            out.write(f"error {line.strip()}\n")
        else:
            await proxy.set_mode(mode)  # type: ignore[arg-type]
            out.write(f"ok {name} {mode}\n")
        out.flush()
    for proxy in proxies.values():
        await proxy.close()


def main(argv: Iterable[str] | None = None) -> None:
    """Run proxies named on the command line until standard input closes.

    Args:
        argv: ``NAME=HOST:PORT`` targets.
    """
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("targets", nargs="+", metavar="NAME=HOST:PORT")
    args = parser.parse_args(list(argv) if argv is not None else None)
    proxies: dict[str, FaultProxy] = {}
    for target in args.targets:
        name, _, address = target.partition("=")
        host, _, port = address.rpartition(":")
        proxies[name] = FaultProxy(host, int(port))
    asyncio.run(_serve_commands(proxies, sys.stdout))


class ProxyProcess:
    """The proxies' process, seen from the suite: ports and fault commands.

    Args:
        targets: Backend ``(host, port)`` by proxy name.
        cwd: The example project's directory (so that ``-m tests...`` resolves).
    """

    def __init__(self, targets: dict[str, tuple[str, int]], cwd: str) -> None:
        self._process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.reliability.proxy",
                *(f"{name}={host}:{port}" for name, (host, port) in targets.items()),
            ],
            cwd=cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        self._lock = threading.Lock()
        self.ports: dict[str, int] = {}
        for _ in targets:
            word, name, port = self._read().split()
            if word != "ready":
                raise RuntimeError(f"proxy process said {word!r}")
            self.ports[name] = int(port)

    def _read(self) -> str:
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line:
            raise RuntimeError(f"proxy process exited ({self._process.poll()})")
        return line

    def set_mode(self, name: str, mode: Mode) -> None:
        """Switch one proxy's mode and wait until it has.

        Args:
            name: The proxy's name.
            mode: ``pass``, ``hang`` or ``refuse``.
        """
        assert self._process.stdin is not None
        with self._lock:
            self._process.stdin.write(f"{name} {mode}\n")
            self._process.stdin.flush()
            answer = self._read().strip()
        if answer != f"ok {name} {mode}":
            raise RuntimeError(f"proxy process answered {answer!r}")

    def close(self) -> None:
        """Stop the proxies and wait for their process."""
        if self._process.poll() is None:
            assert self._process.stdin is not None
            with contextlib.suppress(OSError):
                self._process.stdin.close()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=10)


def refuses_connections(port: int) -> bool:
    """Tell whether nothing accepts connections on a loopback port.

    Args:
        port: The port.

    Returns:
        Whether a connection attempt is refused.
    """
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return False
    except ConnectionRefusedError:
        return True


if __name__ == "__main__":
    main()
