"""Settings the strict baseline requires: custom user, DRF baseline, caches, async safety.

Each check reads the settings when it runs, so ``override_settings`` applies.
``settings.STRICT_CORE_ENV`` (set by ``build_settings`` from ``DJANGO_ENV``) names the
deployment profile; a project configured by hand may set it itself.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.checks import Error, Warning  # noqa: A004
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string
from rest_framework.throttling import ScopedRateThrottle, SimpleRateThrottle

from django_strict_core.app_settings import (
    DEPLOYED_PROFILES,
    EXCEPTION_HANDLER,
    app_settings,
)
from django_strict_core.pagination import StandardCursorPagination, StandardPagination

if TYPE_CHECKING:
    from collections.abc import Sequence

    from django.core.checks import CheckMessage

UNSAFE_ALLOWED_PROFILES = ("local", "test")
PROCESS_LOCAL_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache": (
        "keeps its data in each process, so throttling counts and cached sessions "
        "are per worker"
    ),
    "django.core.cache.backends.dummy.DummyCache": (
        "stores nothing, so throttling never counts a request"
    ),
}


def profile() -> str | None:
    """Return ``settings.STRICT_CORE_ENV``, or ``None`` when the project does not set it.

    Returns:
        ``local``, ``test``, ``staging``, ``production``, or ``None``.
    """
    return app_settings.STRICT_CORE_ENV


def check_user_model(**_kwargs: Any) -> list[CheckMessage]:
    """Report the default ``auth.User`` as ``AUTH_USER_MODEL`` (docs/rules.md).

    Returns:
        ``strict_core.E005`` when the project uses ``auth.User``.
    """
    if str(settings.AUTH_USER_MODEL).lower() != "auth.user":
        return []
    return [
        Error(
            "AUTH_USER_MODEL is Django's default auth.User, which cannot be swapped "
            "once migrations exist.",
            hint="Create a users app with a User model inheriting from AbstractUser "
            'and set AUTH_USER_MODEL = "users.User" before the first migration.',
            obj="AUTH_USER_MODEL",
            id="strict_core.E005",
        )
    ]


def check_rest_framework(**_kwargs: Any) -> list[CheckMessage]:
    """Report a ``REST_FRAMEWORK`` without the strict baseline (docs/rules.md).

    Returns:
        ``strict_core.E006`` to ``strict_core.E009`` and ``strict_core.E023`` errors.
    """
    config = getattr(settings, "REST_FRAMEWORK", None) or {}
    return [
        *throttle_errors(
            config.get("DEFAULT_THROTTLE_CLASSES") or (),
            config.get("DEFAULT_THROTTLE_RATES") or {},
        ),
        *exception_handler_errors(config.get("EXCEPTION_HANDLER")),
        *handler_class_errors(),
        *pagination_errors(config.get("DEFAULT_PAGINATION_CLASS")),
    ]


def throttle_errors(
    classes: Sequence[Any], rates: dict[str, Any]
) -> list[CheckMessage]:
    """Report missing throttle classes and throttle scopes without a valid rate.

    Returns:
        ``strict_core.E006`` and ``strict_core.E007`` errors.
    """
    if not classes:
        return [
            Error(
                "REST_FRAMEWORK['DEFAULT_THROTTLE_CLASSES'] is empty: no API request is "
                "rate limited.",
                hint='Set it to ["django_strict_core.throttling.AnonRateThrottle", '
                '"django_strict_core.throttling.UserRateThrottle"] with '
                "DEFAULT_THROTTLE_RATES (build_settings does).",
                obj="REST_FRAMEWORK",
                id="strict_core.E006",
            )
        ]
    errors: list[CheckMessage] = []
    for entry in classes:
        problem = throttle_problem(entry, rates)
        if problem is not None:
            errors.append(
                Error(
                    f"Throttle class {entry if isinstance(entry, str) else entry.__qualname__} "
                    f"in REST_FRAMEWORK['DEFAULT_THROTTLE_CLASSES'] {problem}.",
                    hint="Give every throttle scope a rate such as "
                    '"100/hour" in REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"].',
                    obj="REST_FRAMEWORK",
                    id="strict_core.E007",
                )
            )
    return errors


def throttle_problem(entry: Any, rates: dict[str, Any]) -> str | None:
    """Say what is wrong with one throttle class, if anything.

    Returns:
        The end of a sentence describing the problem, or ``None``.
    """
    try:
        cls = import_string(entry) if isinstance(entry, str) else entry
    except ImportError:
        return "cannot be imported"
    if not (
        isinstance(cls, type) and issubclass(cls, SimpleRateThrottle)
    ) or issubclass(cls, ScopedRateThrottle):
        return None
    scope = getattr(cls, "scope", None)
    rate = getattr(cls, "rate", None) or rates.get(scope or "")
    if rate is None:
        return f"has no rate for its scope {scope!r}" if scope else "has no scope"
    try:
        cls.__new__(cls).parse_rate(rate)
    except (AttributeError, IndexError, KeyError, TypeError, ValueError):
        return f"has an invalid rate {rate!r} (expected e.g. '100/hour')"
    return None


def exception_handler_errors(handler: Any) -> list[CheckMessage]:
    """Report an ``EXCEPTION_HANDLER`` other than this package's.

    The handler is compared by dotted path, without importing it.

    Returns:
        ``strict_core.E008`` when it is not this package's handler.
    """
    if callable(handler):
        handler = f"{handler.__module__}.{handler.__qualname__}"
    if handler == EXCEPTION_HANDLER:
        return []
    return [
        Error(
            f"REST_FRAMEWORK['EXCEPTION_HANDLER'] is {handler or 'not set'}: API errors "
            "do not use the error envelope.",
            hint=f'Set REST_FRAMEWORK["EXCEPTION_HANDLER"] = "{EXCEPTION_HANDLER}"; '
            "to change how errors are handled, subclass ExceptionHandler and name "
            "the subclass in STRICT_CORE_EXCEPTION_HANDLER_CLASS.",
            obj="REST_FRAMEWORK",
            id="strict_core.E008",
        )
    ]


def handler_class_errors() -> list[CheckMessage]:
    """Report a ``STRICT_CORE_EXCEPTION_HANDLER_CLASS`` that the handler cannot run.

    Returns:
        ``strict_core.E023`` when it cannot be imported or is not a subclass of
        ``ExceptionHandler``.
    """
    try:
        app_settings.STRICT_CORE_EXCEPTION_HANDLER_CLASS  # noqa: B018 - read to check it
    except ImproperlyConfigured as exc:
        return [
            Error(
                str(exc),
                hint="Name a subclass of django_strict_core.exceptions.ExceptionHandler "
                "by its dotted path, or remove the setting.",
                obj="STRICT_CORE_EXCEPTION_HANDLER_CLASS",
                id="strict_core.E023",
            )
        ]
    return []


def pagination_errors(pagination: Any) -> list[CheckMessage]:
    """Report a default pagination class that is not one of this package's.

    Returns:
        ``strict_core.E009`` when lists are unbounded or paginated otherwise.
    """
    try:
        cls = import_string(pagination) if isinstance(pagination, str) else pagination
    except ImportError:
        problem = f"names {pagination}, which cannot be imported"
    else:
        if isinstance(cls, type) and issubclass(
            cls, (StandardPagination, StandardCursorPagination)
        ):
            return []
        problem = f"is {pagination}, not a bounded pagination class of this package"
        if pagination is None:
            problem = "is not set: list endpoints return every row"
    return [
        Error(
            f"REST_FRAMEWORK['DEFAULT_PAGINATION_CLASS'] {problem}.",
            hint='Set it to "django_strict_core.pagination.StandardPagination" (or '
            "StandardCursorPagination, or a subclass of either).",
            obj="REST_FRAMEWORK",
            id="strict_core.E009",
        )
    ]


def check_caches(**_kwargs: Any) -> list[CheckMessage]:
    """Warn about a process-local or dummy cache in staging and production.

    DRF's throttles count in the ``default`` cache, and cache-backed sessions live in
    ``SESSION_CACHE_ALIAS``.

    Returns:
        ``strict_core.W001`` warnings.
    """
    env = profile()
    if env not in DEPLOYED_PROFILES:
        return []
    caches = getattr(settings, "CACHES", {})
    aliases = dict.fromkeys(["default", settings.SESSION_CACHE_ALIAS])
    warnings: list[CheckMessage] = []
    for alias in aliases:
        backend = caches.get(alias, {}).get("BACKEND", "")
        if backend in PROCESS_LOCAL_CACHES:
            warnings.append(
                Warning(
                    f"CACHES[{alias!r}] uses {backend.rsplit('.', 1)[-1]} in {env}: it "
                    f"{PROCESS_LOCAL_CACHES[backend]}.",
                    hint="Set REDIS_URL (build_settings then uses django-redis) or "
                    "another shared cache backend.",
                    obj="CACHES",
                    id="strict_core.W001",
                )
            )
    return warnings


def check_async_unsafe(**_kwargs: Any) -> list[CheckMessage]:
    """Report ``DJANGO_ALLOW_ASYNC_UNSAFE`` outside local and test (docs/rules.md).

    An unknown profile (``STRICT_CORE_ENV`` unset) is treated as deployed: the
    variable is allowed only where the settings say the run is local or a test.

    Returns:
        ``strict_core.E010`` when the variable is set outside local/test.
    """
    if not os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE"):
        return []
    env = profile()
    if env in UNSAFE_ALLOWED_PROFILES:
        return []
    where = f"STRICT_CORE_ENV is {env!r}" if env else "STRICT_CORE_ENV is not set"
    return [
        Error(
            f"DJANGO_ALLOW_ASYNC_UNSAFE is set in the environment and {where}: "
            "synchronous ORM calls from async code are no longer refused.",
            hint="Unset DJANGO_ALLOW_ASYNC_UNSAFE and wrap ORM calls in async code "
            "with sync_to_async. Local and test runs may set it when STRICT_CORE_ENV "
            "is 'local' or 'test' (build_settings sets it from DJANGO_ENV).",
            obj="DJANGO_ALLOW_ASYNC_UNSAFE",
            id="strict_core.E010",
        )
    ]
