"""Combine the baseline with a project's existing settings (``build_settings(merge=...)``).

An existing ``settings.py`` already defines middleware, apps, DRF options and more.
``build_settings(SETTINGS, base_dir=BASE_DIR, merge=globals())`` at the end of it
returns the baseline combined with them:

- ``MIDDLEWARE``: the project's list in its own order, with this package's middleware
  first and any of the baseline's Django middleware it lacks inserted after the
  baseline entry that precedes it;
- ``INSTALLED_APPS``: the project's list, plus the apps the baseline needs
  (``REQUIRED_APPS``) that it does not list;
- ``REST_FRAMEWORK`` and ``SPECTACULAR_SETTINGS``: the baseline's keys, then the
  project's, which win;
- ``DATABASES`` and ``CACHES``: the project's aliases, with ``default`` from the
  environment;
- ``SECURE_REDIRECT_EXEMPT``: the baseline's patterns, then the project's;
- ``DEFAULT_AUTO_FIELD``: the project's (changing it would migrate every model);
- every other setting the baseline returns comes from the baseline: it is derived
  from the environment or is the strict default; settings the baseline does not
  return are kept as they are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

REQUIRED_APPS = ("rest_framework", "rest_framework.authtoken", "drf_spectacular")
OWN_APP = "django_strict_core"
OWN_PREFIX = f"{OWN_APP}."
DEFAULT_ALIAS = "default"


def merge_settings(
    baseline: Mapping[str, Any], existing: Mapping[str, Any]
) -> dict[str, Any]:
    """Return the baseline combined with a project's existing settings.

    Args:
        baseline: What ``build_settings`` returns on its own.
        existing: The project's settings so far, e.g. the ``globals()`` of
            ``settings.py``; only upper-case names are settings.

    Returns:
        The existing settings, updated with the baseline as the module docstring
        describes.
    """
    result = {key: value for key, value in existing.items() if key.isupper()}
    for key, value in baseline.items():
        combine = COMBINED.get(key)
        result[key] = (
            value
            if combine is None or key not in existing
            else combine(value, existing[key])
        )
    if "INSTALLED_APPS" in existing:
        result["INSTALLED_APPS"] = merge_apps(existing["INSTALLED_APPS"])
    return result


def merge_middleware(baseline: Sequence[str], project: Sequence[str]) -> list[str]:
    """Return the project's middleware with the baseline's in the places it needs.

    Args:
        baseline: The baseline's ``MIDDLEWARE``.
        project: The project's ``MIDDLEWARE``.

    Returns:
        This package's middleware first, then the project's list in its order, with
        each baseline entry it lacks inserted after the entry before it in the
        baseline.
    """
    own = [entry for entry in baseline if entry.startswith(OWN_PREFIX)]
    result = [*own, *(entry for entry in project if entry not in own)]
    for index, entry in enumerate(baseline):
        if entry not in result:
            previous = baseline[index - 1] if index else None
            position = result.index(previous) + 1 if previous in result else len(own)
            result.insert(position, entry)
    return result


def merge_apps(project: Sequence[str]) -> list[str]:
    """Return the project's ``INSTALLED_APPS`` plus the apps the baseline needs.

    An app counts as listed under its module path or as one of its ``apps``
    module's configs (``"rest_framework.apps.RestFrameworkConfig"``).

    Args:
        project: The project's ``INSTALLED_APPS``.

    Returns:
        The project's list, then the missing ones of ``REQUIRED_APPS`` and this
        package.
    """
    listed = [str(entry) for entry in project]
    missing = [
        app
        for app in (*REQUIRED_APPS, OWN_APP)
        if not any(entry == app or entry.startswith(f"{app}.apps.") for entry in listed)
    ]
    return [*listed, *missing]


def merge_keys(
    baseline: Mapping[str, Any], project: Mapping[str, Any]
) -> dict[str, Any]:
    """Return the baseline's keys updated with the project's.

    Args:
        baseline: The baseline's dict, e.g. ``REST_FRAMEWORK``.
        project: The project's.

    Returns:
        A new dict; the project's values win.
    """
    return {**baseline, **project}


def merge_aliases(
    baseline: Mapping[str, Any], project: Mapping[str, Any]
) -> dict[str, Any]:
    """Return the project's aliases with ``default`` from the baseline.

    Args:
        baseline: The baseline's ``DATABASES`` or ``CACHES``.
        project: The project's.

    Returns:
        A new dict: the project's other aliases (replicas, a second cache) are kept.
    """
    return {**project, DEFAULT_ALIAS: baseline[DEFAULT_ALIAS]}


def merge_patterns(baseline: Sequence[str], project: Sequence[str]) -> list[str]:
    """Return the baseline's patterns followed by the project's other ones.

    Args:
        baseline: The baseline's ``SECURE_REDIRECT_EXEMPT``.
        project: The project's.

    Returns:
        Both lists, without repeats.
    """
    return [*baseline, *(pattern for pattern in project if pattern not in baseline)]


def keep_project(_baseline: Any, project: Any) -> Any:
    """Return the project's value."""
    return project


COMBINED: dict[str, Callable[[Any, Any], Any]] = {
    "MIDDLEWARE": merge_middleware,
    "REST_FRAMEWORK": merge_keys,
    "SPECTACULAR_SETTINGS": merge_keys,
    "DATABASES": merge_aliases,
    "CACHES": merge_aliases,
    "SECURE_REDIRECT_EXEMPT": merge_patterns,
    "DEFAULT_AUTO_FIELD": keep_project,
}
