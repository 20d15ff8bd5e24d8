"""The library's own ``STRICT_CORE_*`` settings: their defaults and one typed accessor.

Every module reads them through :data:`app_settings`, never with ``getattr`` on
``django.conf.settings``::

    from django_strict_core.app_settings import app_settings

    app_settings.STRICT_CORE_MAX_PAGE_SIZE  # 100 unless the project says otherwise

A value is read from Django's settings on first access, checked, and kept until a
``STRICT_CORE_*`` setting changes (``override_settings`` and pytest-django's
``settings`` fixture say so through ``setting_changed``), so the request path pays a
plain attribute lookup. Importing this module needs no configured settings.

Objects built from settings live in :class:`~django_strict_core.scoped.SettingsScoped`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final, Generic, TypeVar, overload

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from collections.abc import Callable

    from django_strict_core.exceptions.handler import ExceptionHandler

T = TypeVar("T")

PREFIX: Final = "STRICT_CORE_"

# Constants that more than one module needs, defined once.
DEFAULT_API_PREFIXES: Final = ("/api/",)
DEPLOYED_PROFILES: Final = frozenset({"staging", "production"})
EXCEPTION_HANDLER: Final = "django_strict_core.exceptions.exception_handler"
EXCEPTION_HANDLER_CLASS: Final = "django_strict_core.exceptions.ExceptionHandler"
DEFAULT_MAX_PAGE_SIZE: Final = 100
DEFAULT_HEALTH_TIMEOUT: Final = 0.5
DEFAULT_FAIL_OPEN_SECONDS: Final = 5.0
DEFAULT_UNAVAILABLE_RETRY_AFTER: Final = 5
SCHEMA_ACCESS: Final = ("public", "staff", "off")
UNDEPLOYED_PROFILES: Final = frozenset({"local", "test"})


def _flag(_name: str, value: object) -> bool:
    return bool(value)


def _profile(_name: str, value: object) -> str | None:
    return value if isinstance(value, str) else None


def _strings(name: str, value: object) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, (list, tuple, set, frozenset)):
        raise ImproperlyConfigured(
            f"{name} must be a list of strings, got {type(value).__name__}."
        )
    if not all(isinstance(item, str) for item in value):
        raise ImproperlyConfigured(f"{name} must be a list of strings.")
    return tuple(value)


def _string_set(name: str, value: object) -> frozenset[str]:
    return frozenset(_strings(name, value))


def _dotted_paths(name: str, value: object) -> frozenset[str]:
    try:
        return frozenset(_strings(name, value))
    except ImproperlyConfigured:
        raise ImproperlyConfigured(
            f"{name} must be a list of dotted paths, got {type(value).__name__}."
        ) from None


def _aliases(name: str, value: object) -> tuple[str, ...] | None:
    if value is None:
        return None
    try:
        return _strings(name, value)
    except ImproperlyConfigured:
        raise ImproperlyConfigured(
            f"{name} must be None or a list of aliases."
        ) from None


def _positive_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ImproperlyConfigured(f"{name} must be a positive integer.")
    return value


def _seconds(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ImproperlyConfigured(f"{name} must be a number of seconds > 0.")
    return float(value)


def _seconds_or_zero(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ImproperlyConfigured(f"{name} must be a number of seconds >= 0.")
    return float(value)


def _mapping(name: str, value: object) -> Mapping[Any, object]:
    if not isinstance(value, Mapping):
        raise ImproperlyConfigured(f"{name} must be a dict of key -> check.")
    return value


def _schema_access(name: str, value: object) -> str:
    if value is None:
        # Read through the accessor: a change to either setting reloads both.
        profile = app_settings.STRICT_CORE_ENV
        return "public" if profile in UNDEPLOYED_PROFILES else "staff"
    if value not in SCHEMA_ACCESS:
        raise ImproperlyConfigured(
            f"{name} must be one of {', '.join(map(repr, SCHEMA_ACCESS))} or None, "
            f"got {value!r}."
        )
    return str(value)


def _handler_class(name: str, value: object) -> type[ExceptionHandler]:
    # Imported here: the handler module reads this accessor.
    from django_strict_core.exceptions.handler import (  # noqa: PLC0415
        ExceptionHandler,
    )

    try:
        cls = import_string(value) if isinstance(value, str) else value
    except ImportError as exc:
        raise ImproperlyConfigured(f"{name}: cannot import {value!r}.") from exc
    if not isinstance(cls, type) or not issubclass(cls, ExceptionHandler):
        raise ImproperlyConfigured(
            f"{name} must name a subclass of {EXCEPTION_HANDLER_CLASS}, got {value!r}."
        )
    return cls


class Setting(Generic[T]):
    """One ``STRICT_CORE_*`` setting: its default and how its value is checked.

    A descriptor on :class:`StrictCoreSettings`: reading it returns the checked value
    and keeps it on the instance until the settings change. An invalid value raises
    ``ImproperlyConfigured`` naming the setting, on every read.
    """

    name: str

    def __init__(self, read: Callable[[str, Any], T], *, default: object) -> None:
        """Declare the setting.

        Args:
            read: Turns the raw value into the typed one, or raises
                ``ImproperlyConfigured``; called with the setting's name and value.
            default: The value when the project does not set it.
        """
        self.default = default
        self.read = read

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type) -> Setting[T]: ...

    @overload
    def __get__(self, instance: StrictCoreSettings, owner: type) -> T: ...

    def __get__(
        self, instance: StrictCoreSettings | None, owner: type
    ) -> T | Setting[T]:
        if instance is None:
            return self
        generation = instance.generation
        value = self.read(self.name, getattr(settings, self.name, self.default))
        # Kept only if no change arrived while it was read.
        if generation == instance.generation:
            instance.__dict__[self.name] = value
        return value


class StrictCoreSettings:
    """The ``STRICT_CORE_*`` settings with their defaults, one typed attribute each.

    Use the module's :data:`app_settings` instance. The pages of the documentation
    that explain each setting are named in its description.
    """

    STRICT_CORE_ENV = Setting(_profile, default=None)
    """The ``DJANGO_ENV`` profile, for the system checks (``build_settings`` sets it)."""

    STRICT_CORE_API_PREFIXES = Setting(_strings, default=DEFAULT_API_PREFIXES)
    """Path prefixes answered with the error envelope (docs/errors.md)."""

    STRICT_CORE_EXCEPTION_HANDLER_CLASS = Setting(
        _handler_class, default=EXCEPTION_HANDLER_CLASS
    )
    """The ``ExceptionHandler`` class the exception handler runs (docs/errors.md)."""

    STRICT_CORE_UNAVAILABLE_RETRY_AFTER = Setting(
        _positive_int, default=DEFAULT_UNAVAILABLE_RETRY_AFTER
    )
    """``Retry-After`` seconds of a 503 when a backend is unreachable (docs/errors.md)."""

    STRICT_CORE_MAX_PAGE_SIZE = Setting(_positive_int, default=DEFAULT_MAX_PAGE_SIZE)
    """Largest ``?page_size=`` a pagination class honours (docs/pagination.md)."""

    STRICT_CORE_CHECKS_EXEMPT = Setting(_dotted_paths, default=())
    """Views and serializers the system checks leave alone (docs/checks.md)."""

    STRICT_CORE_TRUST_REQUEST_ID = Setting(_flag, default=True)
    """Keep a well-formed incoming ``X-Request-ID`` (docs/logging.md)."""

    STRICT_CORE_ACCESS_LOG_PROBES = Setting(_flag, default=False)
    """Write access records for health probes too (docs/logging.md)."""

    STRICT_CORE_ACCESS_LOG_SKIP_PATHS = Setting(_string_set, default=())
    """Exact paths that leave no access record (docs/logging.md)."""

    STRICT_CORE_ACCESS_LOG_QUERY_STRING = Setting(_flag, default=False)
    """Add the raw query string to access records (docs/logging.md)."""

    STRICT_CORE_HEALTH_TIMEOUT = Setting(_seconds, default=DEFAULT_HEALTH_TIMEOUT)
    """Default deadline of each health check, seconds (docs/health.md)."""

    STRICT_CORE_HEALTH_CACHE_SECONDS = Setting(_seconds_or_zero, default=0)
    """How long a finished health report is reused; 0 never (docs/health.md)."""

    STRICT_CORE_HEALTH_DATABASES = Setting(_aliases, default=None)
    """Database aliases to check; ``None`` means every one (docs/health.md)."""

    STRICT_CORE_HEALTH_CACHES = Setting(_aliases, default=None)
    """Cache aliases to check; ``None`` means every one (docs/health.md)."""

    STRICT_CORE_HEALTH_CHECKS = Setting(_mapping, default={})
    """The project's own health checks, ``{key: spec}`` (docs/health.md)."""

    STRICT_CORE_SCHEMA_ACCESS = Setting(_schema_access, default=None)
    """Who reads the OpenAPI schema and docs routes: ``public``, ``staff`` or ``off``;
    by default public in local and test, staff elsewhere (docs/api-docs.md)."""

    STRICT_CORE_THROTTLE_FAIL_OPEN = Setting(_flag, default=True)
    """Let requests through when the throttles' cache fails (docs/throttling.md)."""

    STRICT_CORE_THROTTLE_FAIL_OPEN_SECONDS = Setting(
        _seconds_or_zero, default=DEFAULT_FAIL_OPEN_SECONDS
    )
    """Seconds the throttles skip a failing cache (docs/throttling.md)."""

    def __init__(self) -> None:
        """Start with nothing read."""
        self.generation = 0

    def reload(self) -> None:
        """Forget every value read so far; the next read sees the current settings."""
        self.generation += 1
        for name in list(self.__dict__):
            if name.startswith(PREFIX):
                del self.__dict__[name]


app_settings = StrictCoreSettings()
"""The accessor every module of the library reads its settings through."""


def _reload_app_settings(*, setting: str, **_kwargs: Any) -> None:
    if setting.startswith(PREFIX):
        app_settings.reload()


setting_changed.connect(_reload_app_settings, dispatch_uid=f"{__name__}.reload")
