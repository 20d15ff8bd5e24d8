"""Which objects the strict checks judge: the project's own code, minus its exemptions.

Third-party code (anything imported from site-packages, the standard library or a
module without a file) is never blamed for its own views and serializers. A project
exempts one of its own objects in either of two ways:

- list its dotted path in the ``STRICT_CORE_CHECKS_EXEMPT`` setting, e.g.
  ``["legacy.views.ReportView", "legacy.views.export_csv"]`` (an ``@api_view`` function
  is named by its function's path);
- set ``strict_core_exempt = True`` on the class itself (not inherited by subclasses).
"""

from __future__ import annotations

import functools
import site
import sys
import sysconfig
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.checks import Error
from django.core.exceptions import ImproperlyConfigured

from django_strict_core.app_settings import app_settings

if TYPE_CHECKING:
    from collections.abc import Sequence

    from django.apps import AppConfig
    from django.core.checks import CheckMessage

EXEMPT_SETTING = "STRICT_CORE_CHECKS_EXEMPT"
EXEMPT_ATTRIBUTE = "strict_core_exempt"


@functools.cache
def library_roots() -> tuple[Path, ...]:
    """Return the directories holding installed distributions and the standard library.

    Besides the interpreter's own, any ``site-packages`` or ``dist-packages``
    directory on ``sys.path`` counts: a layered environment (``uv run --with``, a
    virtualenv reading another's packages through a ``.pth`` file) imports installed
    distributions from there.

    Returns:
        Resolved site-packages, user site-packages and standard library directories.
    """
    candidates = {
        sysconfig.get_path(name)
        for name in ("purelib", "platlib", "stdlib", "platstdlib")
    }
    candidates.update(site.getsitepackages())
    candidates.add(site.getusersitepackages())
    candidates.update(
        entry
        for entry in sys.path
        if Path(entry).name in ("site-packages", "dist-packages")
    )
    return tuple(Path(path).resolve() for path in candidates if path)


def is_third_party(module_name: str) -> bool:
    """Whether a module comes from an installed distribution rather than the project.

    Returns:
        True for modules under site-packages or the standard library and for modules
        without a source file; False for the project's own modules.
    """
    module = sys.modules.get(module_name)
    filename = getattr(module, "__file__", None)
    if not filename:
        return True
    path = Path(filename).resolve()
    return any(path.is_relative_to(root) for root in library_roots())


def dotted_path(cls: type[Any]) -> str:
    """Return the importable path of a class, or of the function an ``@api_view`` wraps.

    Returns:
        ``module.QualifiedName``; for ``@api_view`` classes, ``module.function_name``.
    """
    qualname = cls.__qualname__
    name = qualname if qualname.rsplit(".", 1)[-1] == cls.__name__ else cls.__name__
    return f"{cls.__module__}.{name}"


def exempt_paths() -> frozenset[str]:
    """Return the dotted paths listed in ``STRICT_CORE_CHECKS_EXEMPT``.

    Returns:
        The exempted paths; empty when the setting is absent or malformed.
    """
    try:
        return app_settings.STRICT_CORE_CHECKS_EXEMPT
    except ImproperlyConfigured:
        return frozenset()


def is_judged(cls: type[Any], app_configs: Sequence[AppConfig] | None) -> bool:
    """Whether the strict checks should judge ``cls``.

    Returns:
        True for the project's own, non-exempted classes inside the checked apps.
    """
    module = cls.__module__
    if is_third_party(module):
        return False
    if cls.__dict__.get(EXEMPT_ATTRIBUTE) is True or dotted_path(cls) in exempt_paths():
        return False
    return app_configs is None or any(in_app(module, config) for config in app_configs)


def in_app(module_name: str, app_config: AppConfig) -> bool:
    """Whether a module belongs to an app's package."""
    return module_name == app_config.name or module_name.startswith(
        f"{app_config.name}."
    )


def check_exempt_setting(**_kwargs: Any) -> list[CheckMessage]:
    """Report a ``STRICT_CORE_CHECKS_EXEMPT`` that is not a list of dotted paths.

    Returns:
        ``strict_core.E014`` when the setting is malformed.
    """
    try:
        app_settings.STRICT_CORE_CHECKS_EXEMPT  # noqa: B018 - read to check it
    except ImproperlyConfigured as exc:
        problem = str(exc)
    else:
        return []
    return [
        Error(
            problem,
            hint=f'For example {EXEMPT_SETTING} = ["myapp.views.LegacyView"].',
            obj=EXEMPT_SETTING,
            id="strict_core.E014",
        )
    ]
