"""``python -m django_strict_core``: create projects and apps in the strict layout.

    python -m django_strict_core startproject NAME [DIRECTORY] [--python 3.12]
    python -m django_strict_core startapp NAME [--model MODEL]

The ``django-strict-core`` console script is the same entry point.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from django.core.management.base import BaseCommand

USAGE = """usage: python -m django_strict_core COMMAND [ARGS]

Commands:
  startproject NAME [DIRECTORY]  create a project in the strict layout, locked with uv
  startapp NAME                  add a layered app under apps/ of the current project

"python -m django_strict_core COMMAND --help" describes a command's options.
"""


def command_for(name: str) -> BaseCommand | None:
    """Return the command called ``name``, or ``None`` for an unknown one.

    Args:
        name: ``startproject`` or ``startapp``.

    Returns:
        A fresh command instance.
    """
    # Imported here: ``--help`` needs neither module.
    if name == "startproject":
        from django_strict_core.scaffold import startproject  # noqa: PLC0415

        return startproject.Command()
    if name == "startapp":
        from django_strict_core.scaffold import startapp  # noqa: PLC0415

        return startapp.Command()
    return None


def program() -> str:
    """Return how the user called this program, for usage lines."""
    script = Path(sys.argv[0]).name if sys.argv else ""
    return script if script == "django-strict-core" else "python -m django_strict_core"


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command from the command line.

    Args:
        argv: The arguments after the program name (default: ``sys.argv[1:]``).

    Returns:
        The process exit status: 0 on success, 1 for an unknown command or an
        error the command reported, 2 for a usage error.
    """
    arguments = list(sys.argv[1:] if argv is None else argv)
    # ``python -m`` puts the current directory on the path; there, it is where
    # projects are created, and a folder in it must not count as an existing module.
    if sys.path and sys.path[0] in {"", str(Path.cwd())}:
        del sys.path[0]
    if not arguments or arguments[0] in {"-h", "--help", "help"}:
        sys.stdout.write(USAGE)
        return 0 if arguments else 2
    command = command_for(arguments[0])
    if command is None:
        sys.stderr.write(f"Unknown command: {arguments[0]!r}\n\n{USAGE}")
        return 1
    try:
        command.run_from_argv([program(), *arguments])
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
