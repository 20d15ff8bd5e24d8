"""The example project as the source of the template's container files.

``Dockerfile``, ``docker-compose.yml``, ``nginx/nginx.conf`` and ``.dockerignore`` of the
project template are the example project's, derived mechanically: the text that builds
the library from this repository (the example installs it from ``..``; a generated
project from the package index) is removed, and the example's names and Python version
become template variables. ``test_example_agreement`` proves the template holds exactly
that; after a change to the example's files,

    uv run python -m tests.scaffold.example

writes the derived copies into the template.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
EXAMPLE = REPOSITORY / "example_project"
TEMPLATE = (
    REPOSITORY / "src" / "django_strict_core" / "scaffold" / "templates" / "project"
)

# The container files; in the template, each file's name ends in ``-tpl``.
CONTAINER_FILES = (
    "Dockerfile",
    "docker-compose.yml",
    "nginx/nginx.conf",
    ".dockerignore",
)

# Text only the example has: it builds the library from this repository's source.
LIBRARY_ONLY = {
    "Dockerfile": (
        "#\n"
        '# The library is installed from this repository (the build context named "library"):\n'
        "#   docker build --build-context library=.. -t strict-example .\n"
        "# docker-compose.yml passes that context itself.\n",
        "# The library sits one level above the project, where pyproject.toml's source points.\n"
        "COPY --from=library pyproject.toml README.md LICENSE /app/\n"
        "COPY --from=library src /app/src\n"
        "\n",
    ),
    "docker-compose.yml": ("  additional_contexts:\n    library: ..\n",),
}

# The example's Python version, wherever the container files name it.
EXAMPLE_PYTHON = "3.12"

# The example's names, in the order they are replaced.
NAMES = (
    (re.compile(r"\b([Tt]he) example project\b"), r"\1 {{ project_name }} project"),
    (re.compile(r"\bexample_project\b"), "{{ project_name }}"),
    (re.compile(r"\bstrict-example\b"), "{{ project_name }}"),
    # The database and its user, as docker-compose.yml's health check names them.
    (
        re.compile(r"-U strict -d strict\b"),
        "-U {{ project_name }} -d {{ project_name }}",
    ),
)
PYTHON = re.compile(r"(?<![\d.])" + re.escape(EXAMPLE_PYTHON) + r"(?![\d])")
TEMPLATE_SYNTAX = re.compile(r"\{[{%#]")


class DriftError(Exception):
    """The example changed where the derivation expects a known text."""


def replace_names(text: str) -> str:
    """Replace the example's names with the project template's variables.

    Args:
        text: Text of an example file.

    Returns:
        The text with ``{{ project_name }}`` where the example names itself.
    """
    for pattern, replacement in NAMES:
        text = pattern.sub(replacement, text)
    return text


def derive(relative: str, text: str) -> str:
    """Return the template's copy of one of the example's container files.

    Args:
        relative: The file's path in the example, one of :data:`CONTAINER_FILES`.
        text: The file's text.

    Returns:
        The template's text.

    Raises:
        DriftError: When a library-only block is gone or the example's text contains
            Django template syntax, which rendering would interpret.
    """
    if TEMPLATE_SYNTAX.search(text):
        raise DriftError(
            f"{relative} contains Django template syntax ({{{{, {{% or {{#)"
        )
    for block in LIBRARY_ONLY.get(relative, ()):
        if block not in text:
            raise DriftError(
                f"{relative} no longer contains this library-only text; update "
                f"LIBRARY_ONLY in {Path(__file__).name}:\n{block}"
            )
        text = text.replace(block, "")
    text = replace_names(text)
    if relative in {"Dockerfile", "docker-compose.yml"}:
        text = PYTHON.sub("{{ python_version }}", text)
    return text


def derived_files() -> dict[Path, str]:
    """Return the template's container files as the example's files derive them.

    Returns:
        The text of each template path.
    """
    return {
        TEMPLATE / f"{name}-tpl": derive(name, (EXAMPLE / name).read_text("utf-8"))
        for name in CONTAINER_FILES
    }


def main() -> int:
    """Write the derived container files into the template and list the changes.

    Returns:
        The process exit status.
    """
    for path, text in derived_files().items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            sys.stdout.write(f"updated {path.relative_to(REPOSITORY)}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
