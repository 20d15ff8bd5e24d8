"""Every gate a generated project passes out of the box, fresh and after ``startapp``."""

from __future__ import annotations

import json
import re
import secrets
import shutil
from typing import TYPE_CHECKING

import pytest

from django_strict_core.scaffold import startapp, startproject
from tests.scaffold.generated.conftest import APP
from tests.scaffold.generated.project import (
    get,
    gunicorn,
    run,
    scratch_database,
)

if TYPE_CHECKING:
    from pathlib import Path

    from tests.scaffold.generated.project import Project

pytestmark = pytest.mark.slow
MINIMUM_COVERAGE = 80.0


def test_the_lock_is_current(project: Project) -> None:
    result = project.run(shutil.which("uv") or "uv", "lock", "--check")

    assert result.returncode == 0, result.output


def test_ruff_check_passes(project: Project) -> None:
    result = project.run(project.bin("ruff"), "check", "--no-fix", ".")

    assert result.returncode == 0, result.output


def test_ruff_format_check_passes(project: Project) -> None:
    result = project.run(project.bin("ruff"), "format", "--check", ".")

    assert result.returncode == 0, result.output


def test_mypy_strict_passes_with_the_django_and_drf_stubs(project: Project) -> None:
    result = project.run(project.bin("mypy"), "--strict", ".")

    assert result.returncode == 0, result.output
    assert "Success: no issues found" in result.output


def test_pytest_passes_with_coverage_of_at_least_80_percent(
    project: Project, test_database: dict[str, str]
) -> None:
    result = project.run(
        project.bin("pytest"),
        "-p",
        "no:cacheprovider",
        env={**project.env, **test_database},
        label="pytest (PostgreSQL, Redis, coverage)",
    )

    assert result.returncode == 0, result.output
    coverage = re.search(r"Total coverage: ([\d.]+)%", result.output)
    assert coverage, result.output
    assert float(coverage.group(1)) >= MINIMUM_COVERAGE
    if project.label == "with app":
        assert f"apps/{APP}/views.py" in result.output


def test_manage_check_reports_no_strict_core_issue(project: Project) -> None:
    result = project.manage("check", "--fail-level", "WARNING")

    assert result.returncode == 0, result.output
    assert "System check identified no issues (0 silenced)." in result.output
    assert "strict_core." not in result.output


def test_every_model_change_has_its_migration(project: Project) -> None:
    result = project.manage("makemigrations", "--check", "--dry-run")

    assert result.returncode == 0, result.output
    assert "No changes detected" in result.output


def test_production_passes_check_deploy_with_only_the_required_variables(
    project: Project, services: dict[str, str]
) -> None:
    required = {
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "api.example.com",
        "DATABASE_URL": services["DATABASE_URL"],
        "REDIS_URL": services["REDIS_URL"],
    }

    result = project.manage(
        "check", "--deploy", "--fail-level", "WARNING", env={**project.env, **required}
    )

    assert result.returncode == 0, result.output
    assert "System check identified no issues (0 silenced)." in result.output


def test_a_request_round_through_gunicorn_and_uvicorn(
    project: Project, services: dict[str, str], tmp_path: Path
) -> None:
    path = f"/api/{APP}/" if project.label == "with app" else "/api/users/me/"
    with scratch_database(services["DATABASE_URL"]) as url:
        env = {
            **project.env,
            **services,
            "DATABASE_URL": url,
            "DJANGO_ENV": "production",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "localhost,127.0.0.1",
        }
        migrated = project.manage("migrate", "--noinput", env=env)
        assert migrated.returncode == 0, migrated.output
        log = tmp_path / "gunicorn.log"
        with gunicorn(project, env, log) as origin:
            health = get(f"{origin}/api/health/")
            # Behind the TLS-terminating proxy, as nginx forwards it.
            error = get(f"{origin}{path}", headers={"X-Forwarded-Proto": "https"})

    assert health.status == 200
    assert health.json() == {"status": "healthy", "db": "ok", "cache": "ok"}
    assert error.status == 401
    assert error.json() == {
        "type": "client_error",
        "errors": [
            {
                "code": "not_authenticated",
                "detail": "Authentication credentials were not provided.",
                "attr": None,
            }
        ],
    }
    records = [json.loads(line) for line in log.read_text().splitlines()]
    access = [
        r
        for r in records
        if r["logger"] == "django_strict_core.access" and r["path"] == path
    ]
    assert len(access) == 1, records
    assert access[0]["status"] == 401
    assert access[0]["method"] == "GET"
    assert access[0]["request_id"] == error.headers["X-Request-ID"]
    assert any(r["logger"] == "gunicorn.error" for r in records)


@pytest.mark.parametrize("version", startproject.PYTHON_VERSIONS)
def test_ruff_passes_for_every_supported_python(
    fresh_project: Project, tmp_path: Path, version: str
) -> None:
    target = tmp_path / "shop"
    target.mkdir()
    startproject.render_project(
        startproject.Command(), "shop", target, python_version=version
    )
    ruff = fresh_project.bin("ruff")

    checked = run(
        [ruff, "check", "--no-fix", "."],
        cwd=target,
        env=fresh_project.env,
        label=f"ruff check, Python {version} target",
    )
    formatted = run(
        [ruff, "format", "--check", "."],
        cwd=target,
        env=fresh_project.env,
        label=f"ruff format --check, Python {version} target",
    )

    assert checked.returncode == 0, checked.output
    assert formatted.returncode == 0, formatted.output


@pytest.mark.parametrize(
    ("name", "model"),
    [("orders", "Order"), ("widgets", "Widget"), ("purchase_orders", "PurchaseOrder")],
)
def test_the_app_template_is_formatted_as_it_ships(
    fresh_project: Project,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    model: str,
) -> None:
    target = tmp_path / "shop"
    target.mkdir()
    startproject.render_project(
        startproject.Command(), "shop", target, python_version="3.12"
    )
    monkeypatch.chdir(target)
    app_dir = target / "apps" / name
    app_dir.mkdir()
    startapp.render_app(startapp.Command(), name, app_dir, model=model)

    for arguments in (["check", "--no-fix"], ["format", "--check"]):
        result = run(
            [fresh_project.bin("ruff"), *arguments, f"apps/{name}"],
            cwd=target,
            env=fresh_project.env,
            label=f"ruff {arguments[0]} of apps/{name} as rendered, unformatted",
        )
        assert result.returncode == 0, result.output


def test_startapp_formats_long_names_with_the_projects_ruff(
    fresh_project: Project, tmp_path: Path
) -> None:
    target = tmp_path / "shop"
    target.mkdir()
    startproject.render_project(
        startproject.Command(), "shop", target, python_version="3.12"
    )
    name = "customer_subscription_invoices"

    added = run(
        [fresh_project.bin("django-strict-core"), "startapp", name],
        cwd=target,
        env=fresh_project.env,
        label=f"django-strict-core startapp {name} (the console script)",
    )
    assert added.returncode == 0, added.output
    for arguments in (["check", "--no-fix", "."], ["format", "--check", "."]):
        result = run(
            [fresh_project.bin("ruff"), *arguments],
            cwd=target,
            env=fresh_project.env,
            label=f"ruff {arguments[0]} after startapp {name}",
        )
        assert result.returncode == 0, result.output
