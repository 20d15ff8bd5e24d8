"""Seed §6.6: no ``ModelSerializer`` of the project exposes fields implicitly.

``fields = "__all__"`` and ``exclude`` both make a serializer accept every model
field not listed, including fields added later (mass assignment). Checked: the model
serializers defined in the project's apps (each app's ``serializers`` module is
imported, so serializers no URL reaches are found too), those defined in the
URLconf modules and in the project modules they import
(:mod:`django_strict_core.checks.modules`), and the ``serializer_class`` of every
project view routed from ``ROOT_URLCONF``, wherever it is defined.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core.checks import Error
from django.utils.module_loading import module_has_submodule
from rest_framework.serializers import ALL_FIELDS, ModelSerializer

from django_strict_core.checks.exemptions import (
    EXEMPT_SETTING,
    dotted_path,
    in_app,
    is_judged,
    is_third_party,
)
from django_strict_core.checks.modules import urlconf_project_modules
from django_strict_core.checks.urls import api_routes

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from django.apps import AppConfig
    from django.core.checks import CheckMessage


def project_apps(app_configs: Sequence[AppConfig] | None) -> list[AppConfig]:
    """Return the checked apps that belong to the project, not to a distribution.

    Args:
        app_configs: The apps ``manage.py check`` was restricted to, or ``None`` for all.

    Returns:
        The project's apps.
    """
    configs = apps.get_app_configs() if app_configs is None else app_configs
    return [config for config in configs if not is_third_party(config.name)]


def load_serializers(app_configs: Sequence[AppConfig]) -> None:
    """Import each app's ``serializers`` module, if it has one.

    Args:
        app_configs: The project's apps.
    """
    for config in app_configs:
        if module_has_submodule(config.module, "serializers"):
            import_module(f"{config.name}.serializers")


def model_serializers() -> Iterator[type[ModelSerializer[Any]]]:
    """Yield every loaded subclass of ``ModelSerializer``, at any depth.

    Yields:
        Serializer classes, each once.
    """
    seen: set[type[ModelSerializer[Any]]] = set()
    pending = list(ModelSerializer.__subclasses__())
    while pending:
        cls = pending.pop()
        if cls not in seen:
            seen.add(cls)
            pending.extend(cls.__subclasses__())
            yield cls


def routed_serializers() -> set[type[ModelSerializer[Any]]]:
    """Return the model serializers that routed DRF views name as ``serializer_class``.

    Returns:
        The serializer classes.
    """
    found = set()
    for route in api_routes():
        cls = getattr(route.view, "serializer_class", None)
        if isinstance(cls, type) and issubclass(cls, ModelSerializer):
            found.add(cls)
    return found


def check_serializers(
    app_configs: Sequence[AppConfig] | None = None, **_kwargs: Any
) -> list[CheckMessage]:
    """Report model serializers using ``fields = "__all__"`` or ``exclude``.

    Args:
        app_configs: Restrict the check to these apps.
        **_kwargs: What Django passes to every check.

    Returns:
        ``strict_core.E003`` and ``strict_core.E004`` errors, sorted by serializer.
    """
    configs = project_apps(app_configs)
    load_serializers(configs)
    candidates = routed_serializers()
    modules = urlconf_project_modules()
    candidates.update(
        cls
        for cls in model_serializers()
        if cls.__module__ in modules
        or any(in_app(cls.__module__, config) for config in configs)
    )
    errors: list[CheckMessage] = []
    for cls in sorted(candidates, key=dotted_path):
        meta = getattr(cls, "Meta", None)
        if meta is not None and hasattr(meta, "model") and is_judged(cls, app_configs):
            errors.extend(serializer_errors(cls, meta))
    return errors


def serializer_errors(cls: type[ModelSerializer[Any]], meta: type) -> list[Error]:
    """Return the errors of one serializer's ``Meta``.

    Args:
        cls: The serializer.
        meta: Its (possibly inherited) ``Meta``.

    Returns:
        Zero, one or two errors.
    """
    path = dotted_path(cls)
    subject = f"Serializer {cls.__qualname__} in module {cls.__module__}"
    hint = (
        'List the fields explicitly: fields = ["id", ...] (read-only ones in '
        f"read_only_fields), or list {path!r} in {EXEMPT_SETTING}."
    )
    errors = []
    if getattr(meta, "fields", None) == ALL_FIELDS:
        errors.append(
            Error(
                f'{subject} sets Meta.fields = "__all__": every model field, '
                "including ones added later, becomes writable.",
                hint=hint,
                obj=path,
                id="strict_core.E003",
            )
        )
    if getattr(meta, "exclude", None) is not None:
        errors.append(
            Error(
                f"{subject} sets Meta.exclude: every model field not excluded, "
                "including ones added later, becomes writable.",
                hint=hint,
                obj=path,
                id="strict_core.E004",
            )
        )
    return errors
