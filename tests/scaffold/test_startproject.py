"""``startproject``: what it renders, what it refuses, and how locking fails."""

from __future__ import annotations

import ast
import re
import stat
import sys
from typing import TYPE_CHECKING

import pytest
from django.core.management.base import CommandError

import django_strict_core
from django_strict_core.scaffold import startproject
from tests.scaffold.conftest import render

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - pytest brings tomli to Python 3.10
    import tomli as tomllib

if TYPE_CHECKING:
    from pathlib import Path

PROJECT_FILES = {
    ".dockerignore",
    ".env.example",
    ".gitignore",
    "Dockerfile",
    "README.md",
    "apps/__init__.py",
    "apps/core/__init__.py",
    "apps/core/apps.py",
    "apps/core/management/__init__.py",
    "apps/core/management/commands/__init__.py",
    "apps/core/management/commands/serve.py",
    "apps/core/tests/__init__.py",
    "apps/core/tests/test_wiring.py",
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
    "config/settings.py",
    "config/urls.py",
    "config/wsgi.py",
    "conftest.py",
    "docker-compose.yml",
    "manage.py",
    "nginx/nginx.conf",
    "pyproject.toml",
    "tests/__init__.py",
    "tests/conftest.py",
    "tests/test_deployment_files.py",
}
# What a generated file must never carry: template syntax, or text left to fill in.
UNFINISHED = re.compile(
    r"\{\{|\{%|\{#|\bTODO\b|\bFIXME\b|\bXXX\b|change-me|placeholder|example_project|strict-example",
    re.IGNORECASE,
)


def files_of(directory: Path) -> set[str]:
    """Every file below ``directory``, as POSIX paths relative to it."""
    return {
        path.relative_to(directory).as_posix()
        for path in directory.rglob("*")
        if path.is_file()
    }


def test_the_project_has_the_canonical_layout(rendered: Path) -> None:
    assert files_of(rendered) == PROJECT_FILES


def test_no_file_carries_template_syntax_or_text_to_fill_in(rendered: Path) -> None:
    unfinished = {
        name: match.group(0)
        for name in files_of(rendered)
        if (match := UNFINISHED.search((rendered / name).read_text(encoding="utf-8")))
    }

    assert unfinished == {}


def test_every_python_file_parses(rendered: Path) -> None:
    for name in files_of(rendered):
        if name.endswith(".py"):
            ast.parse((rendered / name).read_text(encoding="utf-8"), filename=name)


def test_the_name_appears_where_the_project_names_itself(rendered: Path) -> None:
    pyproject = tomllib.loads((rendered / "pyproject.toml").read_text())
    compose = (rendered / "docker-compose.yml").read_text()

    assert pyproject["project"]["name"] == "shop"
    assert "\nname: shop\n" in compose
    assert "WORKDIR /app/shop\n" in (rendered / "Dockerfile").read_text()
    assert (
        "alias /app/shop/staticfiles/;" in (rendered / "nginx/nginx.conf").read_text()
    )
    assert "DJANGO_SERVICE_NAME=shop\n" in (rendered / ".env.example").read_text()
    assert "the shop project" in (rendered / "manage.py").read_text()


def test_the_project_depends_on_the_library_by_name(rendered: Path) -> None:
    pyproject = tomllib.loads((rendered / "pyproject.toml").read_text())

    assert pyproject["project"]["dependencies"] == [
        f"django-strict-core[postgres,server]>={django_strict_core.__version__}"
    ]
    assert "sources" not in pyproject["tool"]["uv"]


@pytest.mark.parametrize("version", startproject.PYTHON_VERSIONS)
def test_the_python_version_reaches_every_file_that_names_one(
    tmp_path: Path, version: str
) -> None:
    project = render(tmp_path, python_version=version)
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())

    assert pyproject["project"]["requires-python"] == f">={version}"
    assert pyproject["tool"]["ruff"]["target-version"] == "py" + version.replace(
        ".", ""
    )
    assert pyproject["tool"]["mypy"]["python_version"] == version


@pytest.mark.parametrize("version", startproject.PYTHON_VERSIONS)
def test_the_image_runs_the_distroless_debian_13_python_whatever_the_version(
    tmp_path: Path, version: str
) -> None:
    dockerfile = (render(tmp_path, python_version=version) / "Dockerfile").read_text()

    # Supported distroless images ship Debian 13's Python 3.13 only; a project that
    # requires 3.10 or later runs on it (docs/deployment.md).
    assert "FROM gcr.io/distroless/python3-debian13:nonroot AS runtime" in dockerfile
    assert "UV_PYTHON=/usr/bin/python3.13" in dockerfile


def test_the_environment_example_leaves_every_secret_empty(rendered: Path) -> None:
    values = dict(
        line.split("=", 1)
        for line in (rendered / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    )

    assert values["DJANGO_SECRET_KEY"] == ""
    assert values["POSTGRES_PASSWORD"] == ""
    assert values["DATABASE_URL"] == "postgres://shop:@db:5432/shop"


def test_manage_py_is_executable(rendered: Path) -> None:
    assert (rendered / "manage.py").stat().st_mode & stat.S_IXUSR


@pytest.mark.parametrize("name", ["Shop", "my-shop", "1shop", "_shop", "shöp"])
def test_a_name_that_cannot_name_everything_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.chdir(tmp_path)

    with pytest.raises(CommandError, match="not a valid project name"):
        run_startproject(name)

    assert list(tmp_path.iterdir()) == []


def run_startproject(*arguments: str) -> None:
    """Run the command as the command line does, with its argument parsing."""
    command = startproject.Command()
    parser = command.create_parser("django_strict_core", "startproject")
    options = parser.parse_args(arguments)
    command.execute(**vars(options))


def test_a_name_that_shadows_a_module_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    with pytest.raises(CommandError, match="conflicts with the name of an existing"):
        run_startproject("json")


def test_an_existing_project_directory_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "shop").mkdir()

    with pytest.raises(CommandError, match="already exists"):
        run_startproject("shop")


def test_a_missing_target_directory_is_created(tmp_path: Path) -> None:
    target = tmp_path / "services" / "shop"

    startproject.render_project(
        startproject.Command(), "shop", target, python_version="3.12"
    )

    assert (target / "manage.py").is_file()
    assert (target / "config" / "settings.py").is_file()


def test_a_directory_made_for_a_refused_name_is_removed(tmp_path: Path) -> None:
    target = tmp_path / "made"

    with pytest.raises(CommandError, match="is not a valid project name"):
        startproject.render_project(
            startproject.Command(), "not-valid", target, python_version="3.12"
        )

    assert not target.exists()


def test_an_unsupported_python_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"invalid choice: '3\.9'"):
        run_startproject("shop", str(tmp_path), "--python", "3.9")
    with pytest.raises(CommandError, match=r"Python 3\.9 is not supported"):
        startproject.render_project(
            startproject.Command(), "shop", tmp_path, python_version="3.9"
        )


def test_without_uv_the_project_is_rendered_and_the_error_says_what_to_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setattr(sys, "executable", str(empty / "python"))
    target = tmp_path / "shop"
    target.mkdir()

    with pytest.raises(CommandError, match="uv was not found on PATH") as caught:
        run_startproject("shop", str(target))

    assert "run `uv lock` there" in str(caught.value)
    assert (target / "pyproject.toml").exists()
    assert not (target / "uv.lock").exists()


def test_a_failing_lock_is_reported_with_what_uv_printed(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Offline, with no local wheels: uv cannot find django-strict-core anywhere (and
    # on an interpreter older than the project's, it refuses even sooner).
    monkeypatch.setenv("UV_OFFLINE", "1")
    monkeypatch.setenv("UV_PYTHON", sys.executable)
    monkeypatch.delenv("UV_FIND_LINKS", raising=False)
    monkeypatch.setenv("UV_CACHE_DIR", str(tmp_path / "empty-cache"))
    assert startproject.find_uv(), "uv is required to run this repository's tests"
    target = tmp_path / "shop"
    target.mkdir()

    with pytest.raises(CommandError, match=r"`uv lock` failed \(exit status"):
        run_startproject("shop", str(target))

    assert capsys.readouterr().err.strip()
    assert not (target / "uv.lock").exists()
    assert any(target.iterdir())
