"""A production project configured only by the environment, checked by Django itself."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "k3y-" + "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOP"


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run ``django-admin`` for the deploy project with exactly ``env``."""
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_"))
    }
    return subprocess.run(
        [sys.executable, "-m", "django", *args],
        env={**base, "DJANGO_SETTINGS_MODULE": "tests.projects.deploy.settings", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_passes_check_deploy_with_zero_issues(
    postgres_url: str, redis_url: str
) -> None:
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "DJANGO_ENV": "production",
            "DJANGO_SECRET_KEY": STRONG_KEY,
            "DJANGO_ALLOWED_HOSTS": "api.example.com",
            "DATABASE_URL": postgres_url,
            "REDIS_URL": redis_url,
        },
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_bad_environment_stops_the_process_with_one_readable_error() -> None:
    result = manage(
        "check",
        env={
            "DJANGO_ENV": "production",
            "DJANGO_DEBUG": "true",
            "DATABASE_URL": "postgres://app:hunter2-secret@db.internal:5432/app",
        },
    )

    assert result.returncode != 0
    assert (
        "Invalid environment (DJANGO_ENV=production): 3 variable(s) to fix."
        in result.stderr
    )
    for variable in ("DJANGO_DEBUG", "DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"):
        assert f"  - {variable}: " in result.stderr
    assert "hunter2" not in result.stderr + result.stdout


@pytest.mark.parametrize("profile", ["local", "test"])
def test_local_profiles_need_no_environment(profile: str) -> None:
    result = manage("check", env={"DJANGO_ENV": profile})

    assert result.returncode == 0, result.stderr
