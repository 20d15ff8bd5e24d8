"""Benchmark django-strict-core's health check against django-health-check.

Both endpoints are served by the same production-profile project
(bench/health_site.py) under a real uvicorn on loopback, one target at a time, with
the same PostgreSQL and Redis. The figures:

1. healthy probes: throughput and latency percentiles under concurrent load, the
   latency of one probe at a time, and the PostgreSQL connections of the server
   before, during and after the load;
2. a hung Redis (a listener that accepts and never answers): the answer time of both,
   with build_settings' Redis timeouts and with none (django-redis' defaults);
3. strict-core's fault matrix: each backend refused, hung, and back again, through a
   proxy in front of the real servers.

Run from the repository root:

    uv run --group bench python bench/health.py [--duration 8] [--concurrency 32]

DATABASE_URL and REDIS_URL default to the local services. The shared servers are
never stopped; faults are made with loopback listeners and proxies of this script.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import socket
import subprocess
import sys
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import aiohttp
import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.faults import FaultProxy, wait_until  # noqa: E402

if TYPE_CHECKING:
    from collections.abc import Iterator

STRICT = "/api/health/"
DHC = "/ht/?format=json"


@dataclass
class Load:
    """Outcome of a load run."""

    requests: int
    seconds: float
    latencies: list[float]
    statuses: Counter[int] = field(default_factory=Counter)

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


class Server:
    """One uvicorn process serving bench/health_site.py on a loopback socket."""

    def __init__(self, name: str, env: dict[str, str]) -> None:
        self.name = name
        # uvicorn's --fd treats an inherited socket as AF_UNIX and so leaves Nagle on
        # for TCP (40 ms delayed-ACK stalls); a port number keeps TCP_NODELAY.
        with socket.socket() as free:
            free.bind(("127.0.0.1", 0))
            self.port = free.getsockname()[1]
        clean = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "BENCH_"))
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "django.core.asgi:get_asgi_application",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            env={
                **clean,
                "PYTHONPATH": str(Path(__file__).resolve().parent),
                "DJANGO_SETTINGS_MODULE": "health_site",
                "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
                **env,
            },
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)


@contextmanager
def serving(name: str, **env: str) -> Iterator[Server]:
    server = Server(name, env)
    try:
        deadline = time.monotonic() + 30
        while not asyncio.run(answers(server.url("/api/health/live/"))):
            if time.monotonic() > deadline or server.process.poll() is not None:
                raise RuntimeError(f"{name}: uvicorn did not start")
            time.sleep(0.1)
        yield server
    finally:
        server.stop()


async def answers(url: str) -> bool:
    try:
        async with aiohttp.ClientSession() as session, session.get(url) as response:
            return response.status == 200
    except aiohttp.ClientError:
        return False


async def probe(url: str, timeout: float = 30) -> tuple[int, float, str]:
    """One probe: status, seconds, body."""
    started = time.perf_counter()
    async with (
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session,
        session.get(url) as response,
    ):
        body = await response.text()
    return response.status, time.perf_counter() - started, body


async def load(url: str, seconds: float, concurrency: int) -> Load:
    """Keep ``concurrency`` requests in flight for ``seconds`` (keep-alive)."""
    connector = aiohttp.TCPConnector(limit=concurrency)
    result = Load(0, seconds, [])
    async with aiohttp.ClientSession(connector=connector) as session:
        loop = asyncio.get_running_loop()
        stop = loop.time() + seconds

        async def worker() -> None:
            while loop.time() < stop:
                started = time.perf_counter()
                async with session.get(url) as response:
                    await response.read()
                result.latencies.append(time.perf_counter() - started)
                result.statuses[response.status] += 1
                result.requests += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        result.seconds = time.perf_counter() - started
    return result


def pg_backends(admin_url: str, application: str) -> int:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
            [application],
        ).fetchone()
    return int(row[0]) if row else 0


def with_application(url: str, name: str) -> str:
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}application_name={name}"


async def load_with_pg_peak(
    url: str, seconds: float, concurrency: int, admin_url: str, application: str
) -> tuple[Load, int]:
    """Run the load while sampling the server's PostgreSQL connections."""
    peak = 0
    done = asyncio.Event()

    async def sample() -> None:
        nonlocal peak
        while not done.is_set():
            count = await asyncio.to_thread(pg_backends, admin_url, application)
            peak = max(peak, count)
            await asyncio.sleep(0.05)

    sampler = asyncio.create_task(sample())
    try:
        result = await load(url, seconds, concurrency)
    finally:
        done.set()
        await sampler
    return result, peak


def healthy_section(args: argparse.Namespace) -> None:
    print(
        f"\n## Healthy probes: {args.concurrency} concurrent for {args.duration:g} s, "
        f"then {args.sequential} one at a time"
    )
    targets = [
        ("strict-core", STRICT, {}),
        ("strict-core, full middleware stack", STRICT, {"BENCH_FULL_STACK": "1"}),
        (f"django-health-check {version('django-health-check')}", DHC, {}),
    ]
    header = (
        f"{'target':38} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'1-by-1 p50':>10} {'1-by-1 p99':>10}  statuses       pg conns before/sampled peak/after"
    )
    print(header)
    print("-" * len(header))
    rows: dict[str, Load] = {}
    for name, path, extra in targets:
        application = f"bench-{secrets.token_hex(4)}"
        env = {
            "DATABASE_URL": with_application(args.database_url, application),
            "REDIS_URL": args.redis_url,
            **extra,
        }
        with serving(name, **env) as server:
            url = server.url(path)
            asyncio.run(load(url, 1.0, args.concurrency))  # warm-up
            before = pg_backends(args.database_url, application)
            result, peak = asyncio.run(
                load_with_pg_peak(
                    url, args.duration, args.concurrency, args.database_url, application
                )
            )
            time.sleep(0.3)  # let the last probes' connections close
            after = pg_backends(args.database_url, application)
            single = asyncio.run(sequential(url, args.sequential))
        rows[name] = result
        statuses = ",".join(f"{k}x{v}" for k, v in sorted(result.statuses.items()))
        print(
            f"{name:38} {result.throughput:8.0f} {result.percentile(0.5):8.1f} "
            f"{result.percentile(0.99):8.1f} {single.percentile(0.5):10.1f} "
            f"{single.percentile(0.99):10.1f}  {statuses:14} {before}/{peak}/{after}"
        )
    dhc = rows[targets[2][0]]
    for name, result in rows.items():
        if result is not dhc:
            print(
                f"ratio {name} / django-health-check: throughput "
                f"{result.throughput / dhc.throughput:.1f}x, p99 "
                f"{result.percentile(0.99) / dhc.percentile(0.99):.2f}x"
            )


async def sequential(url: str, count: int) -> Load:
    result = Load(0, 0.0, [])
    started = time.perf_counter()
    async with aiohttp.ClientSession() as session:
        for _ in range(count):
            begin = time.perf_counter()
            async with session.get(url) as response:
                await response.read()
            result.latencies.append(time.perf_counter() - begin)
            result.statuses[response.status] += 1
            result.requests += 1
    result.seconds = time.perf_counter() - started
    return result


def hung_redis_section(args: argparse.Namespace) -> None:
    print(
        f"\n## Hung Redis (accepts, never answers): {args.hung_probes} probes one "
        "after another"
    )
    with FaultProxy() as hung:
        redis_url = f"redis://{hung.address}/0"
        for label, extra in (
            ("build_settings timeouts (connect 1 s, socket 2 s)", {}),
            (
                "no Redis timeouts (django-redis defaults)",
                {"BENCH_REDIS_NO_TIMEOUTS": "1"},
            ),
        ):
            print(f"### {label}")
            for name, path in (
                ("strict-core", STRICT),
                (f"django-health-check {version('django-health-check')}", DHC),
            ):
                env = {
                    "DATABASE_URL": args.database_url,
                    "REDIS_URL": redis_url,
                    **extra,
                }
                with serving(name, **env) as server:
                    outcomes = [
                        asyncio.run(probe(server.url(path)))
                        for _ in range(args.hung_probes)
                    ]
                times = ", ".join(f"{seconds:.2f} s" for _, seconds, _ in outcomes)
                status, _, body = outcomes[0]
                print(f"{name:32} {status}  [{times}]  {body.strip()[:110]}")


def fault_matrix_section(args: argparse.Namespace) -> None:
    print(
        "\n## strict-core fault matrix (deadline 0.5 s), through proxies to the real servers"
    )
    pg = urlsplit(args.database_url)
    rd = urlsplit(args.redis_url)
    with (
        FaultProxy((pg.hostname or "127.0.0.1", pg.port or 5432)) as pg_proxy,
        FaultProxy((rd.hostname or "127.0.0.1", rd.port or 6379)) as rd_proxy,
    ):
        env = {
            "DATABASE_URL": pg._replace(
                netloc=f"{pg.username}@{pg_proxy.address}"
            ).geturl(),
            "REDIS_URL": rd._replace(netloc=rd_proxy.address).geturl(),
        }
        with serving("strict-core", **env) as server:
            url = server.url(STRICT)
            print(f"{'backend':8} {'state':28} {'status':>6} {'time':>8}  body")
            for backend, proxy in (("db", pg_proxy), ("cache", rd_proxy)):
                steps = (
                    ("healthy", lambda: None),
                    ("stopped (port refused)", proxy.stop),
                    ("started again", proxy.start),
                    ("hung", proxy.hang),
                    ("hung, 2nd probe", lambda: None),
                    ("resumed", proxy.resume),
                )
                for state, action in steps:
                    action()
                    status, seconds, body = asyncio.run(probe(url))
                    print(
                        f"{backend:8} {state:28} {status:6} {seconds * 1000:6.0f} ms  {body}"
                    )
                wait_until(lambda: asyncio.run(probe(url))[0] == 200, timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=8.0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--sequential", type=int, default=300)
    parser.add_argument("--hung-probes", type=int, default=3)
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
    print(
        f"# Health check benchmark: Python {sys.version.split()[0]}, "
        f"Django {version('django')}, django-strict-core {version('django-strict-core')}, "
        f"django-health-check {version('django-health-check')}, uvicorn {version('uvicorn')} "
        f"(1 worker), {os.cpu_count()} CPUs"
    )
    for name, path, extra in (
        ("strict-core", STRICT, {}),
        ("django-health-check", DHC, {}),
    ):
        with serving(
            name, DATABASE_URL=args.database_url, REDIS_URL=args.redis_url, **extra
        ) as s:
            print(f"{name} answers: {json.loads(asyncio.run(probe(s.url(path)))[2])}")
    started = time.monotonic()
    healthy_section(args)
    hung_redis_section(args)
    fault_matrix_section(args)
    print(f"\n(total {time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    main()
