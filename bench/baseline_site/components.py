"""The parts of a request in which the two stacks differ, timed one by one in-process.

``python -m baseline_site.components [USERS]`` runs in the database and under the
key prefix the server prepared, and prints the CPU time per call (best of several
rounds, interleaved) of:

1. what each stack adds around the view: ours ``RequestIDMiddleware`` (with its
   access record) and ``HealthCheckMiddleware``; theirs the access record uvicorn
   writes, formatted by python-json-logger;
2. the throttles: each stack's classes asked about one authenticated request, on the
   real Redis;
3. the pagination class: a page of the articles and its response.

Everything else a request does (Django's request handling, token authentication,
the queries, the serializer, the renderer) is the same code in both stacks.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import sys
import time
from typing import TYPE_CHECKING, Any

import django

if TYPE_CHECKING:
    from collections.abc import Callable

ROUNDS = 5


def cpu_per_call(work: Callable[[], object], calls: int) -> float:
    """Microseconds of this process's CPU time per call of ``work``."""
    start = time.process_time()
    for _ in range(calls):
        work()
    return (time.process_time() - start) / calls * 1e6


def best_of(contenders: dict[str, Callable[[], float]]) -> dict[str, float]:
    """The best round of each contender, the contenders interleaved round by round."""
    best: dict[str, float] = {}
    for _ in range(ROUNDS):
        for name, measure in contenders.items():
            value = measure()
            best[name] = min(best.get(name, value), value)
    return best


def middleware_and_access_log(calls: int) -> dict[str, float]:
    """CPU per request of what each stack adds around a view, over the view alone.

    Ours: ``RequestIDMiddleware`` (with its access record) around
    ``HealthCheckMiddleware`` around the view, awaited directly: both are async
    capable, so Django adds no adapter between them. Theirs: the view, then the
    access record uvicorn's protocol writes after each response, formatted by
    python-json-logger. The rest of the middleware is the same in both stacks.
    """
    from django.contrib.auth.models import User  # noqa: PLC0415
    from django.http import HttpResponse  # noqa: PLC0415
    from django.test import RequestFactory  # noqa: PLC0415

    from django_strict_core.healthcheck import HealthCheckMiddleware  # noqa: PLC0415
    from django_strict_core.middleware import RequestIDMiddleware  # noqa: PLC0415

    user = User.objects.order_by("id").first()
    access = logging.getLogger("uvicorn.access")
    path = "/api/ours/articles/"

    async def view(request: Any) -> HttpResponse:
        request.user = user  # as DRF's authentication leaves it
        return HttpResponse(b"{}", content_type="application/json")

    ours = RequestIDMiddleware(HealthCheckMiddleware(view))

    async def theirs(request: Any) -> HttpResponse:
        response = await view(request)
        access.info(
            '%s - "%s %s HTTP/%s" %d', "127.0.0.1:50000", "GET", path, "1.1", 200
        )
        return response

    factory = RequestFactory(headers={"host": "127.0.0.1"})

    def run(call: Callable[[Any], Any]) -> float:
        async def many() -> float:
            requests = [factory.get(path) for _ in range(calls)]
            start = time.process_time()
            for request in requests:
                await call(request)
            return (time.process_time() - start) / calls * 1e6

        return asyncio.run(many())

    best = best_of(
        {
            "view": lambda: run(view),
            "ours": lambda: run(ours),
            "theirs": lambda: run(theirs),
        }
    )
    return {
        "ours": best["ours"] - best["view"],
        "theirs": best["theirs"] - best["view"],
    }


def throttles(calls: int, users: int) -> dict[str, float]:
    """CPU per request of each stack's throttle classes, for authenticated users."""
    from django.conf import settings  # noqa: PLC0415
    from django.contrib.auth.models import User  # noqa: PLC0415
    from django.test import RequestFactory  # noqa: PLC0415
    from django.utils.module_loading import import_string  # noqa: PLC0415
    from rest_framework.request import Request  # noqa: PLC0415

    from baseline_site.views import THEIRS  # noqa: PLC0415

    requests = []
    for user in User.objects.order_by("id")[:users]:
        request = Request(
            RequestFactory().get("/api/articles/", headers={"host": "127.0.0.1"})
        )
        request.user = user
        requests.append(request)
    stacks = {
        "ours": [
            import_string(path)
            for path in settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]
        ],
        "theirs": list(THEIRS.DEFAULT_THROTTLE_CLASSES),
    }

    def measure(classes: list[type[Any]]) -> float:
        cycle = itertools.cycle(requests)

        def check() -> None:
            request = next(cycle)
            for cls in classes:
                if not cls().allow_request(request, None):
                    raise RuntimeError(f"{cls.__name__} throttled the benchmark")

        return cpu_per_call(check, calls)

    return best_of({name: lambda c=c: measure(c) for name, c in stacks.items()})


def pagination(calls: int) -> dict[str, float]:
    """CPU per request of each stack's pagination class: a page and its response.

    Over rows already loaded: the two classes send the same two queries (a count
    and a page), so what differs is their own Python.
    """
    from django.conf import settings  # noqa: PLC0415
    from django.test import RequestFactory  # noqa: PLC0415
    from django.utils.module_loading import import_string  # noqa: PLC0415
    from rest_framework.request import Request  # noqa: PLC0415

    from baseline_site.models import Article  # noqa: PLC0415
    from baseline_site.views import THEIRS  # noqa: PLC0415

    rows = list(Article.objects.order_by("-published_at", "-id"))
    request = Request(
        RequestFactory(headers={"host": "127.0.0.1"}).get("/api/articles/")
    )
    stacks = {
        "ours": import_string(settings.REST_FRAMEWORK["DEFAULT_PAGINATION_CLASS"]),
        "theirs": THEIRS.DEFAULT_PAGINATION_CLASS,
    }

    def measure(cls: type[Any]) -> float:
        def page() -> None:
            paginator = cls()
            paginator.get_paginated_response(paginator.paginate_queryset(rows, request))

        return cpu_per_call(page, calls)

    return best_of({name: lambda c=cls: measure(c) for name, cls in stacks.items()})


def main() -> None:
    """Time the three parts and print one line each."""
    users = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baseline_site.settings")
    django.setup()
    logging.getLogger("django.db.backends").setLevel(logging.WARNING)
    parts = {
        "middleware and access record": middleware_and_access_log(calls=5000),
        "throttles (2 Redis calls each)": throttles(calls=2000, users=users),
        "pagination class": pagination(calls=5000),
    }
    for name, costs in parts.items():
        sys.stderr.write(
            f"component {name}|{costs['ours']:.1f}|{costs['theirs']:.1f}\n"
        )


if __name__ == "__main__":
    main()
