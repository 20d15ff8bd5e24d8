"""Rendered projects for the scaffold tests, made with the commands' own rendering."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from django_strict_core.scaffold import startproject

if TYPE_CHECKING:
    from pathlib import Path


def render(parent: Path, name: str = "shop", *, python_version: str = "3.12") -> Path:
    """Render the project template into ``parent/name``, without locking it."""
    target = parent / name
    target.mkdir()
    startproject.render_project(
        startproject.Command(), name, target, python_version=python_version
    )
    return target


@pytest.fixture
def rendered(tmp_path: Path) -> Path:
    """A freshly rendered project called ``shop``."""
    return render(tmp_path)


@pytest.fixture
def in_project(rendered: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A rendered project that is the current directory."""
    monkeypatch.chdir(rendered)
    return rendered
