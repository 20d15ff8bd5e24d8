"""The settings Django ended up with, compared with what ``build_settings`` produced.

``build_settings`` leaves a fingerprint in ``STRICT_CORE_FINGERPRINT``
(:mod:`django_strict_core.conf.fingerprint`). Two orders of an existing
``settings.py`` lose settings without an error:

- the call first, the old definitions below it: they replace what the environment
  configured (``strict_core.E015``), the baseline's middleware
  (``strict_core.E016``) or its ``REST_FRAMEWORK`` keys (``strict_core.E017``);
- the call last, without ``merge=globals()``: the baseline replaces the project's
  own middleware, DRF keys and other settings defined before it
  (``strict_core.E018``).

Projects configured without ``build_settings`` have no fingerprint and are not
checked here.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from django.conf import ENVIRONMENT_VARIABLE, settings
from django.core.checks import Error

from django_strict_core.conf.fingerprint import (
    CACHE_FIELDS,
    DATABASE_FIELDS,
    FINGERPRINT_SETTING,
    KEYED_SETTINGS,
    connection_digest,
    digest,
)

if TYPE_CHECKING:
    from django.core.checks import CheckMessage

MERGE_HINT = (
    "or build the settings last, keeping yours: "
    "globals().update(build_settings(SETTINGS, base_dir=BASE_DIR, merge=globals()))"
)
VARIABLES = {
    "SECRET_KEY": "DJANGO_SECRET_KEY",
    "DEBUG": "DJANGO_DEBUG",
    "ALLOWED_HOSTS": "DJANGO_ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS": "DJANGO_CSRF_TRUSTED_ORIGINS",
    "DATABASES": "DATABASE_URL",
    "CACHES": "REDIS_URL",
}
# Reported by strict_core.E011 already.
OWN_MIDDLEWARE = "django_strict_core."
DEFAULT_ALIAS = "default"


def built_fingerprint() -> dict[str, Any] | None:
    """Return the fingerprint ``build_settings`` left, if the project used it.

    Returns:
        The fingerprint, or ``None``.
    """
    value = getattr(settings, FINGERPRINT_SETTING, None)
    return value if isinstance(value, dict) else None


def check_environment_settings(**_kwargs: Any) -> list[CheckMessage]:
    """Report settings derived from the environment that were replaced after the call.

    Compared: the secret key, ``DEBUG`` turned on, hosts and origins that went
    missing, and the server, account and backend of the ``default`` database and
    cache. Additions (another host, a tuned option) are not replacements.

    Args:
        **_kwargs: What Django passes to every check.

    Returns:
        ``strict_core.E015`` errors, one per setting.
    """
    built = built_fingerprint()
    if built is None:
        return []
    expected = built["environment"]
    problems: dict[str, str] = {}
    if digest(str(getattr(settings, "SECRET_KEY", ""))) != expected["SECRET_KEY"]:
        problems["SECRET_KEY"] = "is not the key read from DJANGO_SECRET_KEY"  # noqa: S105
    if settings.DEBUG and not expected["DEBUG"]:
        problems["DEBUG"] = "is True, but the environment turned it off"
    for name in ("ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS"):
        current = set(getattr(settings, name, ()) or ())
        lost = [entry for entry in expected[name] if entry not in current]
        if lost:
            problems[name] = f"lacks {', '.join(map(repr, lost))} from DJANGO_{name}"
    databases = getattr(settings, "DATABASES", None) or {}
    if (
        connection_digest(databases.get(DEFAULT_ALIAS), DATABASE_FIELDS)
        != expected["DATABASES"]
    ):
        problems["DATABASES"] = (
            f"['{DEFAULT_ALIAS}'] is not the {built['database_engine']} database "
            + (
                "DATABASE_URL gives"
                if built["database_url"]
                else "build_settings uses while DATABASE_URL is unset"
            )
        )
    caches = getattr(settings, "CACHES", None) or {}
    if connection_digest(caches.get(DEFAULT_ALIAS), CACHE_FIELDS) != expected["CACHES"]:
        problems["CACHES"] = (
            f"['{DEFAULT_ALIAS}'] is not the cache build_settings configured "
            + ("from REDIS_URL" if built["redis_url"] else "while REDIS_URL is unset")
        )
    return [
        Error(
            f"{setting}{' ' if problem[0] != '[' else ''}{problem}: it was replaced "
            "after build_settings().",
            hint=f"Delete the later {setting} assignment from the settings module "
            f"and set {VARIABLES[setting]} instead, {MERGE_HINT}.",
            obj=setting,
            id="strict_core.E015",
        )
        for setting, problem in problems.items()
    ]


def check_baseline_kept(**_kwargs: Any) -> list[CheckMessage]:
    """Report baseline middleware and ``REST_FRAMEWORK`` keys missing from the settings.

    This package's own middleware is left to ``strict_core.E011``.

    Args:
        **_kwargs: What Django passes to every check.

    Returns:
        ``strict_core.E016`` (middleware) and ``strict_core.E017``
        (``REST_FRAMEWORK`` keys) errors.
    """
    built = built_fingerprint()
    if built is None:
        return []
    errors: list[CheckMessage] = []
    middleware = [str(entry) for entry in getattr(settings, "MIDDLEWARE", None) or ()]
    lost = [
        entry
        for entry in built["middleware"]
        if entry not in middleware and not entry.startswith(OWN_MIDDLEWARE)
    ]
    if lost:
        errors.append(
            Error(
                f"MIDDLEWARE lacks {', '.join(lost)} of the baseline: MIDDLEWARE "
                "was replaced after build_settings().",
                hint="Add to the MIDDLEWARE list build_settings returns instead of "
                "assigning a new one (MIDDLEWARE.insert(...), MIDDLEWARE.append(...)), "
                f"{MERGE_HINT}; silence strict_core.E016 if you removed them on purpose.",
                obj="MIDDLEWARE",
                id="strict_core.E016",
            )
        )
    config = getattr(settings, "REST_FRAMEWORK", None) or {}
    missing = [key for key in built["rest_framework"] if key not in config]
    if missing:
        errors.append(
            Error(
                f"REST_FRAMEWORK lacks the keys {', '.join(missing)} that "
                "build_settings set: REST_FRAMEWORK was replaced after the call.",
                hint='Change single keys after the call (REST_FRAMEWORK["PAGE_SIZE"] '
                f"= 50) instead of assigning a new dict, {MERGE_HINT}.",
                obj="REST_FRAMEWORK",
                id="strict_core.E017",
            )
        )
    return errors


def check_project_settings_kept(**_kwargs: Any) -> list[CheckMessage]:
    """Report a project's settings that ``build_settings`` replaced when called last.

    Only what ``merge=globals()`` would have kept is reported, and only while it is
    still missing from the final settings.

    Args:
        **_kwargs: What Django passes to every check.

    Returns:
        One ``strict_core.E018`` error listing what was lost.
    """
    built = built_fingerprint()
    replaced = built.get("replaced") if built is not None else None
    if not replaced:
        return []
    lost = [*lost_entries(replaced), *lost_values(replaced)]
    if not lost:
        return []
    return [
        Error(
            f"build_settings() replaced settings defined before it: {'; '.join(lost)}.",
            hint="Call it with the settings defined so far, at the end of the "
            "settings module: "
            "globals().update(build_settings(SETTINGS, base_dir=BASE_DIR, "
            "merge=globals())).",
            obj=settings_module(),
            id="strict_core.E018",
        )
    ]


def settings_module() -> str:
    """Return the settings module's name, to point at the file to change.

    Returns:
        ``DJANGO_SETTINGS_MODULE`` (also while ``override_settings`` is active), or
        ``settings``.
    """
    name = getattr(settings, "SETTINGS_MODULE", None) or os.environ.get(
        ENVIRONMENT_VARIABLE
    )
    return str(name or "settings")


def lost_entries(replaced: dict[str, Any]) -> list[str]:
    """Describe the list entries and aliases of a project that are still missing.

    Args:
        replaced: The fingerprint's ``replaced`` section.

    Returns:
        E.g. ``MIDDLEWARE entries corsheaders.middleware.CorsMiddleware``.
    """
    lost = []
    for name, what in (
        ("MIDDLEWARE", "entries"),
        ("SECURE_REDIRECT_EXEMPT", "patterns"),
        ("DATABASES", "aliases"),
        ("CACHES", "aliases"),
    ):
        current = getattr(settings, name, None) or ()
        missing = [entry for entry in replaced.get(name, ()) if entry not in current]
        if missing:
            lost.append(f"{name} {what} {', '.join(missing)}")
    return lost


def lost_values(replaced: dict[str, Any]) -> list[str]:
    """Describe the keys and values of a project that are still not in effect.

    Args:
        replaced: The fingerprint's ``replaced`` section.

    Returns:
        E.g. ``REST_FRAMEWORK keys PAGE_SIZE``.
    """
    lost = []
    for name in KEYED_SETTINGS:
        current = getattr(settings, name, None) or {}
        missing = [
            key
            for key, value_digest in replaced.get(name, {}).items()
            if key not in current or digest(current[key]) != value_digest
        ]
        if missing:
            lost.append(f"{name} keys {', '.join(missing)}")
    auto_field = replaced.get("DEFAULT_AUTO_FIELD")
    if auto_field and getattr(settings, "DEFAULT_AUTO_FIELD", None) != auto_field:
        lost.append(f"DEFAULT_AUTO_FIELD {auto_field}")
    return lost
