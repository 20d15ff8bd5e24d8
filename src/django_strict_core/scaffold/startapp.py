"""``startapp``: a layered app under ``apps/`` of a strict project, registered in it.

The app holds one model owned by a user (``owner``, ``name`` unique per owner,
timestamps) and every layer of the strict layout around it: its first migration,
serializers with explicit fields, services (writes) and selectors (reads), a viewset
with explicit authentication and permission classes and bounded pagination, routes,
the admin, and tests with a factory. It is added to ``INSTALLED_APPS`` and its routes
are mounted under ``/api/``. When the project's environment has Ruff, the new files
are formatted with the project's configuration, as Django's own ``startapp`` runs
Black: names longer than usual may need different line breaks.
"""

from __future__ import annotations

import keyword
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.management.base import CommandError
from django.utils.text import camel_case_to_spaces

from django_strict_core.scaffold.registration import (
    RegistrationError,
    add_api_route,
    add_installed_app,
)
from django_strict_core.scaffold.templating import TemplateFiles, check_lowercase_name

if TYPE_CHECKING:
    from argparse import ArgumentParser

# App labels of the project template's INSTALLED_APPS, its route prefixes under /api/,
# and the project's own top-level packages.
RESERVED_APP_NAMES = frozenset(
    {
        "admin",
        "auth",
        "authtoken",
        "contenttypes",
        "drf_spectacular",
        "messages",
        "rest_framework",
        "sessions",
        "staticfiles",
        "strict_core",
        "core",
        "users",
        "health",
        "schema",
        "docs",
        "apps",
        "config",
        "tests",
    }
)
# Class names the app's modules import or define next to the model (``Meta`` among them).
RESERVED_MODEL_NAMES = frozenset(
    {
        "APIClient",
        "AnonymousUser",
        "AppConfig",
        "IsOwnerOrStaff",
        "Meta",
        "Migration",
        "QuerySet",
        "Request",
        "Response",
        "SessionAuthentication",
        "SimpleRouter",
        "StandardPagination",
        "Token",
        "TokenAuthentication",
        "User",
        "ValidationError",
    }
)
MODEL_NAME = re.compile(r"[A-Z][A-Za-z0-9]*")
RUFF_TIMEOUT_SECONDS = 120


class Command(TemplateFiles):
    """Add a layered app to the current strict project."""

    help = (
        "Add a layered app under apps/ of the current project (made by "
        "startproject) and register it in config/settings.py and config/urls.py."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        """Accept the app's name and its model's name.

        Args:
            parser: The command's argument parser.
        """
        parser.add_argument(
            "name",
            help="The app's name: its package under apps/, its label and its URLs.",
        )
        parser.add_argument(
            "--model",
            help=(
                "The model's class name (default: the name in the singular, in "
                "CapWords: orders gives Order)."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:  # noqa: ARG002
        """Render the app, register it, and format it.

        Args:
            *args: Unused positional arguments.
            **options: ``name``, ``model`` and Django's options.

        Raises:
            CommandError: When the names are unusable, the current directory is not
                in a strict project, or the project cannot be edited.
        """
        name: str = options["name"]
        check_app_name(name)
        model = options["model"] or model_name_for(name)
        check_model_name(model)
        project = find_project(Path.cwd())
        app_dir = project / "apps" / name
        if app_dir.exists():
            raise CommandError(f"{app_dir} exists already.")
        edits = registration_edits(project, f"apps.{name}")
        app_dir.mkdir()
        try:
            render_app(self, name, app_dir, model=model, verbosity=options["verbosity"])
        except BaseException:
            shutil.rmtree(app_dir)
            raise
        for path, text in edits.items():
            path.write_text(text, encoding="utf-8")
        formatted = format_app(self, project, app_dir)
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"Created the app {name} (model {model}) in {app_dir}, added to "
                f"INSTALLED_APPS and routed at /api/{url_prefix(name)}/. Next:\n"
                "  uv run python manage.py migrate"
            )
            if not formatted:
                self.stdout.write(
                    "Ruff was not found: run `ruff format` on the app if a name is long."
                )


def check_app_name(name: str) -> None:
    """Refuse an app name that is not a new, usable package and label.

    Args:
        name: The app's name.

    Raises:
        CommandError: When it is not a lowercase identifier, is a keyword, or is
            taken by the project template.
    """
    check_lowercase_name(name, "app")
    if keyword.iskeyword(name) or name in RESERVED_APP_NAMES:
        raise CommandError(
            f"'{name}' is taken (a Python keyword or a name the project uses): "
            "choose another app name."
        )


def model_name_for(app_name: str) -> str:
    """Return the default model name of an app: its name in the singular, CapWords.

    The last word loses a plural ending: ``ies`` becomes ``y``, ``sses`` becomes
    ``ss``, and a final ``s`` goes unless the word ends in ``ss``, ``us`` or ``is``.

    Args:
        app_name: A lowercase app name, e.g. ``purchase_orders``.

    Returns:
        For example ``PurchaseOrder``.
    """
    *head, last = app_name.split("_")
    if last.endswith("ies") and len(last) > len("ies"):
        last = last[: -len("ies")] + "y"
    elif last.endswith("sses"):
        last = last[: -len("es")]
    elif last.endswith("s") and not last.endswith(("ss", "us", "is")):
        last = last[:-1]
    return "".join(word.capitalize() for word in (*head, last) if word)


def check_model_name(model: str) -> None:
    """Refuse a model name that is not CapWords or would clash in the app's modules.

    Args:
        model: The model's class name.

    Raises:
        CommandError: When the name cannot be used.
    """
    if not MODEL_NAME.fullmatch(model) or keyword.iskeyword(model):
        raise CommandError(
            f"'{model}' is not a valid model name: use CapWords, e.g. Order."
        )
    if model in RESERVED_MODEL_NAMES or model.startswith("Test"):
        raise CommandError(
            f"'{model}' would clash with a name the app's modules use (or be "
            "collected as a test class): choose another with --model."
        )


def find_project(start: Path) -> Path:
    """Return the strict project containing ``start``.

    Args:
        start: Where to start looking (the current directory).

    Returns:
        The nearest directory, ``start`` or a parent, with ``manage.py``, ``apps/``,
        ``config/settings.py`` and ``config/urls.py``.

    Raises:
        CommandError: When there is none.
    """
    for directory in (start, *start.parents):
        if all(
            (directory / part).exists()
            for part in ("manage.py", "apps", "config/settings.py", "config/urls.py")
        ):
            return directory
    raise CommandError(
        f"No project found in {start} or its parents: run startapp inside a project "
        "created by startproject (manage.py, apps/ and config/ at its root)."
    )


def registration_edits(project: Path, app: str) -> dict[Path, str]:
    """Return the new texts of the settings and URL modules, registering ``app``.

    Args:
        project: The project's root.
        app: The app's dotted path.

    Returns:
        The new text of each file to write.

    Raises:
        CommandError: When a module cannot be edited; nothing has been written.
    """
    edits = {}
    for relative, edit in (
        ("config/settings.py", add_installed_app),
        ("config/urls.py", add_api_route),
    ):
        path = project / relative
        try:
            edits[path] = edit(path.read_text(encoding="utf-8"), app)
        except RegistrationError as exc:
            raise CommandError(
                f"Cannot register {app} in {relative}: {exc}. Nothing was written."
            ) from exc
    return edits


def url_prefix(app_name: str) -> str:
    """Return the app's URL segment under ``/api/``: its name with hyphens."""
    return app_name.replace("_", "-")


def render_app(
    command: TemplateFiles,
    name: str,
    app_dir: Path,
    *,
    model: str,
    verbosity: int = 1,
) -> None:
    """Render the app template into ``app_dir``, without registering or formatting.

    Args:
        command: The command instance.
        name: The app's name.
        app_dir: An existing, empty directory.
        model: The model's class name.
        verbosity: Django's verbosity level.
    """
    words = camel_case_to_spaces(model)
    command.render(
        "app",
        name,
        app_dir,
        model_name=model,
        model_snake=words.replace(" ", "_"),
        model_lower=model.lower(),
        model_words=words,
        url_prefix=url_prefix(name),
        verbosity=verbosity,
    )


def format_app(command: TemplateFiles, project: Path, app_dir: Path) -> bool:
    """Sort the app's imports and format it with the project's Ruff, when there is one.

    Ruff is looked up beside the running interpreter (the project's environment under
    ``uv run``), then on ``PATH``.

    Args:
        command: The command instance (its error stream is used).
        project: The project's root, whose ``pyproject.toml`` configures Ruff.
        app_dir: The new app.

    Returns:
        Whether Ruff was found.
    """
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which(
        "ruff"
    )
    if ruff is None:
        return False
    for arguments in (("check", "--fix-only", "--select", "I"), ("format",)):
        result = subprocess.run(  # noqa: S603 - Ruff of the environment, fixed arguments
            [ruff, *arguments, "--quiet", str(app_dir)],
            cwd=project,
            capture_output=True,
            text=True,
            timeout=RUFF_TIMEOUT_SECONDS,
            check=False,
        )
        if result.returncode != 0:
            command.stderr.write(
                f"`ruff {' '.join(arguments)}` failed on {app_dir}:\n{result.stderr}"
            )
    return True
