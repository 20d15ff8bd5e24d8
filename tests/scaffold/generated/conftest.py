"""Generated projects for the gate tests: slow, so they run in their own environment.

They are collected only with ``STRICT_CORE_GENERATED=1``, which the ``generated`` tox
environment sets (``uvx --with tox-uv tox run -e generated``); the library's quick
suite leaves them out. Each session builds this checkout's wheel, generates a project
with ``python -m django_strict_core startproject`` (which locks it), syncs it with
``uv sync --frozen``, and, for the second variant, adds an app with ``startapp``.
"""

from __future__ import annotations

import os
import secrets
import sys
from typing import TYPE_CHECKING

import pytest

from tests.scaffold.example import REPOSITORY
from tests.scaffold.generated.project import (
    PYTHON,
    TIMINGS,
    Project,
    base_environment,
    database_url,
    find_uv,
    run,
)
from tests.support.services import service_url

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

if os.environ.get("STRICT_CORE_GENERATED") != "1":
    collect_ignore_glob = ["test_*.py"]

APP = "orders"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print every timed step: the generation, each gate, and their outcomes."""
    if not TIMINGS.steps:
        return
    terminalreporter.section("generated project: steps and gates")
    for label, seconds, outcome in TIMINGS.steps:
        terminalreporter.write_line(f"{seconds:7.2f} s  {outcome:6}  {label}")


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory holding this checkout's wheel, built now.

    A new directory each session: uv caches local wheels by path.
    """
    directory = tmp_path_factory.mktemp("wheelhouse")
    built = run(
        [find_uv(), "build", "--wheel", "--out-dir", str(directory), str(REPOSITORY)],
        cwd=REPOSITORY,
        env=base_environment(directory),
        label="uv build --wheel (this checkout)",
    )
    assert built.returncode == 0, built.output
    return directory


def generate(parent: Path, wheelhouse: Path, label: str) -> Project:
    """Run ``startproject`` in ``parent`` and sync the project's locked environment."""
    env = base_environment(wheelhouse)
    created = run(
        [
            sys.executable,
            "-m",
            "django_strict_core",
            "startproject",
            "shop",
            "--python",
            PYTHON,
        ],
        cwd=parent,
        env=env,
        label=f"{label}: startproject shop --python {PYTHON} (renders, uv lock)",
    )
    assert created.returncode == 0, created.output
    project = Project(parent / "shop", env, label)
    synced = project.run(find_uv(), "sync", "--frozen", "--python", PYTHON)
    assert synced.returncode == 0, synced.output
    installed = project.root / ".venv/lib" / f"python{PYTHON}" / "site-packages"
    for source in (REPOSITORY / "src/django_strict_core").rglob("*-tpl"):
        relative = source.relative_to(REPOSITORY / "src")
        assert (installed / relative).read_bytes() == source.read_bytes(), (
            f"the project's django-strict-core is not this checkout's: {relative}"
        )
    return project


@pytest.fixture(scope="session")
def fresh_project(
    tmp_path_factory: pytest.TempPathFactory, wheelhouse: Path
) -> Project:
    """A project as ``startproject`` leaves it."""
    return generate(tmp_path_factory.mktemp("fresh"), wheelhouse, "fresh")


@pytest.fixture(scope="session")
def project_with_app(
    tmp_path_factory: pytest.TempPathFactory, wheelhouse: Path
) -> Project:
    """A project with an app added by ``startapp``, run in the project's environment."""
    project = generate(tmp_path_factory.mktemp("with-app"), wheelhouse, "with app")
    added = project.run(
        find_uv(),
        "run",
        "--frozen",
        "python",
        "-m",
        "django_strict_core",
        "startapp",
        APP,
        label=f"startapp {APP} (renders, registers, formats with the project's Ruff)",
    )
    assert added.returncode == 0, added.output
    return project


@pytest.fixture(scope="session", params=["fresh", "with app"])
def project(request: pytest.FixtureRequest) -> Project:
    """Each variant in turn: fresh, then with an app."""
    name = "fresh_project" if request.param == "fresh" else "project_with_app"
    result: Project = request.getfixturevalue(name)
    return result


@pytest.fixture
def services() -> dict[str, str]:
    """The machine's PostgreSQL server and Redis, with a key prefix of this test's own."""
    return {
        "DATABASE_URL": service_url("DATABASE_URL", ("postgres://", "postgresql://")),
        "REDIS_URL": service_url("REDIS_URL", ("redis://", "rediss://")),
        "DJANGO_CACHE_KEY_PREFIX": f"strict-generated-{secrets.token_hex(4)}",
    }


@pytest.fixture
def test_database(services: dict[str, str]) -> Iterator[dict[str, str]]:
    """``services`` with a database name of this test's own (pytest-django prefixes it)."""
    yield {
        **services,
        "DATABASE_URL": database_url(
            services["DATABASE_URL"], f"strict_generated_{secrets.token_hex(4)}"
        ),
    }
