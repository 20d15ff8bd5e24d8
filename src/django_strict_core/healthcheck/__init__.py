"""Async health checks for container probes.

Public names: the views :func:`health` and :func:`live`, :class:`HealthCheckMiddleware`,
the check protocol :class:`HealthCheck` with :class:`CheckFailed`,
:class:`ServiceUnavailable` and :class:`UnexpectedResult`, the built-in checks
:class:`Database`, :class:`Cache` and :class:`Redis`, and :func:`run_checks` with its
:class:`HealthReport`.

The names are imported on first use, so that ``python -m
django_strict_core.healthcheck.probe`` starts without importing Django.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django_strict_core.healthcheck.base import (
        CheckFailed,
        HealthCheck,
        ServiceUnavailable,
        UnexpectedResult,
    )
    from django_strict_core.healthcheck.checks import Cache, Database, Redis
    from django_strict_core.healthcheck.middleware import HealthCheckMiddleware
    from django_strict_core.healthcheck.report import CheckResult, HealthReport
    from django_strict_core.healthcheck.runner import run_checks
    from django_strict_core.healthcheck.views import health, live

_EXPORTS = {
    "CheckFailed": "base",
    "HealthCheck": "base",
    "ServiceUnavailable": "base",
    "UnexpectedResult": "base",
    "Cache": "checks",
    "Database": "checks",
    "Redis": "checks",
    "HealthCheckMiddleware": "middleware",
    "CheckResult": "report",
    "HealthReport": "report",
    "run_checks": "runner",
    "health": "views",
    "live": "views",
}

__all__ = [
    "Cache",
    "CheckFailed",
    "CheckResult",
    "Database",
    "HealthCheck",
    "HealthCheckMiddleware",
    "HealthReport",
    "Redis",
    "ServiceUnavailable",
    "UnexpectedResult",
    "health",
    "live",
    "run_checks",
]


def __getattr__(name: str) -> object:
    """Import a public name from its module on first use."""
    try:
        module = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
