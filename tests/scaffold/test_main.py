"""``python -m django_strict_core``: the command line of the two commands."""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from django_strict_core.__main__ import main
from django_strict_core.scaffold import startproject

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture(autouse=True)
def _restored_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Give ``main`` a copy of the import path to change."""
    monkeypatch.setattr(sys, "path", list(sys.path))


def test_without_a_command_it_prints_the_usage_and_fails(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main([]) == 2
    assert "startproject NAME [DIRECTORY]" in capsys.readouterr().out


def test_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    assert "startapp NAME" in capsys.readouterr().out


def test_an_unknown_command_fails(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["runserver"]) == 1
    assert "Unknown command: 'runserver'" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("command", "option"), [("startproject", "--python"), ("startapp", "--model")]
)
def test_each_command_describes_its_options(
    capsys: pytest.CaptureFixture[str], command: str, option: str
) -> None:
    assert main([command, "--help"]) == 0
    out = capsys.readouterr().out
    assert f"usage: python -m django_strict_core {command}" in out
    assert option in out


def test_a_command_error_is_printed_and_fails(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)

    assert main(["startproject", "Shop"]) == 1
    assert "CommandError: 'Shop' is not a valid project name" in capsys.readouterr().err


def test_a_folder_of_the_current_directory_is_not_taken_for_a_module(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "shop").mkdir()
    # As ``python -m`` starts: the current directory first on the path.
    sys.path.insert(0, str(tmp_path))

    # Rendering is what is tested here; locking needs the package index.
    monkeypatch.setattr(startproject, "lock", lambda *_args, **_kwargs: None)

    assert main(["startproject", "shop", "elsewhere"]) == 0
    err = capsys.readouterr().err
    assert "conflicts with the name of an existing Python module" not in err
    assert (tmp_path / "elsewhere" / "manage.py").is_file()


def test_it_runs_as_a_module(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "django_strict_core", "startapp", "orders"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 1
    assert "No project found in" in result.stderr
