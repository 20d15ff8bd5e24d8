"""Which modules hold the project's code beyond its apps: the URLconfs and their imports.

A project defines views and serializers outside its apps too: in ``urls.py`` itself,
or in a package that a URLconf imports from without being an installed app. The
checks that look for classes by module (``strict_core.E003`` and ``E004``) look in
every URLconf module reached from ``ROOT_URLCONF`` (through nested ``include()``\\ s)
and in the project's modules that these URLconfs import, directly or as the module
of a name they import. Third-party modules are never part of the project.
"""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import URLResolver, get_resolver

from django_strict_core.checks.exemptions import is_third_party

if TYPE_CHECKING:
    from collections.abc import Iterator


def urlconf_modules() -> list[ModuleType]:
    """Return the URLconf modules reached from ``ROOT_URLCONF``, the root first.

    Returns:
        Each module once; empty when ``ROOT_URLCONF`` is not set.
    """
    if not getattr(settings, "ROOT_URLCONF", None):
        return []
    found: dict[str, ModuleType] = {}
    pending = [get_resolver()]
    while pending:
        resolver = pending.pop()
        module = resolver.urlconf_module
        if isinstance(module, ModuleType):
            if module.__name__ in found:
                continue
            found[module.__name__] = module
        pending.extend(
            entry for entry in resolver.url_patterns if isinstance(entry, URLResolver)
        )
    return list(found.values())


def imported_module_names(module: ModuleType) -> Iterator[str]:
    """Yield the names of the modules a module imported, or imported names from.

    Args:
        module: A loaded module.

    Yields:
        Module names, possibly repeated: those of module objects in its globals,
        and the ``__module__`` of the classes and functions in them.
    """
    for value in vars(module).values():
        if isinstance(value, ModuleType):
            yield value.__name__
        else:
            owner = getattr(value, "__module__", None)
            if isinstance(owner, str) and (isinstance(value, type) or callable(value)):
                yield owner


def urlconf_project_modules() -> set[str]:
    """Return the project's URLconf modules and the project modules they import.

    Returns:
        Module names, third-party modules excluded.
    """
    names: set[str] = set()
    for module in urlconf_modules():
        names.add(module.__name__)
        names.update(imported_module_names(module))
    return {name for name in names if not is_third_party(name)}
