"""A TCP proxy on loopback that a test switches between working, hung and refused.

Real faults, not mocks: the application under test talks to its real PostgreSQL or
Redis through the proxy, and the test breaks the path the way production breaks it.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from collections.abc import Coroutine

Mode = Literal["forward", "hang", "refuse"]
MODES: tuple[Mode, ...] = ("forward", "hang", "refuse")
HOST = "127.0.0.1"
CHUNK = 65536
# How long a command may take on the proxy's thread, and a connection to the target.
COMMAND_TIMEOUT = 10.0
CONNECT_TIMEOUT = 5.0


def closed_port() -> int:
    """Return a loopback port that nothing listens on: connections to it are refused.

    Returns:
        A port number that was free a moment ago.
    """
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


class FaultProxy:
    """Forward a loopback port to a server, or break the path when told to.

    Modes, switched with :meth:`set_mode` or the methods named after them:

    * ``forward``: bytes flow both ways; the server works through the proxy.
    * ``hang``: connections are still accepted, but nothing is forwarded on any
      connection, old or new; clients wait for answers that do not come, as with a
      hung server or a network partition. :meth:`resume` delivers what was held.
    * ``refuse``: the port is closed and every open connection is reset, as when
      the server process is gone; :meth:`start` listens on the same port again.

    Without a target the proxy is a listener that accepts connections and never
    answers. The proxy runs its own event loop in a daemon thread, so it serves
    while the test blocks; its methods may be called from any other thread, and
    ``with FaultProxy(...) as proxy`` starts and closes it::

        with FaultProxy(("127.0.0.1", 6379)) as redis:
            cache_url = f"redis://{redis.address}/0"
            redis.hang()
            ...  # the application's Redis calls now wait
            redis.resume()

    Args:
        target: The server's ``(host, port)``, or ``None`` for a hung listener.
        port: The port to listen on; 0 picks a free one. It is kept across
            :meth:`stop` and :meth:`start`.

    Attributes:
        target: The server's ``(host, port)``, or ``None``.
        port: The port the proxy listens on (0 until started).
        mode: What the proxy does now.
        accepted: Connections accepted so far.
    """

    def __init__(self, target: tuple[str, int] | None = None, *, port: int = 0) -> None:
        self.target = target
        self.port = port
        self.mode: Mode = "refuse"
        self.accepted = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.Server | None = None
        self._flowing = asyncio.Event()
        self._links: dict[asyncio.Task[Any], list[asyncio.StreamWriter]] = {}

    @property
    def address(self) -> str:
        """``host:port`` of the proxy, for a database or cache URL."""
        return f"{HOST}:{self.port}"

    def __repr__(self) -> str:
        return (
            f"FaultProxy(target={self.target!r}, port={self.port}, mode={self.mode!r})"
        )

    def start(self) -> FaultProxy:
        """Listen and forward; after :meth:`stop`, on the same port again.

        Returns:
            The proxy itself.
        """
        if self._loop is None:
            loop = asyncio.new_event_loop()
            thread = threading.Thread(
                target=loop.run_forever, name=f"fault-proxy-{id(self):x}", daemon=True
            )
            thread.start()
            self._loop, self._thread = loop, thread
            self._flowing = asyncio.Event()  # bound to the loop that waits on it
        self.set_mode("forward")
        return self

    def stop(self) -> None:
        """Refuse: close the port and reset every open connection."""
        self.set_mode("refuse")

    def hang(self) -> None:
        """Hang: accept connections but forward nothing, in either direction."""
        self.set_mode("hang")

    def resume(self) -> None:
        """Forward again, delivering what was held while hung."""
        self.set_mode("forward")

    def set_mode(self, mode: Mode) -> None:
        """Switch to ``forward``, ``hang`` or ``refuse``; return once the switch is made.

        Args:
            mode: The new mode.

        Raises:
            ValueError: For an unknown mode.
            RuntimeError: When the proxy is not started, or when called from the
                proxy's own thread.
        """
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; expected one of {MODES}")
        self._call(self._switch(mode))

    def close(self) -> None:
        """Stop listening, drop every connection and end the proxy's thread."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        self._call(self._shutdown())
        loop.call_soon_threadsafe(loop.stop)
        thread.join(COMMAND_TIMEOUT)
        loop.close()
        self._loop = self._thread = None

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _call(self, work: Coroutine[Any, Any, None]) -> None:
        """Run ``work`` on the proxy's loop and wait for it."""
        if self._loop is None:
            work.close()
            raise RuntimeError("the proxy is not started")
        if threading.current_thread() is self._thread:
            work.close()
            raise RuntimeError(
                "FaultProxy methods cannot be called from its own thread"
            )
        asyncio.run_coroutine_threadsafe(work, self._loop).result(COMMAND_TIMEOUT)

    async def _switch(self, mode: Mode) -> None:
        self.mode = mode
        if mode == "hang":
            self._flowing.clear()
        elif mode == "refuse":
            self._flowing.clear()
            if self._server is not None:
                self._server.close()
                self._server = None
            await self._drop_links()
        else:
            if self._server is None:
                self._server = await asyncio.start_server(
                    self._serve, HOST, self.port, reuse_address=True, backlog=512
                )
                self.port = self._server.sockets[0].getsockname()[1]
            self._flowing.set()

    async def _shutdown(self) -> None:
        await self._switch("refuse")

    async def _drop_links(self) -> None:
        tasks = list(self._links)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _serve(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        """Carry one client connection until either side closes it."""
        task = asyncio.current_task()
        assert task is not None
        self.accepted += 1
        if self.mode == "refuse":
            # Accepted by the kernel just before the port closed: reset, as a
            # server that is going away does.
            writer.transport.abort()
            return
        writers = self._links[task] = [writer]
        try:
            if self.target is None:
                while await reader.read(CHUNK):
                    pass
                return
            await self._flowing.wait()
            upstream_reader, upstream_writer = await asyncio.wait_for(
                asyncio.open_connection(*self.target), CONNECT_TIMEOUT
            )
            writers.append(upstream_writer)
            await asyncio.gather(
                self._pump(reader, upstream_writer),
                self._pump(upstream_reader, writer),
            )
        except (OSError, asyncio.TimeoutError):
            # The backend refused or dropped the link: it ends, as a real one would.
            pass
        except asyncio.CancelledError:
            # Cut by refuse or close; ending normally keeps asyncio's stream
            # callback from reporting the cancellation as an error.
            pass
        finally:
            del self._links[task]
            for each in writers:
                each.transport.abort()

    async def _pump(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        """Copy one direction; while hung, hold the data (and the end of it)."""
        while data := await reader.read(CHUNK):
            await self._flowing.wait()
            writer.write(data)
            await writer.drain()
        await self._flowing.wait()
        if writer.can_write_eof():
            with contextlib.suppress(OSError):
                writer.write_eof()
