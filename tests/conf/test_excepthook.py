"""An invalid environment under manage.py: a short error, printed last."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from django_strict_core.conf import SettingsError, StrictSettings, excepthook

ROOT = Path(__file__).resolve().parents[2]


def run(
    *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run Python in the repository with a clean settings environment."""
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "STRICT_"))
    }
    return subprocess.run(
        [sys.executable, *args],
        env={**base, "PYTHONPATH": str(ROOT), **(env or {})},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_manage_py_prints_the_settings_error_last_without_a_traceback() -> None:
    result = run(
        "-m",
        "django",
        "check",
        env={
            "DJANGO_SETTINGS_MODULE": "tests.projects.deploy.settings",
            "DJANGO_ENV": "production",
        },
    )

    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert "Traceback (most recent call last)" not in result.stderr
    assert "django/core/management" not in result.stderr
    assert lines[0] == "Raised by the project's own code:"
    assert lines[1].startswith('  File "')
    assert lines[1].endswith('tests/projects/deploy/settings.py", line 10, in <module>')
    assert lines[-3] == (
        "django_strict_core.conf.errors.SettingsError: Invalid environment "
        "(DJANGO_ENV=production): 2 variable(s) to fix."
    )
    assert lines[-2].startswith("  - DJANGO_SECRET_KEY: ")
    assert lines[-1].startswith("  - DJANGO_ALLOWED_HOSTS: ")
    assert len(lines) <= 8
    assert result.stdout == ""


def test_other_exceptions_keep_their_full_traceback() -> None:
    result = run(
        "-c",
        "from django_strict_core.conf.errors import Problem, SettingsError\n"
        "SettingsError([Problem('X', 'y')], profile=None)\n"
        "raise ValueError('not a settings error')\n",
    )

    assert result.returncode == 1
    assert result.stderr.startswith("Traceback (most recent call last):")
    assert result.stderr.endswith("ValueError: not a settings error\n")


def test_a_caught_settings_error_prints_nothing() -> None:
    result = run(
        "-c",
        "from django_strict_core.conf import StrictSettings, SettingsError\n"
        "try:\n"
        "    StrictSettings(env='production')\n"
        "except SettingsError:\n"
        "    print('handled')\n",
    )

    assert result.returncode == 0, result.stderr
    assert (result.stdout, result.stderr) == ("handled\n", "")


def test_without_a_project_frame_only_the_error_is_printed() -> None:
    # Code given with -c has no file: the library's frames are all that is left.
    result = run(
        "-c",
        "from django_strict_core.conf import StrictSettings\n"
        "StrictSettings(env='production')\n",
    )

    assert result.returncode == 1
    assert result.stderr.startswith(
        "django_strict_core.conf.errors.SettingsError: Invalid environment"
    )


@pytest.mark.usefixtures("clean_environ")
def test_the_hook_prints_the_project_frame_and_the_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    try:
        StrictSettings(env="production")
    except SettingsError as error:
        excepthook.excepthook(SettingsError, error, error.__traceback__)

    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "Raised by the project's own code:"
    assert lines[1].startswith(f'  File "{__file__}", line ')
    assert lines[2].strip() == 'StrictSettings(env="production")'
    assert lines[-3].startswith("django_strict_core.conf.errors.SettingsError: ")


def test_the_hook_hands_other_exceptions_to_the_previous_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[BaseException] = []
    monkeypatch.setattr(excepthook, "_previous", lambda *args: seen.append(args[1]))
    error = ValueError("not a settings error")

    excepthook.excepthook(ValueError, error, None)

    assert seen == [error]


def test_installing_twice_keeps_one_hook(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.__excepthook__)
    monkeypatch.setattr(excepthook, "_previous", excepthook._previous)

    excepthook.install()
    excepthook.install()

    assert sys.excepthook is excepthook.excepthook
    assert excepthook._previous is sys.__excepthook__
