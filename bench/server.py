"""Benchmark the server's bounds: what each attack costs with and without them, and
what they cost a healthy request.

bench/server_site.py is served by a real gunicorn with the library's configuration
module and one worker, once with the library's worker and once with the same worker
serving uvicorn's own protocol (``UnboundedWorker``, no bounds):

1. the healthy path, in alternating rounds: ``GET /api/ping/`` and ``POST
   /api/echo/`` with a 1 KiB JSON body, 32 connections, with ``wrk`` when it is
   installed (``apt-get install wrk``), else an aiohttp client, on the Django project
   and on a bare ASGI application (bench/server_raw.py, where the server's own cost
   is the largest share); requests per second (median and range over the rounds),
   latency percentiles, and the ratio of the two workers round by round;
2. the protocol's own CPU cost per request, in process (no network, no Django):
   uvicorn's ``httptools`` protocol against the bounded one on the bare application;
3. the attacks, straight at each server: eight header values of 40 MiB (the worker's
   peak memory growth), a 200 MiB body with ``Content-Length`` and chunked (bytes
   the worker wrote under its ``TMPDIR``), a partial head and a partial body (seconds
   until the server closes, at most ``--hold``), 3 000 idle connections (how many the
   server keeps).

Run from the repository root:

    uv run --group bench python bench/server.py [--duration 5] [--rounds 5] [--hold 40]
"""

# ruff: noqa: E402 - the import path is fixed before anything imports ``logging``
from __future__ import annotations

import os
import sys

# bench/logging.py is named after the standard library module: keep this directory
# off the import path so that ``import logging`` finds the real one.
_HERE = os.path.dirname(os.path.abspath(__file__))  # noqa: PTH100, PTH120
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]  # noqa: PTH100
# The repository instead, for bench.server_raw.
sys.path.insert(0, os.path.dirname(_HERE))  # noqa: PTH120

import argparse
import asyncio
import contextlib
import json
import resource
import secrets
import shutil
import socket
import statistics
import subprocess
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiohttp

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

ROOT = Path(__file__).resolve().parents[1]
MIB = 2**20
BODY = json.dumps({"text": "a" * 1012}).encode()  # 1 KiB
DJANGO_APP = "django.core.asgi:get_asgi_application()"
RAW_APP = "bench.server_raw:app"
WORKERS = {
    "bounded": "django_strict_core.gunicorn.UvicornWorker",
    "unbounded": "bench.server_site.UnboundedWorker",
}


class Server:
    """gunicorn with ``-c python:django_strict_core.gunicorn`` and one worker."""

    def __init__(self, worker: str, temp: Path, app: str = DJANGO_APP) -> None:
        with socket.socket() as free:
            free.bind(("127.0.0.1", 0))
            self.port = free.getsockname()[1]
        self.temp = temp
        clean = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "WEB_CONCURRENCY"))
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "python:django_strict_core.gunicorn",
                app,
                "--bind",
                f"127.0.0.1:{self.port}",
                "--worker-class",
                worker,
            ],
            env={
                **clean,
                # The repository, not bench/: bench/logging.py would shadow logging.
                "PYTHONPATH": str(ROOT),
                "DJANGO_SETTINGS_MODULE": "bench.server_site",
                "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
                "DJANGO_ENV": "production",
                "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
                "DJANGO_LOG_LEVEL": "WARNING",
                "WEB_CONCURRENCY": "1",
                "TMPDIR": str(temp),
            },
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError):
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                if self.worker_pids():
                    time.sleep(1.0)  # the application is loaded after the bind
                    return
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError(f"gunicorn with {worker} did not start")
            time.sleep(0.2)

    def worker_pids(self) -> list[int]:
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children")
        return (
            [int(p) for p in children.read_text().split()] if children.exists() else []
        )

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def warm(server: Server) -> None:
    """Serve a few requests first: the worker's first ones allocate for good."""
    for _ in range(50):  # every app of this benchmark answers GET /api/ping/
        with contextlib.closing(
            socket.create_connection(("127.0.0.1", server.port))
        ) as c:
            c.sendall(
                b"GET /api/ping/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
            )
            while c.recv(65536):
                pass


@contextmanager
def serving(worker: str, app: str = DJANGO_APP) -> Iterator[Server]:
    with tempfile.TemporaryDirectory(prefix="bench-server-") as temp:
        server = Server(worker, Path(temp), app)
        try:
            warm(server)
            yield server
        finally:
            server.stop()


# --- the healthy path -----------------------------------------------------------


# Prints the first answer that is not a 200, so that a failing run says why.
WRK_CHECK = """
reported = false
response = function(status, headers, body)
  if status ~= 200 and not reported then
    reported = true
    print("unexpected " .. status .. " " .. string.sub(body, 1, 200))
  end
end
"""


def wrk(url: str, seconds: float, *, post: bool) -> tuple[float, float, float]:
    """Return requests per second, p50 and p99 in milliseconds, measured by wrk."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        if post:
            script.write(
                'wrk.method = "POST"\n'
                'wrk.headers["Content-Type"] = "application/json"\n'
                f"wrk.body = {json.dumps(BODY.decode())}\n"
            )
        script.write(WRK_CHECK)
        script.flush()
        command = ["wrk", "-t1", "-c32", f"-d{seconds:g}s", "--latency", "-s"]
        output = subprocess.run(
            [*command, script.name, url],
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 30,
        ).stdout
    if "unexpected" in output or "Non-2xx" in output:
        raise RuntimeError(f"wrk saw errors:\n{output}")
    rate = float(output.split("Requests/sec:")[1].split()[0])
    latency = {}
    for line in output.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] in ("50%", "99%"):
            latency[parts[0]] = _milliseconds(parts[1])
    return rate, latency["50%"], latency["99%"]


def _milliseconds(text: str) -> float:
    for unit, factor in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * factor
    raise ValueError(text)


async def _aiohttp_load(
    url: str, seconds: float, *, post: bool
) -> tuple[float, float, float]:
    latencies: list[float] = []
    stop = time.monotonic() + seconds
    connector = aiohttp.TCPConnector(limit=32)
    headers = {"Content-Type": "application/json"}
    async with aiohttp.ClientSession(connector=connector) as session:

        async def client() -> None:
            while time.monotonic() < stop:
                sent = time.perf_counter()
                call = (
                    session.post(url, data=BODY, headers=headers)
                    if post
                    else session.get(url)
                )
                async with call as answer:
                    await answer.read()
                    if answer.status != 200:
                        raise RuntimeError(f"{url}: {answer.status}")
                latencies.append(time.perf_counter() - sent)

        await asyncio.gather(*(client() for _ in range(32)))
    latencies.sort()
    return (
        len(latencies) / seconds,
        latencies[len(latencies) // 2] * 1000,
        latencies[int(len(latencies) * 0.99)] * 1000,
    )


ROUTES = (("GET /api/ping/", False), ("POST /api/echo/", True))
APPS = (("Django", DJANGO_APP), ("bare ASGI app", RAW_APP))


def _measure(url: str, duration: float, *, post: bool) -> tuple[float, float, float]:
    if shutil.which("wrk"):
        return wrk(url, duration, post=post)
    return asyncio.run(_aiohttp_load(url, duration, post=post))


def healthy(duration: float, rounds: int) -> None:
    """Alternate the two workers round by round on every app and route; print figures."""
    tool = "wrk" if shutil.which("wrk") else "aiohttp"
    print(
        f"## Healthy path ({tool}, 32 connections, {rounds} rounds of "
        f"{duration:g} s per worker, app and route)\n"
    )
    figures: dict[tuple[str, str, str], list[tuple[float, float, float]]] = {}
    with contextlib.ExitStack() as servers:
        running = {
            (app_name, name): servers.enter_context(serving(worker, app))
            for app_name, app in APPS
            for name, worker in WORKERS.items()
        }
        for round_number in range(rounds):
            names = list(WORKERS)
            if round_number % 2:  # neither worker always runs first
                names.reverse()
            for app_name, _app in APPS:
                for route, post in ROUTES:
                    for name in names:
                        url = running[(app_name, name)].url(route.split()[1])
                        figure = _measure(url, duration, post=post)
                        figures.setdefault((app_name, route, name), []).append(figure)
    print("| app | request | worker | req/s median | req/s range | p50 ms | p99 ms |")
    print("|---|---|---|---:|---|---:|---:|")
    for (app_name, route, name), runs in figures.items():
        rates = [r for r, _, _ in runs]
        print(
            f"| {app_name} | {route} | {name} | {statistics.median(rates):.0f} | "
            f"{min(rates):.0f}-{max(rates):.0f} | "
            f"{statistics.median(p50 for _, p50, _ in runs):.2f} | "
            f"{statistics.median(p99 for _, _, p99 in runs):.2f} |"
        )
    print("\n| app | request | bounded / unbounded req/s, per round: median | range |")
    print("|---|---|---:|---|")
    for app_name, _app in APPS:
        for route, _post in ROUTES:
            ratios = [
                b[0] / u[0]
                for b, u in zip(
                    figures[(app_name, route, "bounded")],
                    figures[(app_name, route, "unbounded")],
                    strict=True,
                )
            ]
            print(
                f"| {app_name} | {route} | {statistics.median(ratios):.3f} | "
                f"{min(ratios):.3f}-{max(ratios):.3f} |"
            )
    print()


# --- the protocol's own cost, in process ------------------------------------------


class _Transport(asyncio.Transport):
    """A connection that accepts every write and never closes by itself."""

    def __init__(self) -> None:
        super().__init__()
        self.closed = False

    def get_extra_info(self, name: str, default: object = None) -> object:
        return {"sockname": ("127.0.0.1", 8000), "peername": ("127.0.0.1", 50000)}.get(
            name, default
        )

    def write(self, data: bytes | bytearray | memoryview) -> None:
        pass

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


async def _bare(
    scope: object, receive: Callable[[], object], send: Callable[[object], object]
) -> None:
    from bench.server_raw import app  # noqa: PLC0415

    await app(scope, receive, send)


def _cpu_per_request(
    protocol: type[asyncio.Protocol], request: bytes, count: int
) -> float:
    """CPU microseconds per request of one keep-alive connection fed ``count`` requests."""
    from uvicorn.config import Config  # noqa: PLC0415
    from uvicorn.server import ServerState  # noqa: PLC0415

    try:  # the loop the server runs on: uvloop with uvicorn[standard]
        import uvloop  # noqa: PLC0415

        loop = uvloop.new_event_loop()
    except ImportError:
        loop = asyncio.new_event_loop()
    config = Config(
        app=_bare,
        lifespan="off",
        log_config=None,
        access_log=False,
        proxy_headers=False,
    )
    config.load()
    state = ServerState()
    connection: Any = protocol(
        config=config, server_state=state, app_state={}, _loop=loop
    )  # type: ignore[call-arg]
    connection.connection_made(_Transport())

    async def drive() -> None:
        for _ in range(count):
            connection.data_received(request)
            while state.tasks:
                await asyncio.sleep(0)

    started = time.process_time()
    loop.run_until_complete(drive())
    seconds = time.process_time() - started
    connection.connection_lost(None)
    loop.close()
    return seconds / count * 1e6


def protocol_cost(rounds: int) -> None:
    """The bounded protocol against uvicorn's, without the network: CPU time only."""
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol  # noqa: PLC0415

    from django_strict_core.gunicorn.connection import bounded_protocol  # noqa: PLC0415
    from django_strict_core.gunicorn.limits import ServerLimits  # noqa: PLC0415

    bounded = bounded_protocol(ServerLimits())
    head = b"Host: 127.0.0.1:8000\r\nUser-Agent: wrk\r\nAccept: */*\r\n"
    requests = {
        "GET /api/ping/": b"GET /api/ping/ HTTP/1.1\r\n" + head + b"\r\n",
        "POST /api/echo/": b"POST /api/echo/ HTTP/1.1\r\n"
        + head
        + b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(BODY)
        + BODY,
    }
    print(
        f"## The protocol's own cost (in process, CPU time, {rounds} rounds of 20 000 "
        "keep-alive requests to the bare ASGI app)\n"
    )
    print("| request | uvicorn's protocol µs | bounded µs | added µs |")
    print("|---|---:|---:|---:|")
    for name, request in requests.items():
        plain = [
            _cpu_per_request(HttpToolsProtocol, request, 20_000) for _ in range(rounds)
        ]
        ours = [_cpu_per_request(bounded, request, 20_000) for _ in range(rounds)]
        print(
            f"| {name} | {statistics.median(plain):.2f} ({min(plain):.2f}-{max(plain):.2f}) | "
            f"{statistics.median(ours):.2f} ({min(ours):.2f}-{max(ours):.2f}) | "
            f"{statistics.median(ours) - statistics.median(plain):+.2f} |"
        )
    print()


# --- the attacks ----------------------------------------------------------------


def _send(
    port: int, head: bytes, pieces: Callable[[], Iterator[bytes]], hold: float
) -> tuple[bytes, float]:
    client = socket.create_connection(("127.0.0.1", port), timeout=hold)
    received: list[bytes] = []
    started = time.monotonic()

    def read() -> None:
        with contextlib.suppress(OSError):
            while chunk := client.recv(65536):
                received.append(chunk)

    reader = threading.Thread(target=read)
    reader.start()
    with contextlib.suppress(OSError):
        client.sendall(head)
        for piece in pieces():
            client.sendall(piece)
    reader.join(timeout=hold + 5)
    seconds = time.monotonic() - started
    client.close()
    reader.join()
    answer = b"".join(received).split(b"\r\n", 1)[0].decode(errors="replace")
    return (answer or "no answer").encode(), seconds


def _peak_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _stored(pid: int, directory: Path) -> int:
    total = 0
    with contextlib.suppress(OSError):
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                if str(fd.readlink()).startswith(str(directory)):
                    total += fd.stat().st_size
    return total


HOST = b"Host: 127.0.0.1\r\n"
PIECE = b"a" * MIB


def _header_values() -> Iterator[bytes]:
    for number in range(8):
        yield b"X-Big-%d: " % number
        yield from (PIECE for _ in range(40))
        yield b"\r\n"
    yield b"\r\n"


def header_attack(server: Server, hold: float) -> list[tuple[str, str, str]]:
    """Eight header values of 40 MiB: the answer and the worker's peak memory growth."""
    (pid,) = server.worker_pids()
    before = _peak_kib(pid)
    head = b"GET /api/ping/ HTTP/1.1\r\n" + HOST
    answer, seconds = _send(server.port, head, _header_values, hold)
    growth = (_peak_kib(pid) - before) / 1024
    return [
        (
            "8 header values of 40 MiB",
            answer.decode(),
            f"peak RSS {max(growth, 0.0):+.1f} MiB, {seconds:.1f} s",
        )
    ]


def body_attacks(server: Server, hold: float) -> list[tuple[str, str, str]]:
    """200 MiB bodies: the answer and the bytes the worker wrote under its TMPDIR."""
    (pid,) = server.worker_pids()
    rows = []
    framings: list[tuple[str, bytes, Callable[[], Iterator[bytes]]]] = [
        (
            "Content-Length",
            b"Content-Length: %d" % (200 * MIB),
            lambda: (PIECE for _ in range(200)),
        ),
        (
            "chunked",
            b"Transfer-Encoding: chunked",
            lambda: (b"%x\r\n" % MIB + PIECE + b"\r\n" for _ in range(200)),
        ),
    ]
    for framing, header, pieces in framings:
        peak = [0]
        done = threading.Event()

        def watch(peak: list[int] = peak, done: threading.Event = done) -> None:
            while not done.is_set():
                peak[0] = max(peak[0], _stored(pid, server.temp))
                time.sleep(0.01)

        watcher = threading.Thread(target=watch)
        watcher.start()
        head = b"POST /api/echo/ HTTP/1.1\r\n" + HOST
        head += b"Content-Type: application/json\r\n" + header + b"\r\n\r\n"
        answer, _seconds = _send(server.port, head, pieces, hold)
        done.set()
        watcher.join()
        rows.append(
            (
                f"200 MiB body, {framing}",
                answer.decode(),
                f"{peak[0] / MIB:.1f} MiB in TMPDIR",
            )
        )
    return rows


def _open_count(clients: list[socket.socket]) -> int:
    held = 0
    for client in clients:
        client.settimeout(0)
        try:
            held += client.recv(1, socket.MSG_PEEK) != b""
        except BlockingIOError:
            held += 1
        except OSError:
            pass
    return held


def slow_attacks(server: Server, hold: float) -> list[tuple[str, str, str]]:
    """A partial head, a partial body and 3 000 idle connections at once."""
    partial = {
        "partial head": b"GET /api/ping/ HTTP/1.1\r\n" + HOST + b"X-Slow: ",
        "partial body": b"POST /api/echo/ HTTP/1.1\r\n"
        + HOST
        + b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
    }
    slow: dict[str, tuple[bytes, float]] = {}

    def keep(name: str) -> None:
        slow[name] = _send(server.port, partial[name], lambda: iter(()), hold)

    holders = [threading.Thread(target=keep, args=(name,)) for name in partial]
    for holder in holders:
        holder.start()
    time.sleep(0.5)
    idle: list[socket.socket] = []
    with contextlib.suppress(OSError):
        while len(idle) < 3000:
            idle.append(socket.create_connection(("127.0.0.1", server.port), timeout=5))
    time.sleep(2.0)
    held = _open_count(idle)
    for holder in holders:
        holder.join()
    for client in idle:
        client.close()
    rows = [
        (name, answer.decode(), f"held {seconds:.1f} s")
        for name, (answer, seconds) in slow.items()
    ]
    return [*rows, ("3000 idle connections", "-", f"{held} held after 2 s")]


def attacks(hold: float) -> None:
    print(f"## Attacks straight at gunicorn (one worker; at most {hold:g} s held)\n")
    print("| attack | worker | answer | cost |")
    print("|---|---|---|---|")
    for name, worker in WORKERS.items():
        with serving(worker) as server:
            for attack_on in (header_attack, body_attacks, slow_attacks):
                for attack, answer, cost in attack_on(server, hold):
                    print(f"| {attack} | {name} | {answer} | {cost} |", flush=True)
    print()


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench/server.py")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--hold", type=float, default=40.0, help="longest wait on a held connection"
    )
    parser.add_argument("--skip-attacks", action="store_true")
    parser.add_argument("--skip-healthy", action="store_true")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 16384:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(16384, hard), hard))
    print(
        f"# bench/server.py on {os.cpu_count()} CPUs, Python {sys.version.split()[0]}\n"
    )
    if not args.skip_healthy:
        protocol_cost(max(args.rounds, 5))
        healthy(args.duration, args.rounds)
    if not args.skip_attacks:
        attacks(args.hold)


if __name__ == "__main__":
    main()
