"""The health check options and the checks they register.

Options are flat Django settings, read when a probe arrives (so ``override_settings``
works); whatever is built from them is kept until one of them changes.

``STRICT_CORE_HEALTH_TIMEOUT``
    Seconds each check may take before it counts as ``error: timeout`` (default 0.5).
``STRICT_CORE_HEALTH_CACHE_SECONDS``
    Seconds a finished report is reused for later probes (default 0: never).
``STRICT_CORE_HEALTH_DATABASES`` / ``STRICT_CORE_HEALTH_CACHES``
    The aliases to check; ``None`` (default) means every configured alias.
``STRICT_CORE_HEALTH_CHECKS``
    The project's own checks, ``{key: spec}``.
"""

from __future__ import annotations

import dataclasses
import inspect
import itertools
import threading
from collections.abc import Mapping
from functools import partial
from typing import TYPE_CHECKING, Any, Final

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import DEFAULT_DB_ALIAS, connections
from django.dispatch import receiver
from django.utils.module_loading import import_string

from django_strict_core.healthcheck.checks import Cache, Database

if TYPE_CHECKING:
    from collections.abc import Callable

DEFAULT_TIMEOUT: Final = 0.5
SPEC_KEYS: Final = frozenset({"CHECK", "OPTIONS", "CRITICAL", "TIMEOUT"})
STATUS_KEY: Final = "status"
_DUMMY_BACKENDS: Final = frozenset(
    {
        "django.db.backends.dummy",
        "django.core.cache.backends.dummy.DummyCache",
    }
)
# Settings whose change invalidates what was built from them.
_WATCHED: Final = frozenset({"DATABASES", "CACHES"})

_generation = itertools.count()
_state_lock = threading.Lock()
_current_generation = next(_generation)
_custom_checks: tuple[int, tuple[RegisteredCheck, ...]] | None = None


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
    timeout: float = DEFAULT_TIMEOUT


@receiver(setting_changed)
def _forget_built_state(*, setting: str, **_: Any) -> None:
    """Start a new generation when a setting the checks are built from changes."""
    global _current_generation, _custom_checks  # noqa: PLW0603
    if setting in _WATCHED or setting.startswith("STRICT_CORE_HEALTH_"):
        with _state_lock:
            _current_generation = next(_generation)
            _custom_checks = None


def generation() -> int:
    """Return a number that changes whenever a setting the checks depend on changes.

    Returns:
        The current generation; in-flight runs and cached reports of another
        generation are not shared.
    """
    return _current_generation


def timeout() -> float:
    """Return ``STRICT_CORE_HEALTH_TIMEOUT``, the default deadline of each check.

    Returns:
        Seconds, greater than 0.

    Raises:
        ImproperlyConfigured: When the setting is not a positive number.
    """
    value = getattr(settings, "STRICT_CORE_HEALTH_TIMEOUT", DEFAULT_TIMEOUT)
    return _positive(value, "STRICT_CORE_HEALTH_TIMEOUT")


def cache_seconds() -> float:
    """Return ``STRICT_CORE_HEALTH_CACHE_SECONDS``, how long a report is reused.

    Returns:
        Seconds; 0 turns the result cache off.

    Raises:
        ImproperlyConfigured: When the setting is negative or not a number.
    """
    value = getattr(settings, "STRICT_CORE_HEALTH_CACHE_SECONDS", 0)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ImproperlyConfigured(
            "STRICT_CORE_HEALTH_CACHE_SECONDS must be a number of seconds >= 0."
        )
    return float(value)


def registered_checks() -> tuple[RegisteredCheck, ...]:
    """Return every check of a readiness probe, in answer order.

    Databases first (``db`` for the ``default`` alias, ``db:<alias>`` for the
    others), then caches (``cache``, ``cache:<alias>``), then the project's own checks
    under their keys. Dummy backends have nothing to check and are left out.

    Returns:
        The checks.

    Raises:
        ImproperlyConfigured: When an option is invalid.
    """
    deadline = timeout()
    builtin = (
        *(
            _builtin("db", alias, Database(alias), DEFAULT_DB_ALIAS, deadline)
            for alias in _aliases("STRICT_CORE_HEALTH_DATABASES", connections.settings)
        ),
        *(
            _builtin("cache", alias, Cache(alias), DEFAULT_CACHE_ALIAS, deadline)
            for alias in _aliases("STRICT_CORE_HEALTH_CACHES", caches.settings)
        ),
    )
    custom = _project_checks(deadline)
    taken = {check.key for check in builtin}
    for check in custom:
        if check.key in taken:
            raise ImproperlyConfigured(
                f"STRICT_CORE_HEALTH_CHECKS[{check.key!r}] uses the key of a built-in "
                "check; choose another key, or leave the alias out with "
                "STRICT_CORE_HEALTH_DATABASES / STRICT_CORE_HEALTH_CACHES."
            )
    return (*builtin, *custom)


def _aliases(setting: str, configs: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Return the aliases a setting selects: all but dummy backends when unset."""
    selected = getattr(settings, setting, None)
    if selected is None:
        return [
            alias
            for alias, config in configs.items()
            if config.get("ENGINE", config.get("BACKEND")) not in _DUMMY_BACKENDS
        ]
    if isinstance(selected, str) or not all(isinstance(a, str) for a in selected):
        raise ImproperlyConfigured(f"{setting} must be None or a list of aliases.")
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


def _project_checks(deadline: float) -> tuple[RegisteredCheck, ...]:
    """Return the checks of ``STRICT_CORE_HEALTH_CHECKS``, built once per generation."""
    global _custom_checks  # noqa: PLW0603
    built = _custom_checks
    current = _current_generation
    if built is not None and built[0] == current:
        return built[1]
    specs = getattr(settings, "STRICT_CORE_HEALTH_CHECKS", {})
    if not isinstance(specs, Mapping):
        raise ImproperlyConfigured(
            "STRICT_CORE_HEALTH_CHECKS must be a dict of key -> check."
        )
    checks = tuple(_register(key, spec, deadline) for key, spec in specs.items())
    with _state_lock:
        if current == _current_generation:
            _custom_checks = (current, checks)
    return checks


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
        timeout=_positive(options.get("TIMEOUT", deadline), f"{where}['TIMEOUT']"),
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


def _positive(value: object, name: str) -> float:
    """Return ``value`` as seconds, refusing what is not a positive number."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ImproperlyConfigured(f"{name} must be a number of seconds > 0.")
    return float(value)
