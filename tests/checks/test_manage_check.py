"""``manage.py check`` end to end: registration, the bad project, silencing, docs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from io import StringIO
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.core.checks import registry
from django.core.management import call_command
from django.core.management.base import SystemCheckError

import django_strict_core.checks
from django_strict_core.checks import TAG, check_views, register_checks
from django_strict_core.checks.middleware import HEALTH_CHECK, REQUEST_ID

if TYPE_CHECKING:
    from pytest_django.fixtures import SettingsWrapper

ROOT = Path(__file__).resolve().parents[2]
CHECK_ID = re.compile(r"strict_core\.[EW]\d{3}")
# The middleware order build_settings returns once the request-id and health-check
# middleware exist; the check compares names only, so nothing needs importing.
CONTRACT_MIDDLEWARE = [
    REQUEST_ID,
    HEALTH_CHECK,
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]


def test_checks_are_registered_under_the_strict_core_tag() -> None:
    assert registry.registry.tag_exists(TAG)
    assert check_views in registry.registry.get_checks()


def test_registering_again_adds_nothing() -> None:
    before = len(registry.registry.get_checks())

    register_checks()

    assert len(registry.registry.get_checks()) == before


def manage_check(
    settings_module: str, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``manage.py check`` for a test project with only ``env`` configuring it."""
    environ = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "STRICT_", "DATABASE_", "REDIS_"))
    }
    return subprocess.run(
        [sys.executable, "-m", "django", "check", *args],
        env={**environ, "DJANGO_SETTINGS_MODULE": settings_module, **(env or {})},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def reported_ids(output: str) -> Counter[str]:
    """How often each id appears in ``manage.py check`` output."""
    return Counter(re.findall(r"\((strict_core\.[EW]\d{3})\)", output))


def test_bad_project_reports_exact_ids() -> None:
    result = manage_check(
        "tests.projects.checks.settings", env={"DJANGO_ALLOW_ASYNC_UNSAFE": "1"}
    )

    assert result.returncode == 1, result.stderr
    assert reported_ids(result.stderr) == {
        "strict_core.E001": 2,
        "strict_core.E002": 4,
        "strict_core.E003": 3,
        "strict_core.E004": 1,
        "strict_core.E005": 1,
        "strict_core.E007": 1,
        "strict_core.E008": 1,
        "strict_core.E009": 1,
        "strict_core.E010": 1,
        "strict_core.E011": 1,
        "strict_core.E012": 1,
        "strict_core.E013": 1,
        "strict_core.E015": 2,
        "strict_core.E016": 1,
        "strict_core.E017": 1,
        "strict_core.E020": 1,
        "strict_core.E022": 1,
        "strict_core.W001": 1,
    }
    assert "System check identified 25 issues (0 silenced)." in result.stderr
    # Only this package's checks fire: the bad project is otherwise valid Django.
    assert len(re.findall(r"\(([\w.]+\.[EW]\d{3})\)", result.stderr)) == 25


ADOPTING = {
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": "k3y-"
    + "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOP",
    "DJANGO_ALLOWED_HOSTS": "api.example.com",
    # Connections are not opened by the checks.
    "REDIS_URL": "redis://cache.internal:6379/0",
}


def test_existing_settings_built_last_without_merge_report_what_was_lost() -> None:
    result = manage_check("tests.projects.adoption.settings", env=ADOPTING)

    assert result.returncode == 1, result.stderr
    assert reported_ids(result.stderr) == {
        "strict_core.E018": 1,
        "strict_core.E019": 1,
        "strict_core.E020": 1,
        "strict_core.E021": 1,
    }
    assert (
        "(strict_core.E018) build_settings() replaced settings defined before it: "
        "MIDDLEWARE entries django.middleware.locale.LocaleMiddleware; "
        "REST_FRAMEWORK keys DEFAULT_VERSIONING_CLASS; "
        "DEFAULT_AUTO_FIELD django.db.models.AutoField."
    ) in result.stderr
    assert "System check identified 4 issues (0 silenced)." in result.stderr


def test_existing_settings_merged_pass_check_deploy_with_zero_issues() -> None:
    result = manage_check(
        "tests.projects.adoption.merged",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={**ADOPTING, "DATABASE_URL": "postgres://app@db.internal:5432/app"},
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_clean_project_yields_no_issues(settings: SettingsWrapper) -> None:
    settings.MIDDLEWARE = CONTRACT_MIDDLEWARE
    out = StringIO()

    call_command("check", stdout=out)

    assert out.getvalue() == "System check identified no issues (0 silenced).\n"


def test_an_error_fails_the_check_command(settings: SettingsWrapper) -> None:
    settings.MIDDLEWARE = CONTRACT_MIDDLEWARE
    settings.AUTH_USER_MODEL = "auth.User"

    with pytest.raises(SystemCheckError, match=r"strict_core\.E005"):
        call_command("check", tags=[TAG], stdout=StringIO())


def test_silenced_ids_are_not_reported(settings: SettingsWrapper) -> None:
    settings.MIDDLEWARE = CONTRACT_MIDDLEWARE
    settings.ROOT_URLCONF = "tests.projects.checks.urls"
    settings.STRICT_CORE_CHECKS_EXEMPT = ["tests.projects.checks.views.legacy_report"]
    settings.SILENCED_SYSTEM_CHECKS = [
        "strict_core.E001",
        "strict_core.E002",
        "strict_core.E003",
        "strict_core.E013",
        "strict_core.E022",
    ]
    out = StringIO()

    call_command("check", tags=[TAG], stdout=out)

    assert out.getvalue() == "System check identified no issues (10 silenced).\n"


def test_docs_list_every_check_id_the_code_can_report() -> None:
    package = Path(django_strict_core.checks.__file__).parent
    in_code = {
        check_id
        for module in package.glob("*.py")
        for check_id in CHECK_ID.findall(module.read_text())
    }
    documented = set(
        re.findall(
            r"^## `(strict_core\.[EW]\d{3})`",
            (ROOT / "docs/checks.md").read_text(),
            re.M,
        )
    )

    assert in_code == documented
    assert len(in_code) == 23
