"""What the two commands share: the template directory and Django's template command."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.management.base import CommandError
from django.core.management.templates import TemplateCommand

if TYPE_CHECKING:
    from collections.abc import Mapping

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


def render(
    command: TemplateCommand,
    kind: str,
    name: str,
    target: Path | None,
    *,
    context: Mapping[str, Any],
    rendered_files: tuple[str, ...] = (),
    verbosity: int = 1,
) -> None:
    """Render ``templates/<kind>`` with Django's template command.

    Python files (``.py-tpl``, written as ``.py``) and ``rendered_files`` (by name)
    go through the Django template language with ``context``; other files are copied.

    Args:
        command: The command instance (its output streams are used).
        kind: ``project`` or ``app``.
        name: The project's or app's name.
        target: The directory to render into; ``None`` creates ``./<name>``.
        context: Template variables besides Django's own.
        rendered_files: Names of non-Python files to render.
        verbosity: Django's verbosity level.
    """
    TemplateCommand.handle(
        command,
        kind,
        name,
        None if target is None else str(target),
        template=str(TEMPLATES / kind),
        extensions=["py"],
        files=list(rendered_files),
        verbosity=verbosity,
        **context,
    )
