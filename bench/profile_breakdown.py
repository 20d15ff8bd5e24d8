"""Where a server's time goes, by component, from a py-spy profile in raw format.

bench/baseline.py ``--profile`` records one slice of each stack with py-spy and
prints this breakdown. Each sample is charged to the innermost frame that belongs to
a known component (so a Redis round trip made by a throttle counts as Redis, and the
throttle's own code as the throttle), then turned into microseconds per request.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

# Component, and the fragments of a frame's file that belong to it. The innermost
# frame that matches one wins; the standard library's json and the like match none,
# so their time is charged to their caller.
COMPONENTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("PostgreSQL driver (psycopg)", ("psycopg/", "psycopg_pool/")),
    ("Redis client (redis-py, django-redis)", ("redis/", "django_redis/")),
    ("JSON log formatting", ("pythonjsonlogger/", "django_strict_core/log/")),
    ("logging module", ("logging/__init__.py",)),
    ("request-id middleware and access log", ("django_strict_core/middleware.py",)),
    ("health-check middleware", ("django_strict_core/healthcheck/",)),
    ("throttles", ("rest_framework/throttling.py", "django_strict_core/throttling.py")),
    (
        "pagination",
        ("rest_framework/pagination.py", "django_strict_core/pagination.py"),
    ),
    (
        "serializer",
        (
            "rest_framework/serializers.py",
            "rest_framework/fields.py",
            "rest_framework/relations.py",
        ),
    ),
    (
        "renderer (JSON)",
        ("rest_framework/renderers.py", "rest_framework/utils/encoders.py"),
    ),
    (
        "authentication",
        ("rest_framework/authentication.py", "rest_framework/authtoken/"),
    ),
    ("DRF view and request", ("rest_framework/",)),
    ("Django ORM", ("django/db/",)),
    (
        "Django middleware",
        (
            "django/middleware/",
            "django/contrib/sessions/",
            "django/contrib/messages/",
            "django/contrib/auth/middleware.py",
        ),
    ),
    (
        "Django request handling",
        ("django/core/handlers/", "django/http/", "django/urls/"),
    ),
    ("asgiref (sync/async hand-offs)", ("asgiref/",)),
    ("uvicorn (HTTP protocol)", ("uvicorn/", "httptools/")),
    ("threads and futures", ("threading.py", "concurrent/futures/")),
    ("event loop", ("asyncio/", "uvloop/")),
)
OTHER = "other"


def component_of(frames: list[str]) -> str:
    """Return the component a sample is charged to (frames outermost first)."""
    for frame in reversed(frames):
        for name, fragments in COMPONENTS:
            if any(fragment in frame for fragment in fragments):
                return name
    return OTHER


def breakdown(profile: Path) -> Counter[str]:
    """Count a raw py-spy profile's samples by component."""
    samples: Counter[str] = Counter()
    with profile.open(encoding="utf-8") as lines:
        for line in lines:
            stack, _, count = line.rstrip("\n").rpartition(" ")
            if stack and count.isdigit():
                samples[component_of(stack.split(";"))] += int(count)
    return samples


def table(
    samples: dict[str, Counter[str]], requests: dict[str, int], rate: int
) -> list[str]:
    """Lines of a table: microseconds per request of each component, per stack."""
    stacks = list(samples)
    names = [name for name, _ in COMPONENTS] + [OTHER]
    per_request = {
        stack: {
            name: samples[stack][name] / rate / requests[stack] * 1e6 for name in names
        }
        for stack in stacks
    }
    lines = [
        f"  {'component':40}" + "".join(f"{stack:>10}" for stack in stacks),
    ]
    for name in names:
        if all(per_request[stack][name] < 1 for stack in stacks):
            continue
        lines.append(
            f"  {name:40}"
            + "".join(f"{per_request[stack][name]:8.0f}us" for stack in stacks)
        )
    lines.append(
        f"  {'total sampled':40}"
        + "".join(f"{sum(per_request[stack].values()):8.0f}us" for stack in stacks)
    )
    return lines
