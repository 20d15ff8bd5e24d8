"""Benchmark of the whole baseline against the stack a team assembles by hand.

A realistic DRF list endpoint (20 articles a page from PostgreSQL, token
authentication, user and anonymous throttles counted in Redis, one JSON access
record per request) served twice by one uvicorn process (bench/baseline_site):

* **ours**: ``build_settings`` (its middleware, throttles, pagination, exception
  handler and logging; the access record is ``RequestIDMiddleware``'s);
* **theirs**: DRF's own classes with drf-standardized-errors' exception handler,
  django-health-check, settings read with django-environ, and uvicorn's access log
  formatted by python-json-logger.

Rounds interleave the two (ours, theirs, theirs, ours) on keep-alive connections,
so that other work on the machine hits both alike; each request authenticates as
the next of ``--users`` users, at the baseline's default rates (1 000 requests an
hour per user), so nothing is throttled. The figures: requests per second and the
server's CPU time per request of each stack, and their ratios; then the parts of a
request in which the stacks differ, timed in-process (bench/baseline_site/
components.py); with ``--profile``, a py-spy breakdown of one slice of each.

Run from the repository root:

    uv run --group bench python bench/baseline.py [--pool] [--rounds 10] [--profile]

``DATABASE_URL`` and ``REDIS_URL`` default to the local services. The benchmark
works in a scratch database (dropped afterwards) and under a Redis key prefix of
its own (deleted afterwards).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import aiohttp
import psycopg
import redis
from profile_breakdown import breakdown, table

if TYPE_CHECKING:
    from collections.abc import Iterator

BENCH = Path(__file__).resolve().parent
STACKS = {"ours": "/api/ours/articles/", "theirs": "/api/theirs/articles/"}
# Where each stack's access record names its logger, and the logger.
ACCESS_LOGGERS = {
    "ours": ("logger", "django_strict_core.access"),
    "theirs": ("name", "uvicorn.access"),
}


def out(text: str = "") -> None:
    """Write one line of the report."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def token_key(index: int) -> str:
    """The API token of the ``index``-th user (as baseline_site.server creates it)."""
    return f"{index:040d}"


def free_port() -> int:
    """Return a free loopback port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far, from ``/proc``."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def scratch_database(admin_url: str) -> Iterator[str]:
    """Create a database for the run; yield its URL; drop it afterwards."""
    name = f"bench_baseline_{secrets.token_hex(4)}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlsplit(admin_url)._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def redis_prefix(url: str) -> Iterator[str]:
    """Yield a cache key prefix for the run; delete its keys afterwards."""
    prefix = f"bench-baseline-{secrets.token_hex(4)}"
    try:
        yield prefix
    finally:
        client = redis.Redis.from_url(url)
        keys = list(client.scan_iter(f"{prefix}:*", count=1000))
        for start in range(0, len(keys), 1000):
            client.delete(*keys[start : start + 1000])
        client.close()


class Server:
    """The uvicorn process serving both stacks; its stdout (the logs) goes to a file."""

    def __init__(self, env: dict[str, str], users: int, logs: Path) -> None:
        self.ports = {"ours": free_port(), "theirs": free_port()}
        self.logs = logs
        clean = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "BENCH_"))
        }
        with logs.open("wb") as stdout:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "baseline_site.server",
                    str(self.ports["ours"]),
                    str(self.ports["theirs"]),
                    str(users),
                ],
                cwd=BENCH,
                env={**clean, "PYTHONPATH": str(BENCH), **env},
                stdout=stdout,
            )

    def url(self, stack: str) -> str:
        return f"http://127.0.0.1:{self.ports[stack]}{STACKS[stack]}"

    def wait_until_listening(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        for port in self.ports.values():
            while True:
                if self.process.poll() is not None:
                    raise RuntimeError("the server exited during start-up")
                with contextlib.suppress(OSError):
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError("the server did not start")
                time.sleep(0.2)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=20)

    def access_records(self) -> dict[str, int]:
        """Access records each stack wrote, counted in the server's stdout."""
        counts = dict.fromkeys(STACKS, 0)
        with self.logs.open(encoding="utf-8") as lines:
            for line in lines:
                record = json.loads(line)
                for stack, (field, logger) in ACCESS_LOGGERS.items():
                    if record.get(field) == logger:
                        counts[stack] += 1
        return counts


async def sample(url: str) -> tuple[int, Any]:
    """One authenticated request: status and body."""
    headers = {"Authorization": f"Token {token_key(0)}"}
    async with (
        aiohttp.ClientSession() as session,
        session.get(url, headers=headers) as response,
    ):
        return response.status, await response.json()


async def load(url: str, seconds: float, concurrency: int, users: int) -> int:
    """GET ``url`` on ``concurrency`` keep-alive connections for ``seconds``.

    Each request authenticates as the next user. Anything but a 200 stops the run.
    """
    tokens = itertools.cycle(
        [{"Authorization": f"Token {token_key(n)}"} for n in range(users)]
    )
    done = 0
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        loop = asyncio.get_running_loop()
        stop = loop.time() + seconds

        async def worker() -> None:
            nonlocal done
            while loop.time() < stop:
                async with session.get(url, headers=next(tokens)) as response:
                    await response.read()
                    if response.status != 200:
                        raise RuntimeError(f"{url} answered {response.status}")
                done += 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return done


def check_answers(server: Server) -> None:
    """Both stacks answer the same page of the same rows."""
    bodies = {}
    for stack in STACKS:
        status, body = asyncio.run(sample(server.url(stack)))
        if status != 200:
            raise RuntimeError(f"{stack} answered {status}: {body}")
        bodies[stack] = body
        out(
            f"  {stack:6} 200: count {body['count']}, {len(body['results'])} results, "
            f"{len(json.dumps(body))} bytes, first {json.dumps(body['results'][0])[:70]}..."
        )
    if bodies["ours"]["results"] != bodies["theirs"]["results"]:
        raise RuntimeError("the stacks answer different pages")


def measure(server: Server, args: argparse.Namespace) -> dict[str, Any]:
    """Run the interleaved rounds; return rates, CPU per request and round ratios."""
    rates: dict[str, list[float]] = {stack: [] for stack in STACKS}
    cpu = dict.fromkeys(STACKS, 0.0)
    served = dict.fromkeys(STACKS, 0)
    ratios: list[float] = []
    cpu_ratios: list[float] = []

    def slice_of(stack: str) -> tuple[int, float]:
        before = cpu_seconds(server.process.pid)
        count = asyncio.run(
            load(server.url(stack), args.duration, args.concurrency, args.users)
        )
        used = cpu_seconds(server.process.pid) - before
        cpu[stack] += used
        served[stack] += count
        rates[stack].append(count / args.duration)
        return count, used

    for stack in STACKS:  # warm-up: imports, URL resolver, connection pools
        asyncio.run(load(server.url(stack), 2.0, args.concurrency, args.users))
    for round_index in range(args.rounds):
        (ours_1, ours_cpu_1), (theirs_1, theirs_cpu_1) = (
            slice_of("ours"),
            slice_of("theirs"),
        )
        (theirs_2, theirs_cpu_2), (ours_2, ours_cpu_2) = (
            slice_of("theirs"),
            slice_of("ours"),
        )
        ratios.append((ours_1 + ours_2) / (theirs_1 + theirs_2))
        ours_us = (ours_cpu_1 + ours_cpu_2) / (ours_1 + ours_2) * 1e6
        theirs_us = (theirs_cpu_1 + theirs_cpu_2) / (theirs_1 + theirs_2) * 1e6
        cpu_ratios.append(theirs_us / ours_us)
        out(
            f"  round {round_index + 1}: ours {ours_1 / args.duration:.0f} + "
            f"{ours_2 / args.duration:.0f} req/s, {ours_us:.0f} us CPU/request; "
            f"theirs {theirs_1 / args.duration:.0f} + {theirs_2 / args.duration:.0f} "
            f"req/s, {theirs_us:.0f} us CPU/request"
        )
    return {
        "rates": rates,
        "cpu_us": {s: cpu[s] / served[s] * 1e6 for s in STACKS},
        "served": served,
        "ratios": ratios,
        "cpu_ratios": cpu_ratios,
    }


def profile(server: Server, args: argparse.Namespace, directory: Path) -> None:
    """Record one slice of each stack with py-spy; print where the time goes."""
    py_spy = shutil.which("py-spy")
    if py_spy is None:
        raise RuntimeError("py-spy is not installed (uv sync --group bench)")
    rate, seconds = 500, args.duration * 4
    samples, requests = {}, {}
    for stack in STACKS:
        output = directory / f"{stack}.txt"
        recorder = subprocess.Popen(
            [
                py_spy,
                "record",
                "--pid",
                str(server.process.pid),
                "--duration",
                str(round(seconds)),
                "--rate",
                str(rate),
                "--format",
                "raw",
                "--nonblocking",
                "--gil",  # the thread running Python code: CPU, not waiting
                "--output",
                str(output),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(0.5)  # py-spy attaches
        requests[stack] = asyncio.run(
            load(server.url(stack), seconds, args.concurrency, args.users)
        )
        if recorder.wait(timeout=60) != 0:
            raise RuntimeError("py-spy failed (it needs ptrace rights over the server)")
        samples[stack] = breakdown(output)
    out(
        f"\nprofile: py-spy at {rate} Hz, the thread holding the GIL, over one "
        f"{seconds:g} s slice per stack; Python time per request, charged to the "
        "innermost known component:"
    )
    for line in table(samples, requests, rate):
        out(line)


def components(env: dict[str, str], users: int) -> dict[str, tuple[float, float]]:
    """Run baseline_site.components; return each part's CPU per request, ours and theirs."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "BENCH_"))
    }
    finished = subprocess.run(
        [sys.executable, "-m", "baseline_site.components", str(users)],
        cwd=BENCH,
        env={**clean, "PYTHONPATH": str(BENCH), **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        timeout=600,
        check=False,
    )
    if finished.returncode != 0:
        raise RuntimeError(f"baseline_site.components failed:\n{finished.stderr}")
    parts = {}
    for line in finished.stderr.splitlines():
        if line.startswith("component "):
            name, ours, theirs = line.removeprefix("component ").split("|")
            parts[name] = (float(ours), float(theirs))
    return parts


def report_components(parts: dict[str, tuple[float, float]], ours_cpu: float) -> None:
    """Print the parts in which the stacks differ, and what they add up to."""
    out(
        "\nwhere the stacks differ, timed in-process (CPU per request, best of 5 "
        "interleaved rounds):"
    )
    out(f"  {'part':32} {'ours':>9} {'theirs':>9} {'ours - theirs':>14}")
    total = 0.0
    for name, (ours, theirs) in parts.items():
        total += ours - theirs
        out(f"  {name:32} {ours:7.1f}us {theirs:7.1f}us {ours - theirs:+12.1f}us")
    out(
        f"  {'sum':32} {'':>9} {'':>9} {total:+12.1f}us = {total / ours_cpu:+.1%} of "
        f"ours' {ours_cpu:.0f} us of server CPU per request"
    )


def report(result: dict[str, Any], access: dict[str, int]) -> None:
    """Print the medians and the ratios."""
    out("\nmedian of the slices, and the server's CPU time per request:")
    for stack in STACKS:
        values = result["rates"][stack]
        out(
            f"  {stack:6} {statistics.median(values):7.0f} req/s "
            f"(min {min(values):.0f}, max {max(values):.0f})   "
            f"{result['cpu_us'][stack]:6.0f} us CPU/request   "
            f"{access[stack]} access records"
        )
    for label, ratios in (
        ("requests per second", result["ratios"]),
        ("server CPU per request (theirs / ours)", result["cpu_ratios"]),
    ):
        spread = ", ".join(f"{r:.3f}" for r in sorted(ratios))
        out(
            f"ours vs theirs by {label}: {statistics.median(ratios):.3f}x "
            f"(median of the rounds; each round: {spread})   goal >= 1.0x"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=5.0, help="seconds a slice")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument(
        "--pool",
        action="store_true",
        help="psycopg's connection pool in both stacks (default: a connection per request)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="after the rounds, profile one slice of each stack with py-spy",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test"
        ),
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    )
    args = parser.parse_args()
    out(
        f"Python {sys.version.split()[0]}, Django {version('django')}, "
        f"DRF {version('djangorestframework')}, uvicorn {version('uvicorn')} "
        f"(1 process), drf-standardized-errors {version('drf-standardized-errors')}, "
        f"django-health-check {version('django-health-check')}, "
        f"django-environ {version('django-environ')}, "
        f"python-json-logger {version('python-json-logger')}, {os.cpu_count()} CPUs"
    )
    out(
        f"{args.concurrency} keep-alive connections, {args.rounds} rounds of "
        f"ours-theirs-theirs-ours slices of {args.duration:g} s, {args.users} users, "
        f"{'a psycopg pool' if args.pool else 'a new PostgreSQL connection per request'}\n"
    )
    with (
        scratch_database(args.database_url) as database_url,
        redis_prefix(args.redis_url) as prefix,
        tempfile.TemporaryDirectory(prefix="bench-baseline-") as directory,
    ):
        env = {
            "DATABASE_URL": database_url,
            "REDIS_URL": args.redis_url,
            "BENCH_KEY_PREFIX": prefix,
            "BENCH_POOL": "1" if args.pool else "0",
        }
        server = Server(env, args.users, Path(directory) / "server.log")
        try:
            server.wait_until_listening()
            check_answers(server)
            result = measure(server, args)
            if args.profile:
                profile(server, args, Path(directory))
        finally:
            server.stop()
        access = server.access_records()
        parts = components(env, args.users)
    report(result, access)
    report_components(parts, result["cpu_us"]["ours"])


if __name__ == "__main__":
    main()
