"""The project template and the example project describe one layout.

The example is the source: the template's container files are derived from it
(``tests/scaffold/example.py``), and every Python module both have is the same text, or
the example's with lines only the example needs (its articles app and settings).
"""

from __future__ import annotations

import difflib
import subprocess
import sys

import pytest

from tests.scaffold.example import (
    CONTAINER_FILES,
    EXAMPLE,
    REPOSITORY,
    TEMPLATE,
    TEMPLATE_SYNTAX,
    derive,
    derived_files,
    replace_names,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - pytest brings tomli to Python 3.10
    import tomli as tomllib

# Files of the example that the template has under the same path (``.py-tpl`` for
# Python modules) with the same text once the example's names are replaced.
SAME = (
    "apps/__init__.py",
    "apps/core/__init__.py",
    "apps/core/apps.py",
    "apps/core/management/__init__.py",
    "apps/core/management/commands/__init__.py",
    "apps/core/management/commands/serve.py",
    "apps/core/tests/__init__.py",
    "apps/users/__init__.py",
    "apps/users/admin.py",
    "apps/users/apps.py",
    "apps/users/migrations/0001_initial.py",
    "apps/users/migrations/__init__.py",
    "apps/users/models.py",
    "apps/users/permissions.py",
    "apps/users/selectors.py",
    "apps/users/serializers.py",
    "apps/users/services.py",
    "apps/users/tests/__init__.py",
    "apps/users/tests/factories.py",
    "apps/users/tests/test_models.py",
    "apps/users/tests/test_selectors.py",
    "apps/users/tests/test_services.py",
    "apps/users/tests/test_views.py",
    "apps/users/urls.py",
    "apps/users/views.py",
    "config/__init__.py",
    "config/asgi.py",
    "config/gunicorn.conf.py",
    "config/wsgi.py",
    "conftest.py",
    "manage.py",
    "tests/__init__.py",
    "tests/conftest.py",
    "tests/test_deployment_files.py",
)
# Files whose example copy is the template's plus lines about the example's resource.
EXAMPLE_ADDS_LINES = (
    "apps/core/tests/test_wiring.py",
    "config/settings.py",
    "config/urls.py",
    ".gitignore",
)
# What only one side has. The example: its resource, its end-to-end, reliability,
# container and generated-client suites with what finds their services, its README. The template: its README and
# pyproject.toml (compared below).
EXAMPLE_ONLY = (
    "apps/articles/",
    "tests/e2e/",
    "tests/reliability/",
    "tests/containers/",
    "tests/clients/",
    "tests/services.py",
    "tests/test_services.py",
    "README.md",
)
TEMPLATE_ONLY = ("README.md-tpl", "pyproject.toml-tpl", ".env.example-tpl")
EXAMPLE_ONLY_VARIABLES = {"ARTICLES_MAX_PER_AUTHOR"}


def template_path(relative: str) -> str:
    """The template's name for one of the example's files."""
    return f"{relative}-tpl"


def example_files() -> set[str]:
    """The example's files that git keeps (tracked, or new and not ignored)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "."],
        cwd=EXAMPLE,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.splitlines()
    return {name for name in listed if (EXAMPLE / name).exists()} - {
        "uv.lock",
        "pyproject.toml",
        ".env.example",
    }


@pytest.mark.parametrize("relative", CONTAINER_FILES)
def test_container_files_are_derived_from_the_example(relative: str) -> None:
    example = (EXAMPLE / relative).read_text(encoding="utf-8")
    template = (TEMPLATE / template_path(relative)).read_text(encoding="utf-8")

    assert template == derive(relative, example), (
        f"{relative} of the template is not derived from the example's: run "
        "`uv run python -m tests.scaffold.example`"
    )


def test_the_derivation_writes_exactly_the_templates_files() -> None:
    for path, text in derived_files().items():
        assert path.read_text(encoding="utf-8") == text


@pytest.mark.parametrize("relative", SAME)
def test_shared_modules_have_the_same_text(relative: str) -> None:
    original = (EXAMPLE / relative).read_text(encoding="utf-8")
    example = replace_names(original)
    template = (TEMPLATE / template_path(relative)).read_text(encoding="utf-8")

    assert template == example
    # Rendering would interpret template syntax that the example's text contained.
    assert not TEMPLATE_SYNTAX.search(original)


@pytest.mark.parametrize("relative", EXAMPLE_ADDS_LINES)
def test_the_example_only_adds_lines_to_the_templates_modules(relative: str) -> None:
    example = replace_names((EXAMPLE / relative).read_text(encoding="utf-8"))
    template = (TEMPLATE / template_path(relative)).read_text(encoding="utf-8")

    matcher = difflib.SequenceMatcher(
        None, template.splitlines(), example.splitlines(), autojunk=False
    )
    changes = [op for op in matcher.get_opcodes() if op[0] not in {"equal", "insert"}]

    assert changes == [], "\n".join(
        difflib.unified_diff(template.splitlines(), example.splitlines(), lineterm="")
    )


def test_every_file_of_the_layout_is_in_both() -> None:
    expected = {
        template_path(name)
        for name in example_files()
        if not name.startswith(EXAMPLE_ONLY)
    } | set(TEMPLATE_ONLY)
    template = {
        path.relative_to(TEMPLATE).as_posix()
        for path in TEMPLATE.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }

    assert template == expected


def test_the_environment_example_names_the_same_variables() -> None:
    def variables(text: str) -> set[str]:
        return {
            line.split("=", 1)[0]
            for line in text.splitlines()
            if line and not line.startswith("#")
        }

    example = variables((EXAMPLE / ".env.example").read_text())
    template = variables((TEMPLATE / ".env.example-tpl").read_text())

    assert example - template == EXAMPLE_ONLY_VARIABLES
    assert template - example == set()


class TestPyproject:
    """The template's Ruff and pytest configuration is the house configuration."""

    example = tomllib.loads((EXAMPLE / "pyproject.toml").read_text())
    library = tomllib.loads((REPOSITORY / "pyproject.toml").read_text())
    # The template renders to TOML only once its variables are filled in.
    template = tomllib.loads(
        (TEMPLATE / "pyproject.toml-tpl")
        .read_text()
        .replace("{{ project_name }}", "shop")
        .replace("{{ python_version }}", "3.12")
        .replace("{{ python_target }}", "py312")
        .replace("{{ strict_core_version }}", "0.1.0")
    )

    def test_the_rule_set_is_the_librarys(self) -> None:
        for key in ("select", "ignore"):
            assert (
                self.template["tool"]["ruff"]["lint"][key]
                == self.library["tool"]["ruff"]["lint"][key]
            )

    @pytest.mark.parametrize(
        "table", ["isort", "flake8-type-checking", "flake8-bugbear"]
    )
    def test_lint_settings_are_the_examples(self, table: str) -> None:
        assert (
            self.template["tool"]["ruff"]["lint"][table]
            == self.example["tool"]["ruff"]["lint"][table]
        )

    def test_ruff_and_format_settings_are_the_examples(self) -> None:
        assert self.template["tool"]["ruff"] | {"lint": None} == self.example["tool"][
            "ruff"
        ] | {"lint": None}

    def test_per_file_ignores_are_the_examples_or_fewer(self) -> None:
        example = self.example["tool"]["ruff"]["lint"]["per-file-ignores"]
        template = self.template["tool"]["ruff"]["lint"]["per-file-ignores"]

        assert {
            pattern: set(codes) - set(example.get(pattern, ()))
            for pattern, codes in template.items()
        } == {pattern: set() for pattern in template}

    def test_pytest_settings_are_the_examples(self) -> None:
        assert self.template["tool"]["pytest"] == self.example["tool"]["pytest"]
