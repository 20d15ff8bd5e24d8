"""What the two commands share: the template directories and Django's template command.

Every file of a template ends in ``-tpl``, which rendering removes (``.py-tpl`` is
Django's own suffix): tools never take a template for the real thing (a
``pyproject.toml`` with template variables in it would stop Ruff, a ``.gitignore``
would hide files of this package from git), and every file is rendered, so the
project's name and versions can appear in any of them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.core.management.templates import TemplateCommand

TEMPLATES = Path(__file__).resolve().parent / "templates"
# Names that are identifiers, module paths, URL segments and container names at once.
LOWERCASE_NAME = re.compile(r"[a-z][a-z0-9_]*")


def check_lowercase_name(name: str, what: str) -> None:
    """Refuse a name that cannot serve as module, distribution and container name.

    Args:
        name: The name given on the command line.
        what: ``project`` or ``app``, for the message.

    Raises:
        CommandError: When ``name`` is not a lowercase letter followed by lowercase
            letters, digits and underscores.
    """
    if not LOWERCASE_NAME.fullmatch(name):
        raise CommandError(
            f"'{name}' is not a valid {what} name: use a lowercase letter followed by "
            "lowercase letters, digits and underscores (it names a Python package, "
            "a URL segment and containers)."
        )


class TemplateFiles(TemplateCommand):
    """Django's template command, reading the ``-tpl`` files of this package."""

    rewrite_template_suffixes = ((".py-tpl", ".py"), ("-tpl", ""))

    def render(self, kind: str, name: str, target: Path | None, **options: Any) -> None:
        """Render ``templates/<kind>`` with Django's template command.

        Every file goes through the Django template language, with ``options`` as
        variables besides Django's own, and is written without its ``-tpl`` suffix.

        Args:
            kind: ``project`` or ``app``.
            name: The project's or app's name.
            target: The directory to render into; ``None`` creates ``./<name>``.
            **options: ``verbosity`` and the template's variables.
        """
        template = TEMPLATES / kind
        TemplateCommand.handle(
            self,
            kind,
            name,
            None if target is None else str(target),
            template=str(template),
            extensions=["py"],
            files=sorted({path.name for path in template.rglob("*-tpl")}),
            **options,
        )
