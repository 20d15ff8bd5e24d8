"""Benchmark of the error envelope.

1. Validation-error responses per second through a real ASGI server (uvicorn on
   loopback, one worker) for three DRF exception handlers in the same run:
   django-strict-core's, DRF's default and drf-standardized-errors'. The three
   handlers serve the same serializer from three routes of one process; the rounds
   interleave them so that machine noise hits all three alike.
2. The time to flatten 1k and 10k list errors (DRF 3.18's dict-by-index shape and
   the older list shape), for this package and for drf-standardized-errors.

Run: ``uv run --group bench python bench/errors.py [--duration 5] [--rounds 3]``
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import django
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
HANDLERS = ("strict_core", "drf_default", "standardized_errors")


def configure() -> None:
    """Configure a minimal Django project: no middleware, JSON only, no auth."""
    if settings.configured:
        return
    settings.configure(
        DEBUG=False,
        SECRET_KEY="bench-" + "x" * 50,
        ALLOWED_HOSTS=["127.0.0.1"],
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=[
            "django.contrib.contenttypes",
            "django.contrib.auth",
            "rest_framework",
        ],
        MIDDLEWARE=[],
        DATABASES={},
        USE_TZ=True,
        # 4xx responses are logged as warnings by Django for every handler alike;
        # keep them out of the measurement.
        LOGGING={
            "version": 1,
            "disable_existing_loggers": False,
            "loggers": {"django.request": {"level": "ERROR"}},
        },
        REST_FRAMEWORK={
            "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
            "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
            "DEFAULT_AUTHENTICATION_CLASSES": [],
            "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
            "DEFAULT_THROTTLE_CLASSES": [],
            "UNAUTHENTICATED_USER": None,
        },
    )
    django.setup()


configure()

from django.core.asgi import get_asgi_application  # noqa: E402
from django.urls import path  # noqa: E402
from drf_standardized_errors.formatter import (  # noqa: E402
    flatten_errors as standardized_flatten,
)
from drf_standardized_errors.handler import (  # noqa: E402
    exception_handler as standardized_handler,
)
from rest_framework import serializers  # noqa: E402
from rest_framework.exceptions import ErrorDetail  # noqa: E402
from rest_framework.response import Response  # noqa: E402
from rest_framework.views import (  # noqa: E402
    APIView,
    exception_handler as drf_handler,
)

from django_strict_core.exceptions import (  # noqa: E402
    exception_handler as strict_handler,
    flatten_errors,
)

# An invalid order: seven errors across a nested serializer, a list serializer, a
# list field and a dict field.
INVALID_ORDER = {
    "email": "not-an-email",
    "address": {"zip_code": "12"},
    "items": [{"name": "bolt", "quantity": 0}, {"name": "x" * 11, "quantity": 2}],
    "tags": ["ok", "too-long"],
    "meta": {"size": "big"},
}


class AddressSerializer(serializers.Serializer):  # type: ignore[type-arg]
    city = serializers.CharField(max_length=30)
    zip_code = serializers.RegexField(r"^\d{5}$")


class ItemSerializer(serializers.Serializer):  # type: ignore[type-arg]
    name = serializers.CharField(max_length=10)
    quantity = serializers.IntegerField(min_value=1)


class OrderSerializer(serializers.Serializer):  # type: ignore[type-arg]
    email = serializers.EmailField()
    address = AddressSerializer()
    items = ItemSerializer(many=True)
    tags = serializers.ListField(child=serializers.CharField(max_length=5))
    meta = serializers.DictField(child=serializers.IntegerField())


def order_view(handler: Any) -> Any:
    """Return a view validating an order whose errors go through ``handler``."""

    class OrderView(APIView):
        authentication_classes: list[Any] = []  # noqa: RUF012
        permission_classes: list[Any] = []  # noqa: RUF012

        def get_exception_handler(self) -> Any:
            return handler

        def post(self, request: Any) -> Response:
            serializer = OrderSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            return Response(serializer.validated_data)

    return OrderView.as_view()


urlpatterns = [
    path("strict_core/", order_view(strict_handler)),
    path("drf_default/", order_view(drf_handler)),
    path("standardized_errors/", order_view(standardized_handler)),
]

application = get_asgi_application()


# ------------------------------------------------------------------ load client


def free_port() -> int:
    """Return a free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """Return the user + system CPU time a process has used, from ``/proc``."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_server(port: int) -> subprocess.Popen[bytes]:
    """Start uvicorn (one worker) serving this module on loopback."""
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT / 'bench'}"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "errors:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
            "--lifespan",
            "off",
        ],
        env=env,
        cwd=ROOT / "bench",
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            probe.settimeout(0.2)
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return server
        time.sleep(0.1)
    server.terminate()
    raise RuntimeError("uvicorn did not start within 30 s")


async def hammer(url: str, seconds: float, concurrency: int) -> int:
    """POST the invalid order for ``seconds``; return the number of 400 answers."""
    import aiohttp  # noqa: PLC0415

    body = json.dumps(INVALID_ORDER).encode()
    headers = {"Content-Type": "application/json"}
    done = 0
    deadline = time.monotonic() + seconds
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            nonlocal done
            while time.monotonic() < deadline:
                async with session.post(url, data=body, headers=headers) as response:
                    await response.read()
                    if response.status != 400:
                        raise RuntimeError(f"{url} answered {response.status}")
                    done += 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return done


async def sample_body(url: str) -> Any:
    """Return one response body, to show what each handler answers."""
    import aiohttp  # noqa: PLC0415

    async with (
        aiohttp.ClientSession() as session,
        session.post(url, json=INVALID_ORDER) as response,
    ):
        return await response.json()


def measure_server(duration: float, rounds: int, concurrency: int) -> None:
    """Print responses per second of each handler and the ratios."""
    port = free_port()
    server = start_server(port)
    try:
        base = f"http://127.0.0.1:{port}"
        for name in HANDLERS:
            body = asyncio.run(sample_body(f"{base}/{name}/"))
            errors = body.get("errors", body)
            size = len(errors) if isinstance(errors, list) else len(body)
            sys.stdout.write(
                f"  {name:20s} body: {json.dumps(body)[:90]}... ({size})\n"
            )
        for name in HANDLERS:  # warm-up
            asyncio.run(hammer(f"{base}/{name}/", 1.0, concurrency))
        rates: dict[str, list[float]] = {name: [] for name in HANDLERS}
        costs: dict[str, list[float]] = {name: [] for name in HANDLERS}
        for round_index in range(rounds):
            order = HANDLERS[round_index % 3 :] + HANDLERS[: round_index % 3]
            for name in order:
                cpu_before = cpu_seconds(server.pid)
                count = asyncio.run(hammer(f"{base}/{name}/", duration, concurrency))
                cpu_used = cpu_seconds(server.pid) - cpu_before
                rates[name].append(count / duration)
                costs[name].append(cpu_used / count * 1e6)
            sys.stdout.write(
                f"  round {round_index + 1}: "
                + ", ".join(
                    f"{n} {rates[n][-1]:.0f}/s ({costs[n][-1]:.0f} us CPU)"
                    for n in HANDLERS
                )
                + "\n"
            )
    finally:
        server.terminate()
        server.wait(timeout=10)
    median = {name: statistics.median(values) for name, values in rates.items()}
    cost = {name: statistics.median(values) for name, values in costs.items()}
    sys.stdout.write(
        "validation-error responses (median of rounds): responses/second, and the "
        "server's CPU time per response (robust on a shared machine):\n"
    )
    for name in HANDLERS:
        sys.stdout.write(
            f"  {name:20s} {median[name]:8.0f}/s {cost[name]:8.0f} us CPU/response\n"
        )
    for other in ("drf_default", "standardized_errors"):
        sys.stdout.write(
            f"  strict_core vs {other:20s} throughput ratio "
            f"{median['strict_core'] / median[other]:.3f}, "
            f"CPU-per-response ratio {cost['strict_core'] / cost[other]:.3f}\n"
        )


# ------------------------------------------------------------------- flattening


def list_errors(count: int, *, as_dict: bool) -> dict[str, Any]:
    """Return ``count`` item errors in DRF 3.18's dict shape or the older list shape."""
    error = [
        ErrorDetail("Ensure this field has no more than 10 characters.", "max_length")
    ]
    if as_dict:
        return {"items": {i: {"name": error} for i in range(count)}}
    return {"items": [{"name": error} for _ in range(count)]}


def best_time(function: Any, tree: Any, calls: int, repeat: int = 7) -> float:
    """Return the best of ``repeat`` CPU times of one ``function(tree)``, seconds.

    CPU time of this process, not wall time: the machine may be shared.
    """
    best = float("inf")
    gc.collect()
    gc.disable()  # as timeit does: collector pauses are not the function's time
    try:
        for _ in range(repeat):
            start = time.process_time()
            for _ in range(calls):
                function(tree)
            best = min(best, (time.process_time() - start) / calls)
    finally:
        gc.enable()
    return best


def time_or_none(function: Any, tree: dict[str, Any]) -> float | None:
    """Return the time of one call, or ``None`` if the function hit the recursion limit."""
    count = len(tree["items"])
    try:
        return best_time(function, tree, calls=max(1, 10_000 // count))
    except RecursionError:
        return None


def measure_flattening() -> None:
    """Print flattening times at 1k and 10k list errors, and their ratio."""
    sys.stdout.write("flattening list errors (CPU time per call, best of 7):\n")
    for shape, as_dict in (
        ("dict-by-index (DRF 3.18+)", True),
        ("list (DRF <3.18)", False),
    ):
        for name, function in (
            ("strict_core", flatten_errors),
            ("standardized_errors", standardized_flatten),
        ):
            times: dict[int, float] = {}
            for count in (1_000, 10_000):
                seconds = time_or_none(function, list_errors(count, as_dict=as_dict))
                if seconds is None:
                    sys.stdout.write(
                        f"  {shape:26s} {name:20s} {count:6d} errors: RecursionError\n"
                    )
                else:
                    times[count] = seconds
            for count, seconds in times.items():
                sys.stdout.write(
                    f"  {shape:26s} {name:20s} {count:6d} errors: {seconds * 1000:8.2f} ms\n"
                )
            if len(times) == 2:
                sys.stdout.write(
                    f"  {shape:26s} {name:20s} 10k/1k ratio: {times[10_000] / times[1_000]:.1f}"
                    " (10.0 is linear)\n"
                )


def measure_handlers(calls: int = 2_000) -> None:
    """Print the CPU time of the handler call alone for the invalid order's errors."""
    from django.test import RequestFactory  # noqa: PLC0415
    from rest_framework.request import Request  # noqa: PLC0415

    serializer = OrderSerializer(data=INVALID_ORDER)
    serializer.is_valid()
    exc = serializers.ValidationError(serializer.errors)
    request = Request(RequestFactory().post("/"))
    context = {"view": None, "args": (), "kwargs": {}, "request": request}
    handlers = {
        "strict_core": strict_handler,
        "drf_default": drf_handler,
        "standardized_errors": standardized_handler,
    }
    cost = {}
    for name, handler in handlers.items():
        cost[name] = best_time(lambda exc: handler(exc, context), exc, calls=calls)  # noqa: B023
    sys.stdout.write("exception handler alone, 7 validation errors (CPU per call):\n")
    for name, seconds in cost.items():
        sys.stdout.write(
            f"  {name:20s} {seconds * 1e6:8.1f} us"
            f"  (strict_core / {name} = {cost['strict_core'] / seconds:.2f})\n"
        )


def main() -> None:
    """Run both benchmarks."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--skip-server", action="store_true")
    args = parser.parse_args()
    import drf_standardized_errors  # noqa: PLC0415
    import rest_framework  # noqa: PLC0415

    sys.stdout.write(
        f"Python {sys.version.split()[0]}, Django {django.__version__}, "
        f"DRF {rest_framework.VERSION}, "
        f"drf-standardized-errors {drf_standardized_errors.__version__}, "
        f"{os.cpu_count()} CPUs\n"
    )
    measure_flattening()
    measure_handlers()
    if not args.skip_server:
        measure_server(args.duration, args.rounds, args.concurrency)


if __name__ == "__main__":
    main()
