"""Benchmark the server's bounds: what each attack costs with and without them, and
what they cost a healthy request.

bench/server_site.py is served by a real gunicorn with the library's configuration
module and one worker, once with the library's worker and once with the same worker
serving uvicorn's own protocol (``UnboundedWorker``, no bounds):

1. the healthy path, in alternating rounds: ``GET /api/ping/`` and ``POST
   /api/echo/`` with a 1 KiB JSON body, 32 connections, with ``wrk`` when it is
   installed (``apt-get install wrk``), else an aiohttp client; requests per second
   (median and range over the rounds) and latency percentiles;
2. the attacks, straight at each server: eight header values of 40 MiB (the worker's
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
from typing import TYPE_CHECKING

import aiohttp

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

ROOT = Path(__file__).resolve().parents[1]
MIB = 2**20
BODY = json.dumps({"text": "a" * 1012}).encode()  # 1 KiB
WORKERS = {
    "bounded": "django_strict_core.gunicorn.UvicornWorker",
    "unbounded": "bench.server_site.UnboundedWorker",
}


class Server:
    """gunicorn with ``-c python:django_strict_core.gunicorn`` and one worker."""

    def __init__(self, worker: str, temp: Path) -> None:
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
                "django.core.asgi:get_asgi_application()",
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
    for _ in range(50):
        with contextlib.closing(
            socket.create_connection(("127.0.0.1", server.port))
        ) as c:
            c.sendall(
                b"GET /api/ping/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
            )
            while c.recv(65536):
                pass


@contextmanager
def serving(worker: str) -> Iterator[Server]:
    with tempfile.TemporaryDirectory(prefix="bench-server-") as temp:
        server = Server(worker, Path(temp))
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


def healthy(duration: float, rounds: int) -> None:
    tool = "wrk" if shutil.which("wrk") else "aiohttp"
    print(
        f"## Healthy path ({tool}, 32 connections, {rounds} rounds of {duration:g} s each)\n"
    )
    figures: dict[tuple[str, str], list[tuple[float, float, float]]] = {}
    with (
        serving(WORKERS["bounded"]) as bounded,
        serving(WORKERS["unbounded"]) as unbounded,
    ):
        for round_number in range(rounds):
            # Alternate the order so that neither always runs first.
            order = [("bounded", bounded), ("unbounded", unbounded)]
            if round_number % 2:
                order.reverse()
            for name, server in order:
                for route, post in (
                    ("GET /api/ping/", False),
                    ("POST /api/echo/", True),
                ):
                    url = server.url(route.split()[1])
                    if tool == "wrk":
                        figure = wrk(url, duration, post=post)
                    else:
                        figure = asyncio.run(_aiohttp_load(url, duration, post=post))
                    figures.setdefault((route, name), []).append(figure)
    print("| request | worker | req/s median | req/s range | p50 ms | p99 ms |")
    print("|---|---|---:|---|---:|---:|")
    for (route, name), runs in figures.items():
        rates = [r for r, _, _ in runs]
        print(
            f"| {route} | {name} | {statistics.median(rates):.0f} | "
            f"{min(rates):.0f}-{max(rates):.0f} | "
            f"{statistics.median(p50 for _, p50, _ in runs):.2f} | "
            f"{statistics.median(p99 for _, _, p99 in runs):.2f} |"
        )
    for route in ("GET /api/ping/", "POST /api/echo/"):
        bounded_rate = statistics.median(r for r, _, _ in figures[(route, "bounded")])
        unbounded_rate = statistics.median(
            r for r, _, _ in figures[(route, "unbounded")]
        )
        spread = max(
            (
                max(r for r, _, _ in figures[(route, n)])
                - min(r for r, _, _ in figures[(route, n)])
            )
            / statistics.median(r for r, _, _ in figures[(route, n)])
            for n in ("bounded", "unbounded")
        )
        print(
            f"\n{route}: bounded/unbounded {bounded_rate / unbounded_rate:.3f}; the "
            f"rounds of one worker spread over {spread * 100:.1f} % of its median."
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
            f"peak RSS +{growth:.1f} MiB, {seconds:.1f} s",
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
            rows = [
                *header_attack(server, hold),
                *body_attacks(server, hold),
                *slow_attacks(server, hold),
            ]
        for attack, answer, cost in rows:
            print(f"| {attack} | {name} | {answer} | {cost} |")
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
        healthy(args.duration, args.rounds)
    if not args.skip_attacks:
        attacks(args.hold)


if __name__ == "__main__":
    main()
