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


def test_bad_project_reports_exact_ids() -> None:
    environ = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "STRICT_"))
    }
    result = subprocess.run(
        [sys.executable, "-m", "django", "check"],
        env={
            **environ,
            "DJANGO_SETTINGS_MODULE": "tests.projects.checks.settings",
            "DJANGO_ALLOW_ASYNC_UNSAFE": "1",
        },
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 1, result.stderr
    reported = Counter(re.findall(r"\((strict_core\.[EW]\d{3})\)", result.stderr))
    assert reported == {
        "strict_core.E001": 2,
        "strict_core.E002": 4,
        "strict_core.E003": 2,
        "strict_core.E004": 1,
        "strict_core.E005": 1,
        "strict_core.E007": 1,
        "strict_core.E008": 1,
        "strict_core.E009": 1,
        "strict_core.E010": 1,
        "strict_core.E011": 1,
        "strict_core.E012": 1,
        "strict_core.E013": 1,
        "strict_core.W001": 1,
    }
    assert "System check identified 18 issues (0 silenced)." in result.stderr
    # Only this package's checks fire: the bad project is otherwise valid Django.
    assert len(re.findall(r"\(([\w.]+\.[EW]\d{3})\)", result.stderr)) == 18


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
    ]
    out = StringIO()

    call_command("check", tags=[TAG], stdout=out)

    assert out.getvalue() == "System check identified no issues (8 silenced).\n"


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
    assert len(in_code) == 16
