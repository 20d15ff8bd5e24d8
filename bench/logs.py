"""Benchmark: the cost of this package's logging, against its anchors, in one run.

1. Cost per record of the formatter setup that ``build_logging`` configures (request
   id filter + formatter) against a bare python-json-logger ``JsonFormatter`` given
   the same fields, with the standard library's json and with orjson.
2. Requests per second of a trivial async view served by uvicorn, with and without
   ``RequestIDMiddleware`` (its access record written to stdout), alone and inside
   the middleware stack that ``build_settings`` returns.
3. The middleware's own cost per request, measured in-process where other work on
   the machine disturbs the figure least, as a share of the server's CPU per request.

Run: ``uv run --group bench python bench/logs.py`` (about 100 seconds; ``--quick``
for a shorter, noisier run; ``--fields ecs`` to measure the ECS field set;
``--cpu-time`` to time parts 1 and 3 by CPU time on a busy machine).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
import logging.config
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiohttp
import django
import uvicorn
from django.conf import settings
from django.core.asgi import get_asgi_application
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import path
from pythonjsonlogger.json import JsonFormatter
from pythonjsonlogger.orjson import OrjsonFormatter

from django_strict_core.conf import StrictSettings, build_settings
from django_strict_core.log import ACCESS_LOGGER, build_logging
from django_strict_core.log.context import request_id_var
from django_strict_core.middleware import RequestIDMiddleware

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

STATIC = {"service": "bench", "environment": "production", "version": "1.0.0"}
ACCESS_FIELDS = {
    "method": "GET",
    "path": "/orders/42/",
    "status": 200,
    "duration_ms": 3.217,
    "user_id": "1042",
}
JSON_FORMATTER = "django_strict_core.log.formatters.JsonFormatter"
ORJSON_FORMATTER = "django_strict_core.log.orjson_formatter.OrjsonFormatter"
REQUEST_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
HERE = Path(__file__).resolve().parent

# The library's field set under test (``--fields``); the bare anchors keep theirs.
FIELDS = {"name": "standard"}
# The clock of parts 1 and 3 (``--cpu-time``: this process's CPU time, which other
# work on a shared machine disturbs far less than the wall clock).
CLOCK = {"ns": time.perf_counter_ns}


def clock_name() -> str:
    """``CPU`` or ``wall``: the clock of parts 1 and 3."""
    return "CPU" if CLOCK["ns"] is time.process_time_ns else "wall"


def out(text: str) -> None:
    """Write one line of the report."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


# --- 1. formatter cost ------------------------------------------------------------


def make_records(kind: str, count: int, *, with_id: bool) -> list[logging.LogRecord]:
    """Fresh records of one kind; ``with_id`` gives them ``request_id`` up front."""
    name = ACCESS_LOGGER if kind == "access" else "shop.orders"
    logger = logging.getLogger(name)
    extra: dict[str, Any] = dict(ACCESS_FIELDS) if kind == "access" else {}
    if with_id:
        extra["request_id"] = REQUEST_ID
    message, args = (
        ("%s %s %s", ("GET", "/orders/42/", 200))
        if kind == "access"
        else ("order %s paid by customer %s", (42, "c-1042"))
    )
    return [
        logger.makeRecord(
            name, logging.INFO, __file__, 1, message, args, None, extra=extra
        )
        for _ in range(count)
    ]


def library_setup(formatter_path: str) -> tuple[logging.Filter, logging.Formatter]:
    """The filter and formatter exactly as ``build_logging``'s dict configures them."""
    config = build_logging(
        level="INFO",
        fields=FIELDS["name"],
        mail_admins=False,
        service="bench",
        environment="production",
        version="1.0.0",
    )
    config["formatters"]["default"]["()"] = formatter_path
    config["handlers"]["stdout"]["stream"] = "ext://sys.stderr"
    logging.config.dictConfig(config)
    handler = logging.getLogger().handlers[0]
    logging.getLogger().handlers.clear()
    assert handler.formatter is not None
    return handler.filters[0], handler.formatter  # type: ignore[return-value]


def bare_formatter(*, orjson: bool) -> logging.Formatter:
    """python-json-logger configured by hand for the same fields."""
    options: dict[str, Any] = {
        "rename_fields": {"levelname": "level", "name": "logger"},
        "static_fields": STATIC,
        "timestamp": True,
    }
    fmt = "%(levelname)s %(name)s %(message)s %(request_id)s"
    if orjson:
        return OrjsonFormatter(fmt, **options)
    return JsonFormatter(fmt, **options)


def time_per_record(
    work: Callable[[logging.LogRecord], object], records: list[logging.LogRecord]
) -> float:
    """Nanoseconds per record of ``work`` over ``records``."""
    gc.disable()
    try:
        clock = CLOCK["ns"]
        start = clock()
        for record in records:
            work(record)
        return (clock() - start) / len(records)
    finally:
        gc.enable()


def formatter_benchmark(count: int, rounds: int) -> None:
    """Print the per-record cost of each setup and the ratios against the bare one."""
    request_id_var.set(REQUEST_ID)
    lib_json_filter, lib_json = library_setup(JSON_FORMATTER)
    lib_orjson_filter, lib_orjson = library_setup(ORJSON_FORMATTER)
    bare_json = bare_formatter(orjson=False)
    bare_orjson = bare_formatter(orjson=True)

    def library(
        record_filter: logging.Filter, formatter: logging.Formatter
    ) -> Callable[[logging.LogRecord], object]:
        def work(record: logging.LogRecord) -> object:
            record_filter.filter(record)
            return formatter.format(record)

        return work

    contenders: dict[str, tuple[Callable[[logging.LogRecord], object], bool]] = {
        "bare JsonFormatter (json)": (bare_json.format, True),
        "library setup (json)": (library(lib_json_filter, lib_json), False),
        "bare OrjsonFormatter": (bare_orjson.format, True),
        "library setup (orjson)": (library(lib_orjson_filter, lib_orjson), False),
    }
    out(
        f"\n1. Formatter cost per record ({count} records x {rounds} rounds, best round,"
        f" {clock_name()} time)"
    )
    out(
        f"   Python {sys.version.split()[0]}; the library's setup includes its request-id filter,"
    )
    out(
        f"   the bare formatters get request_id on the record for free. Library field "
        f"set: {FIELDS['name']}.\n"
    )
    for kind in ("message", "access"):
        best: dict[str, float] = {}
        for _ in range(rounds):
            for name, (work, with_id) in contenders.items():
                records = make_records(kind, count, with_id=with_id)
                cost = time_per_record(work, records)
                best[name] = min(best.get(name, cost), cost)
        base = best["bare JsonFormatter (json)"]
        out(f"   {kind} record:")
        for name, cost in best.items():
            out(
                f"     {name:<28} {cost / 1000:7.2f} us/record   {cost / base:5.2f}x bare json"
            )
    out(
        "   goals: library (json) <= 1.20x bare json; library (orjson) <= 0.70x bare json"
    )


# --- 2. throughput ----------------------------------------------------------------

VARIANTS = {
    "bare": [],
    "bare+request-id": ["django_strict_core.middleware.RequestIDMiddleware"],
    "stack": "stack",
    "stack+request-id": "stack+request-id",
}


def middleware_of(variant: str) -> list[str]:
    """The ``MIDDLEWARE`` of one variant."""
    middleware = VARIANTS[variant]
    if isinstance(middleware, list):
        return middleware
    built: list[str] = build_settings(StrictSettings(env="test"), base_dir=HERE)[
        "MIDDLEWARE"
    ]
    return built if variant.endswith("request-id") else built[1:]


def configure_django(middleware: list[str], logging_config: dict[str, Any]) -> None:
    """Settings of the benchmarked project: one async view, no database access."""
    settings.configure(
        DEBUG=False,
        SECRET_KEY="bench-" + "k" * 50,
        ALLOWED_HOSTS=["127.0.0.1"],
        ROOT_URLCONF="__main__",
        MIDDLEWARE=middleware,
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "django.contrib.messages",
        ],
        DATABASES={
            "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
        },
        LOGGING=logging_config,
        USE_TZ=True,
    )
    django.setup()


def serve(variant: str, port: int) -> None:
    """Run one uvicorn server (in a child process) for one middleware variant."""
    configure_django(
        middleware_of(variant),
        build_logging(
            level="WARNING", fields=FIELDS["name"], mail_admins=False, **STATIC
        ),
    )
    application = get_asgi_application()
    uvicorn.run(
        application,
        host="127.0.0.1",
        port=port,
        log_config=None,
        access_log=False,
        lifespan="off",
    )


async def trivial(_request: object) -> HttpResponse:
    """The benchmarked view."""
    return HttpResponse(b"ok", content_type="text/plain")


def _urlpatterns() -> list[Any]:
    return [path("", trivial)]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def load(port: int, seconds: float, concurrency: int) -> tuple[int, int]:
    """Send requests on ``concurrency`` keep-alive connections for ``seconds``."""
    url = f"http://127.0.0.1:{port}/"
    done = errors = 0
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=concurrency)
    ) as session:

        async def worker(deadline: float) -> None:
            nonlocal done, errors
            while time.monotonic() < deadline:
                async with session.get(url) as response:
                    await response.read()
                    if response.status == 200:
                        done += 1
                    else:
                        errors += 1

        await asyncio.gather(
            *(worker(time.monotonic() + seconds) for _ in range(concurrency))
        )
    return done, errors


def wait_until_listening(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the server exited during start-up")
        with (
            contextlib.suppress(OSError),
            socket.create_connection(("127.0.0.1", port), timeout=0.2),
        ):
            return
        time.sleep(0.1)
    raise RuntimeError("the server did not start")


def start_server(variant: str) -> tuple[subprocess.Popen[bytes], int]:
    """Start one variant's server; its stdout (the JSON lines) goes to /dev/null."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--serve",
            variant,
            "--port",
            str(port),
            "--fields",
            FIELDS["name"],
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_until_listening(port, process)
    return process, port


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far, from ``/proc``."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:  # noqa: PTH123
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def throughput_benchmark(seconds: float, rounds: int, concurrency: int) -> float:
    """Print requests per second per variant and the loss due to the middleware.

    All servers run side by side (an idle one costs nothing). Each round loads a
    pair, without and with the middleware, in the order A B B A, so that load from
    other work on the machine, which drifts slowly, hits both alike; the loss is the
    median of the rounds' ratios. The servers' own CPU time per request is reported
    too: a CPU-bound server serves 1 / (CPU per request). Returns the bare server's
    CPU microseconds per request.
    """
    out(
        f"\n2. Throughput: async trivial view, uvicorn (1 process each), {concurrency} "
        f"keep-alive connections, {rounds} rounds of A-B-B-A slices of {seconds:g} s"
    )
    out(
        "   RequestIDMiddleware writes one JSON access line per request to stdout "
        "(/dev/null).\n"
    )
    servers = {name: start_server(name) for name in VARIANTS}
    rates: dict[str, list[float]] = {name: [] for name in VARIANTS}
    cpu = dict.fromkeys(VARIANTS, 0.0)
    served = dict.fromkeys(VARIANTS, 0)
    ratios: dict[str, list[float]] = {"bare": [], "stack": []}

    def slice_of(name: str) -> float:
        process, port = servers[name]
        before = cpu_seconds(process.pid)
        done, errors = asyncio.run(load(port, seconds, concurrency))
        if errors:
            raise RuntimeError(f"{name}: {errors} failed requests")
        cpu[name] += cpu_seconds(process.pid) - before
        served[name] += done
        return done / seconds

    try:
        for _, port in servers.values():  # warm-up: imports, URL resolver, caches
            asyncio.run(load(port, 1.0, concurrency))
        for _ in range(rounds):
            for base, paired in ratios.items():
                with_id = f"{base}+request-id"
                first, second = slice_of(base), slice_of(with_id)
                third, fourth = slice_of(with_id), slice_of(base)
                rates[base] += [first, fourth]
                rates[with_id] += [second, third]
                paired.append((second + third) / (first + fourth))
    finally:
        for process, _ in servers.values():
            process.terminate()
            process.wait(timeout=30)
    per_request = {name: cpu[name] / served[name] * 1e6 for name in VARIANTS}
    for name, values in rates.items():
        out(
            f"   {name:<18} median {statistics.median(values):6.0f} req/s "
            f"(min {min(values):.0f}, max {max(values):.0f})   "
            f"server CPU {per_request[name]:5.0f} us/request"
        )
    for base, values in ratios.items():
        with_id = f"{base}+request-id"
        loss = 1 - statistics.median(values)
        cpu_loss = 1 - per_request[base] / per_request[with_id]
        spread = ", ".join(f"{1 - v:.1%}" for v in sorted(values))
        out(
            f"   loss over '{base}': {loss:5.1%} by req/s (median of paired rounds: "
            f"{spread}); {cpu_loss:5.1%} by server CPU per request   (goal <= 10 %)"
        )
    return per_request["bare"]


def inprocess_benchmark(count: int, rounds: int) -> float:
    """Print the middleware's own cost per request, without a server or threads.

    Django's ASGI handler hands work to threads several times per request, so its
    timings jitter by more than the middleware costs. Returns the microseconds the
    middleware adds. Here the middleware (async
    mode, access record written to /dev/null) is awaited around the async view
    directly, against awaiting the view alone; the best round of each is kept.
    """
    devnull = open(os.devnull, "w")  # noqa: SIM115, PTH123 - lives as long as the run
    config = build_logging(
        level="WARNING", fields=FIELDS["name"], mail_admins=False, **STATIC
    )
    config["handlers"]["stdout"]["stream"] = devnull
    configure_django([], config)
    middleware = RequestIDMiddleware(trivial)
    factory = RequestFactory()

    async def run(call: Callable[[Any], Awaitable[Any]]) -> float:
        requests = [
            factory.get("/orders/", headers={"X-Request-ID": f"bench-{n}"})
            for n in range(count)
        ]
        clock = CLOCK["ns"]
        start = clock()
        for request in requests:
            await call(request)
        return (clock() - start) / count / 1e3

    best: dict[str, float] = {}
    for _ in range(rounds):
        for name, call in (("view", trivial), ("middleware", middleware)):
            cost = asyncio.run(run(call))  # type: ignore[arg-type]
            best[name] = min(best.get(name, cost), cost)
    added = best["middleware"] - best["view"]
    out(
        f"\n3. The middleware's own cost, in-process: {count} requests x {rounds} "
        f"rounds, best round, {clock_name()}"
        " time"
    )
    out(f"   async view alone              {best['view']:6.1f} us/request")
    out(f"   view inside the middleware    {best['middleware']:6.1f} us/request")
    out(f"   the middleware adds           {added:6.1f} us/request")
    return added


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter, noisier run")
    parser.add_argument(
        "--fields",
        choices=["standard", "ecs"],
        default="standard",
        help="the library's field set (default: standard)",
    )
    parser.add_argument(
        "--cpu-time",
        action="store_true",
        help="time parts 1 and 3 by CPU time, not wall time (for busy machines)",
    )
    parser.add_argument("--serve", choices=sorted(VARIANTS), help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args()
    FIELDS["name"] = options.fields
    if options.cpu_time:
        CLOCK["ns"] = time.process_time_ns
    if options.serve:
        serve(options.serve, options.port)
        return
    quick = options.quick
    formatter_benchmark(count=5_000 if quick else 20_000, rounds=3 if quick else 5)
    server_cpu = throughput_benchmark(
        seconds=1.0, rounds=3 if quick else 10, concurrency=8
    )
    added = inprocess_benchmark(count=2_000 if quick else 10_000, rounds=5)
    out(
        f"   = {added / server_cpu:.1%} of the bare server's CPU per request "
        f"({server_cpu:.0f} us), the throughput it costs a CPU-bound server"
    )


urlpatterns = _urlpatterns() if "--serve" in sys.argv else []

if __name__ == "__main__":
    main()
