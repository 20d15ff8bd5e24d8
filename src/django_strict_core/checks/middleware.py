"""This package's middleware: present, and in the order its documentation requires.

1. ``RequestIDMiddleware`` first, so every later middleware, view and log record of
   the request carries its id;
2. ``HealthCheckMiddleware`` before Django's ``SecurityMiddleware`` and
   ``CommonMiddleware``, so container probes are answered without the SSL redirect
   and the ``ALLOWED_HOSTS`` check;
3. ``DebugEnvelopeMiddleware`` anywhere while ``DEBUG`` is on (``build_settings``
   puts it third), so that API paths get the error envelope then too; with
   ``DEBUG`` off it does nothing, and its absence is not reported.

A subclass counts as the class it extends: entries are imported and compared with
``issubclass`` (an entry that cannot be imported is compared by its dotted path).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.checks import Error
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from django.core.checks import CheckMessage

REQUEST_ID = "django_strict_core.middleware.RequestIDMiddleware"
HEALTH_CHECK = "django_strict_core.healthcheck.HealthCheckMiddleware"
DEBUG_ENVELOPE = "django_strict_core.debug.DebugEnvelopeMiddleware"
HEALTH_CHECK_BEFORE = (
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
)
REQUIRED = {
    REQUEST_ID: "gives each request an id for the logs and the X-Request-ID header",
    HEALTH_CHECK: "answers container probes before host and SSL checks",
}
REQUIRED_WITH_DEBUG = {
    DEBUG_ENVELOPE: "answers API errors with the envelope while DEBUG is on",
}


def check_middleware(**_kwargs: Any) -> list[CheckMessage]:
    """Report this package's middleware missing from ``MIDDLEWARE`` or out of order.

    ``DebugEnvelopeMiddleware`` is required only while ``DEBUG`` is on.

    Returns:
        ``strict_core.E011`` (missing) and ``strict_core.E012`` (misplaced) errors.
    """
    entries = [str(entry) for entry in getattr(settings, "MIDDLEWARE", None) or ()]
    middleware = [role(entry) for entry in entries]
    required = {**REQUIRED, **(REQUIRED_WITH_DEBUG if settings.DEBUG else {})}
    errors: list[CheckMessage] = [
        Error(
            f"MIDDLEWARE does not include {path}, which {purpose}.",
            hint="Use the MIDDLEWARE list build_settings returns, or add "
            f"{path!r} at the position the middleware documentation gives.",
            obj="MIDDLEWARE",
            id="strict_core.E011",
        )
        for path, purpose in required.items()
        if path not in middleware
    ]
    if REQUEST_ID in middleware and middleware[0] != REQUEST_ID:
        errors.append(
            misplaced(
                entries[middleware.index(REQUEST_ID)],
                f"must come first, but comes after {entries[0]}",
            )
        )
    if HEALTH_CHECK in middleware:
        position = middleware.index(HEALTH_CHECK)
        errors.extend(
            misplaced(entries[position], f"must come before {entries[index]}")
            for index, other in enumerate(middleware[:position])
            if other in HEALTH_CHECK_BEFORE
        )
    return errors


def role(entry: str) -> str:
    """Return the dotted path of the middleware an entry is or extends.

    Returns:
        ``REQUEST_ID``, ``HEALTH_CHECK``, ``DEBUG_ENVELOPE`` or one of
        ``HEALTH_CHECK_BEFORE`` for that class or a subclass of it; otherwise the
        entry itself.
    """
    try:
        cls = import_string(entry)
    except ImportError:
        return entry
    if isinstance(cls, type):
        for path in (REQUEST_ID, HEALTH_CHECK, DEBUG_ENVELOPE, *HEALTH_CHECK_BEFORE):
            if issubclass(cls, import_string(path)):
                return path
    return entry


def misplaced(path: str, problem: str) -> Error:
    """Build the error for a middleware in the wrong position."""
    return Error(
        f"{path} in MIDDLEWARE {problem}.",
        hint=f'Order MIDDLEWARE as "{REQUEST_ID}", "{HEALTH_CHECK}", '
        f'"{DEBUG_ENVELOPE}", then Django\'s security, session, common, CSRF, '
        "authentication, message and clickjacking middleware.",
        obj="MIDDLEWARE",
        id="strict_core.E012",
    )
