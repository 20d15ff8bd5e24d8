"""The check registry: which checks a readiness probe runs, built from the settings.

Databases first (``db`` for the ``default`` alias, ``db:<alias>`` for the others),
then caches (``cache``, ``cache:<alias>``), then the project's own checks under their
keys. The settings, read through
:data:`~django_strict_core.app_settings.app_settings`:

``STRICT_CORE_HEALTH_TIMEOUT``
    Seconds each check may take before it counts as ``error: timeout`` (default 0.5).
``STRICT_CORE_HEALTH_DATABASES`` / ``STRICT_CORE_HEALTH_CACHES``
    The aliases to check; ``None`` (default) means every configured alias.
``STRICT_CORE_HEALTH_CHECKS``
    The project's own checks, ``{key: spec}``.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Mapping
from functools import partial
from typing import TYPE_CHECKING, Any, Final

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.module_loading import import_string

from django_strict_core.app_settings import DEFAULT_HEALTH_TIMEOUT, app_settings
from django_strict_core.healthcheck.checks import Cache, Database

if TYPE_CHECKING:
    from collections.abc import Callable

SPEC_KEYS: Final = frozenset({"CHECK", "OPTIONS", "CRITICAL", "TIMEOUT"})
STATUS_KEY: Final = "status"
_DUMMY_BACKENDS: Final = frozenset(
    {
        "django.db.backends.dummy",
        "django.core.cache.backends.dummy.DummyCache",
    }
)


@dataclasses.dataclass(frozen=True, eq=False)
class RegisteredCheck:
    """A check as the runner runs it: its key in the answer, how, and for how long.

    Attributes:
        key: The key of its result in the JSON answer.
        check: The check object (or function) as registered.
        call: What the runner calls: ``check.run`` or the function itself.
        is_async: Whether ``call`` is a coroutine function (run on the event loop)
            rather than a plain function (run in the health check threads).
        critical: Whether its failure makes the answer 503; a non-critical failure
            is reported under its key while the answer stays 200.
        timeout: Its deadline, in seconds.
    """

    key: str
    check: object
    call: Callable[[], object] = dataclasses.field(repr=False)
    is_async: bool
    critical: bool = True
    timeout: float = DEFAULT_HEALTH_TIMEOUT


@dataclasses.dataclass(frozen=True)
class CheckRegistry:
    """Every check of a readiness probe, as the settings describe them.

    The project's checks are built once, with the registry; the built-in ones follow
    the aliases configured when :meth:`checks` is called.

    Attributes:
        timeout: ``STRICT_CORE_HEALTH_TIMEOUT``, the default deadline.
        databases: ``STRICT_CORE_HEALTH_DATABASES``; ``None`` for every alias.
        caches: ``STRICT_CORE_HEALTH_CACHES``; ``None`` for every alias.
        project_checks: The checks of ``STRICT_CORE_HEALTH_CHECKS``.
    """

    timeout: float = DEFAULT_HEALTH_TIMEOUT
    databases: tuple[str, ...] | None = None
    caches: tuple[str, ...] | None = None
    project_checks: tuple[RegisteredCheck, ...] = ()

    @classmethod
    def from_settings(cls) -> CheckRegistry:
        """Build the registry from the current settings.

        Returns:
            The registry.

        Raises:
            ImproperlyConfigured: When an option or a project check is invalid.
        """
        deadline = app_settings.STRICT_CORE_HEALTH_TIMEOUT
        specs = app_settings.STRICT_CORE_HEALTH_CHECKS
        return cls(
            timeout=deadline,
            databases=app_settings.STRICT_CORE_HEALTH_DATABASES,
            caches=app_settings.STRICT_CORE_HEALTH_CACHES,
            project_checks=tuple(
                _register(key, spec, deadline) for key, spec in specs.items()
            ),
        )

    def checks(self) -> tuple[RegisteredCheck, ...]:
        """Return every check, in answer order; dummy backends are left out.

        Returns:
            The checks.

        Raises:
            ImproperlyConfigured: When a selected alias is not configured, or a
                project check takes the key of a built-in one.
        """
        builtin = (
            *(
                _builtin("db", alias, Database(alias), DEFAULT_DB_ALIAS, self.timeout)
                for alias in _aliases(
                    "STRICT_CORE_HEALTH_DATABASES", self.databases, connections.settings
                )
            ),
            *(
                _builtin(
                    "cache", alias, Cache(alias), DEFAULT_CACHE_ALIAS, self.timeout
                )
                for alias in _aliases(
                    "STRICT_CORE_HEALTH_CACHES", self.caches, caches.settings
                )
            ),
        )
        taken = {check.key for check in builtin}
        for check in self.project_checks:
            if check.key in taken:
                raise ImproperlyConfigured(
                    f"STRICT_CORE_HEALTH_CHECKS[{check.key!r}] uses the key of a "
                    "built-in check; choose another key, or leave the alias out with "
                    "STRICT_CORE_HEALTH_DATABASES / STRICT_CORE_HEALTH_CACHES."
                )
        return (*builtin, *self.project_checks)


def _aliases(
    setting: str,
    selected: tuple[str, ...] | None,
    configs: Mapping[str, Mapping[str, Any]],
) -> list[str]:
    """Return the aliases a setting selects: all but dummy backends when unset."""
    if selected is None:
        return [
            alias
            for alias, config in configs.items()
            if config.get("ENGINE", config.get("BACKEND")) not in _DUMMY_BACKENDS
        ]
    unknown = sorted(set(selected) - set(configs))
    if unknown:
        raise ImproperlyConfigured(
            f"{setting} names aliases that are not configured: {', '.join(unknown)}."
        )
    return list(selected)


def _builtin(
    name: str, alias: str, check: Database | Cache, default_alias: str, deadline: float
) -> RegisteredCheck:
    """Register a built-in check under ``name`` or ``name:alias``."""
    return RegisteredCheck(
        key=name if alias == default_alias else f"{name}:{alias}",
        check=check,
        call=check.run,
        is_async=False,
        timeout=deadline,
    )


def _register(key: object, spec: object, deadline: float) -> RegisteredCheck:
    """Build one project check from its ``STRICT_CORE_HEALTH_CHECKS`` entry."""
    where = f"STRICT_CORE_HEALTH_CHECKS[{key!r}]"
    if not isinstance(key, str) or not key or key == STATUS_KEY:
        raise ImproperlyConfigured(
            f"{where}: a key must be a non-empty string other than 'status'."
        )
    options: Mapping[str, Any] = spec if isinstance(spec, Mapping) else {"CHECK": spec}
    unknown = sorted(set(options) - SPEC_KEYS)
    if unknown or "CHECK" not in options:
        raise ImproperlyConfigured(
            f"{where} needs CHECK and accepts only {', '.join(sorted(SPEC_KEYS))}"
            + (f"; unknown: {', '.join(unknown)}." if unknown else ".")
        )
    target = _import(options["CHECK"], where)
    kwargs = options.get("OPTIONS") or {}
    if not isinstance(kwargs, Mapping):
        raise ImproperlyConfigured(f"{where}['OPTIONS'] must be a dict.")
    check, call = _callable_of(target, kwargs, where)
    critical = options.get("CRITICAL", True)
    if not isinstance(critical, bool):
        raise ImproperlyConfigured(f"{where}['CRITICAL'] must be True or False.")
    return RegisteredCheck(
        key=key,
        check=check,
        call=call,
        is_async=_is_coroutine_function(call),
        critical=critical,
        timeout=_seconds(options.get("TIMEOUT", deadline), f"{where}['TIMEOUT']"),
    )


def _import(target: object, where: str) -> object:
    """Import a dotted path; return any other object as it is."""
    if not isinstance(target, str):
        return target
    try:
        return import_string(target)
    except ImportError as exc:
        raise ImproperlyConfigured(f"{where}: cannot import {target!r}.") from exc


def _callable_of(
    target: object, kwargs: Mapping[str, Any], where: str
) -> tuple[object, Callable[[], object]]:
    """Return the check object and what the runner calls for a registered target.

    A class is instantiated with ``OPTIONS``; an object with a ``run()`` method is
    used as it is; a plain function is called with ``OPTIONS`` as keyword arguments.
    """
    if inspect.isclass(target):
        try:
            target = target(**kwargs)
        except TypeError as exc:
            raise ImproperlyConfigured(
                f"{where}: {exc} (check OPTIONS against the class)"
            ) from exc
        kwargs = {}
    run = getattr(target, "run", None)
    if callable(run):
        if kwargs:
            raise ImproperlyConfigured(
                f"{where}: OPTIONS apply to a class or a function, not an instance."
            )
        return target, run
    if callable(target):
        return target, partial(target, **kwargs) if kwargs else target
    raise ImproperlyConfigured(
        f"{where}: expected a function, a class or an object with a run() method."
    )


def _is_coroutine_function(call: Callable[[], object]) -> bool:
    """Tell whether calling ``call`` returns a coroutine, for functions and objects."""
    return inspect.iscoroutinefunction(call) or inspect.iscoroutinefunction(
        getattr(call, "__call__", None)  # noqa: B004 - an async __call__ counts
    )


def _seconds(value: object, name: str) -> float:
    """Return ``value`` as seconds, refusing what is not a positive number."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ImproperlyConfigured(f"{name} must be a number of seconds > 0.")
    return float(value)
