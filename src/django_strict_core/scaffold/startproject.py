"""``startproject``: a new project in the strict layout, locked with uv.

The project is the example project's layout without its example resource: ``apps/core``
(the library's wiring and a ``serve`` command), ``apps/users`` (the custom user with
its services, selectors and API), ``config/`` (typed settings, URLs, ASGI and WSGI,
gunicorn), ``tests/`` (project-wide fixtures), the container files, and a
``pyproject.toml`` with the house Ruff, pytest and mypy configuration. After rendering,
``uv lock`` pins every dependency, so ``uv sync --frozen`` installs the same versions
everywhere.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.management.base import CommandError

import django_strict_core
from django_strict_core.scaffold.templating import TemplateFiles, check_lowercase_name

if TYPE_CHECKING:
    from argparse import ArgumentParser

PYTHON_VERSIONS = ("3.10", "3.11", "3.12", "3.13")
# The version the container files were proven with.
DEFAULT_PYTHON = "3.12"
LOCK_TIMEOUT_SECONDS = 600


class Command(TemplateFiles):
    """Create a project in the strict layout and lock its dependencies with uv."""

    help = (
        "Create a Django REST Framework project in the strict layout, built on "
        "django-strict-core, in ./NAME or in DIRECTORY, and lock it with uv."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        """Accept the name, the directory and the Python version.

        Args:
            parser: The command's argument parser.
        """
        parser.add_argument(
            "name",
            help="The project's name: its distribution, service and container name.",
        )
        parser.add_argument(
            "directory",
            nargs="?",
            help="The directory to create the project in, made when missing "
            "(default: ./NAME).",
        )
        parser.add_argument(
            "--python",
            choices=PYTHON_VERSIONS,
            default=DEFAULT_PYTHON,
            help=f"The Python version the project runs on (default: {DEFAULT_PYTHON}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:  # noqa: ARG002
        """Render the project, then lock it.

        Args:
            *args: Unused positional arguments.
            **options: ``name``, ``directory``, ``python`` and Django's options.

        Raises:
            CommandError: When the name or directory is unusable, or locking fails.
        """
        name: str = options["name"]
        check_lowercase_name(name, "project")
        directory: str | None = options["directory"]
        top_dir = (
            Path.cwd() / name
            if directory is None
            else Path(directory).expanduser().resolve()
        )
        render_project(
            self,
            name,
            None if directory is None else top_dir,
            python_version=options["python"],
            verbosity=options["verbosity"],
        )
        lock(self, top_dir, verbosity=options["verbosity"])
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"Created the project {name} in {top_dir}. Next:\n"
                f"  cd {os.path.relpath(top_dir)}\n"
                "  uv run python manage.py serve\n"
                "  uv run python -m django_strict_core startapp NAME"
            )


def render_project(
    command: TemplateFiles,
    name: str,
    target: Path | None,
    *,
    python_version: str,
    verbosity: int = 1,
) -> None:
    """Render the project template, without locking it.

    Args:
        command: The command instance.
        name: The project's name.
        target: The directory to render into, made (with its parents) when
            missing, as Django 6.0's ``startproject`` does; ``None`` creates
            ``./<name>``.
        python_version: One of :data:`PYTHON_VERSIONS`.
        verbosity: Django's verbosity level.

    Raises:
        CommandError: When the Python version is unsupported or Django's template
            command refuses the name or directory.
    """
    if python_version not in PYTHON_VERSIONS:
        raise CommandError(
            f"Python {python_version} is not supported: choose one of "
            f"{', '.join(PYTHON_VERSIONS)}."
        )
    # Django 5.2 refuses a missing directory and 6.0 creates it: created here, the
    # command behaves alike on every supported Django.
    made: Path | None = None
    if target is not None and not target.exists():
        target.mkdir(parents=True)
        made = target
    try:
        command.render(
            "project",
            name,
            target,
            python_version=python_version,
            python_target="py" + python_version.replace(".", ""),
            strict_core_version=django_strict_core.__version__,
            verbosity=verbosity,
        )
    except CommandError:
        if made is not None and not any(made.iterdir()):
            made.rmdir()
        raise
    top_dir = Path.cwd() / name if target is None else target
    (top_dir / "manage.py").chmod(0o755)


def find_uv() -> str | None:
    """Return the uv executable: the one installed beside this Python, else on PATH.

    Returns:
        Its path, or ``None`` when there is none.
    """
    beside = shutil.which("uv", path=str(Path(sys.executable).parent))
    return beside or shutil.which("uv")


def lock(command: TemplateFiles, directory: Path, *, verbosity: int = 1) -> None:
    """Run ``uv lock`` for the project in ``directory`` and pass on what it prints.

    uv runs from the current directory with ``--directory``: a version manager's
    shim of uv resolves the same way as for the caller.

    Args:
        command: The command instance (its error stream is used).
        directory: The rendered project.
        verbosity: Django's verbosity level; 0 prints uv's output only on failure.

    Raises:
        CommandError: When uv is missing or locking fails; the rendered files stay.
    """
    uv = find_uv()
    if uv is None:
        raise CommandError(
            f"uv was not found on PATH; the project is rendered in {directory}. "
            "Install uv (https://docs.astral.sh/uv/) and run `uv lock` there."
        )
    # The caller's virtual environment is not the project's; uv would warn about it.
    environment = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    result = subprocess.run(  # noqa: S603 - uv itself, fixed arguments
        [uv, "lock", "--directory", str(directory)],
        env=environment,
        capture_output=True,
        text=True,
        timeout=LOCK_TIMEOUT_SECONDS,
        check=False,
    )
    if result.stderr and (verbosity >= 1 or result.returncode != 0):
        command.stderr.write(result.stderr, ending="")
    if result.returncode != 0:
        raise CommandError(
            f"`uv lock` failed (exit status {result.returncode}); the project is "
            f"rendered in {directory}: fix the cause above and run `uv lock` there."
        )
