"""Attacks on the server's bounds, straight to gunicorn, and what each must cost.

A client that reaches gunicorn without nginx (a second proxy in front, a sidecar, an
internal caller) must not be able to spend a worker's memory, the disk or its
connections. Each attack is measured from outside: worker peak memory (``VmHWM``),
the bytes of the workers' files under the application's ``TMPDIR`` (deleted ones
included), how long a connection stays open, how many stay open.

- eight header values of 40 MiB each: 431 while they arrive;
- a 200 MiB body, declared by ``Content-Length`` and chunked: 413 before it is stored;
- a malformed request under ``/api/``: the 400 envelope;
- a partial head and a partial body: 408 after the head and body timeouts;
- 3 000 idle connections: at most ``worker_connections`` per worker held, all closed
  after the head timeout.
"""

from __future__ import annotations

import contextlib
import json
import resource
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from tests.e2e.stack import Stack

MIB = 2**20
FLOOD = 3000
# The library's defaults (docs/deployment.md, "The server's bounds").
HEAD_TIMEOUT = 10.0
BODY_TIMEOUT = 30.0
WORKER_CONNECTIONS = 1000


@dataclass(frozen=True)
class Answer:
    """What one attack was answered.

    Attributes:
        status: The status, 0 when nothing came back.
        code: The envelope's first error code, if the answer was the envelope.
        seconds: How long the connection stayed open.
    """

    status: int
    code: str | None
    seconds: float


@dataclass
class AttackResult:
    """The attacks' answers and what they cost.

    Attributes:
        headers: The answer to the header values.
        growth_kib: Growth of each worker's peak memory during that attack.
        bodies: The answer to each 200 MiB body, by framing.
        stored: The most bytes seen in the temporary directory during the bodies.
        malformed: The answer to the malformed request.
        slow: The answer to the partial head and the partial body.
        opened: Idle connections opened.
        held: Of those, still open once the workers took what they would.
        held_after: Still open after the head timeout.
        cap: Connections one worker may hold.
        connections: The connections on gunicorn's port each worker held once the
            flood settled (the two slow ones and nginx's included).
    """

    headers: Answer | None = None
    growth_kib: dict[int, int] = field(default_factory=dict)
    bodies: dict[str, Answer] = field(default_factory=dict)
    stored: int = 0
    malformed: Answer | None = None
    slow: dict[str, Answer] = field(default_factory=dict)
    opened: int = 0
    held: int = 0
    held_after: int = 0
    cap: int = WORKER_CONNECTIONS
    connections: dict[int, int] = field(default_factory=dict)


def raise_file_limit() -> int:
    """Let this process and the servers it starts open the flood's connections.

    Returns:
        The soft limit on open files now.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 4 * FLOOD if hard == resource.RLIM_INFINITY else min(hard, 4 * FLOOD)
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def _answer(data: bytes, seconds: float) -> Answer:
    head, _, body = data.partition(b"\r\n\r\n")
    try:
        status = int(head.split()[1])
    except (IndexError, ValueError):
        return Answer(0, None, seconds)
    code = None
    with contextlib.suppress(ValueError, KeyError, IndexError, TypeError):
        code = str(json.loads(body)["errors"][0]["code"])
    return Answer(status, code, seconds)


def send(
    port: int, head: bytes, pieces: Callable[[], Iterator[bytes]] = lambda: iter(())
) -> Answer:
    """Send ``head`` then ``pieces`` while a thread reads the answer until the close."""
    client = socket.create_connection(("127.0.0.1", port), timeout=60)
    received: list[bytes] = []
    started = time.monotonic()

    def read() -> None:
        with contextlib.suppress(OSError):
            while chunk := client.recv(65536):
                received.append(chunk)

    reader = threading.Thread(target=read)
    reader.start()
    with contextlib.suppress(OSError):  # the server stops reading and closes
        client.sendall(head)
        for piece in pieces():
            client.sendall(piece)
    reader.join(timeout=60)
    client.close()
    return _answer(b"".join(received), time.monotonic() - started)


def _peak_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _stored(pids: list[int], directory: Path) -> int:
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                with contextlib.suppress(OSError):
                    if str(fd.readlink()).startswith(str(directory)):
                        total += fd.stat().st_size
    return total


def _is_open(client: socket.socket) -> bool:
    client.settimeout(0)  # non-blocking
    try:
        return client.recv(1, socket.MSG_PEEK) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False


def header_flood() -> Iterator[bytes]:
    """Eight header values of 40 MiB, sent 1 MiB at a time."""
    value = b"a" * MIB
    for number in range(8):
        yield b"X-Big-%d: " % number
        yield from (value for _ in range(40))
        yield b"\r\n"
    yield b"\r\n"


def body(chunked: bool) -> Callable[[], Iterator[bytes]]:  # noqa: FBT001
    """200 MiB of body, 1 MiB at a time, in chunks or as it is."""
    piece = b"a" * MIB
    framed = b"%x\r\n" % len(piece) + piece + b"\r\n" if chunked else piece
    return lambda: (framed for _ in range(200))


def run_attacks(stack: Stack, temp_dir: Path) -> AttackResult:
    """Run every attack against gunicorn's own port.

    Args:
        stack: The running example project.
        temp_dir: The application's ``TMPDIR``.

    Returns:
        The answers and the figures.
    """
    port = stack.app_port
    result = AttackResult()
    host = b"Host: 127.0.0.1\r\n"

    before = {pid: _peak_kib(pid) for pid in stack.worker_pids()}
    result.headers = send(port, b"GET /api/articles/ HTTP/1.1\r\n" + host, header_flood)
    result.growth_kib = {pid: _peak_kib(pid) - kib for pid, kib in before.items()}

    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            result.stored = max(result.stored, _stored(stack.worker_pids(), temp_dir))
            time.sleep(0.01)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        for name, framing in (
            ("Content-Length", b"Content-Length: %d" % (200 * MIB)),
            ("chunked", b"Transfer-Encoding: chunked"),
        ):
            head = b"POST /api/auth/token/ HTTP/1.1\r\n" + host
            head += b"Content-Type: application/json\r\n" + framing + b"\r\n\r\n"
            result.bodies[name] = send(port, head, body(chunked=name == "chunked"))
    finally:
        done.set()
        watcher.join()

    result.malformed = send(
        port, b"GET /api/articles/ HTTP/1.1\r\n" + host + b"No colon\r\n\r\n"
    )
    _slow_and_idle(port, result, stack.worker_pids())
    return result


def _connections(pid: int, port: int) -> int:
    """Count the connections on ``port`` that worker ``pid`` holds open.

    A worker's other sockets (its listening one, PostgreSQL, the Redis pool) are
    not counted: only established sockets whose local port is gunicorn's.
    """
    on_port = set()
    for table in ("tcp", "tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
                fields = line.split()
                local, state, inode = fields[1], fields[3], fields[9]
                if int(local.rsplit(":", 1)[1], 16) == port and state == "01":
                    on_port.add(f"socket:[{inode}]")
    held = 0
    with contextlib.suppress(OSError):
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                held += str(fd.readlink()) in on_port
    return held


def _slow_and_idle(port: int, result: AttackResult, workers: list[int]) -> None:
    """Hold a partial head and a partial body, and flood idle connections meanwhile."""
    partial = {
        "head": b"GET /api/articles/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ",
        "body": b"POST /api/auth/token/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
    }

    def hold(name: str) -> None:
        result.slow[name] = send(port, partial[name])

    holders = [threading.Thread(target=hold, args=(name,)) for name in partial]
    for holder in holders:
        holder.start()
    time.sleep(0.5)  # admitted before the flood fills the workers
    idle: list[socket.socket] = []
    with contextlib.suppress(OSError):  # the file limit, if it is lower
        while len(idle) < FLOOD:
            idle.append(socket.create_connection(("127.0.0.1", port), timeout=5))
    result.opened = len(idle)
    # Connections wait in the kernel's accept queue until a worker takes them (and
    # closes those over its cap): count once the number stops falling.
    settled = time.monotonic() + 5.0
    while time.monotonic() < settled:
        held = sum(_is_open(client) for client in idle)
        if held == result.held:
            break
        result.held = held
        time.sleep(0.5)
    result.connections = {pid: _connections(pid, port) for pid in workers}
    time.sleep(HEAD_TIMEOUT + 1.0)
    result.held_after = sum(_is_open(client) for client in idle)
    for client in idle:
        client.close()
    for holder in holders:
        holder.join(timeout=BODY_TIMEOUT + 30)


def verdicts(result: AttackResult) -> list[tuple[str, bool, str]]:
    """Return each promise about the attacks with its verdict and figures.

    Args:
        result: The attacks' outcome.

    Returns:
        ``(promise, kept, figures)`` tuples.
    """
    headers, malformed = result.headers, result.malformed
    growth = max(result.growth_kib.values(), default=0)
    bodies = ", ".join(f"{k}: {v.status} {v.code}" for k, v in result.bodies.items())
    head, body_ = result.slow.get("head"), result.slow.get("body")
    return [
        (
            "Huge header values are refused while they arrive, before memory is spent",
            headers is not None
            and (headers.status, headers.code)
            == (431, "request_header_fields_too_large")
            and growth < 16 * 1024,
            f"{headers.status if headers else 0} {headers.code if headers else ''}; "
            f"worker peak memory grew {growth / 1024:.1f} MiB (limit 16)",
        ),
        (
            "A 200 MiB body is refused with 413 before any of it is stored",
            len(result.bodies) == 2
            and all(
                (v.status, v.code) == (413, "request_too_large")
                for v in result.bodies.values()
            )
            and result.stored == 0,
            f"{bodies}; {result.stored} bytes in the temporary directory",
        ),
        (
            "A malformed request under /api/ gets the 400 envelope",
            malformed is not None
            and (malformed.status, malformed.code) == (400, "bad_request"),
            f"{malformed.status if malformed else 0} {malformed.code if malformed else ''}",
        ),
        (
            "A partial head or body is answered 408 at its timeout",
            head is not None
            and body_ is not None
            and (head.status, head.code, body_.status) == (408, "request_timeout", 408)
            and HEAD_TIMEOUT - 1 < head.seconds < HEAD_TIMEOUT + 3
            and BODY_TIMEOUT - 1 < body_.seconds < BODY_TIMEOUT + 3,
            f"head: {head.status if head else 0} after {head.seconds if head else 0:.1f} s; "
            f"body: {body_.status if body_ else 0} after {body_.seconds if body_ else 0:.1f} s",
        ),
        (
            "Idle connections are capped per worker and closed at the head timeout",
            bool(result.connections)
            and all(0 < n <= result.cap for n in result.connections.values())
            and 0 < result.held <= result.cap * len(result.connections)
            and result.held_after == 0,
            f"{result.opened} opened, {result.held} held (cap {result.cap} per "
            f"worker; connections per worker {sorted(result.connections.values())}), "
            f"{result.held_after} after the head timeout",
        ),
    ]
