"""tox.ini: `tox run` needs only uv and the interpreter at hand; `-m full` runs everything."""

from __future__ import annotations

import configparser
import itertools
import re
from pathlib import Path

import pytest

TOX_INI = Path(__file__).resolve().parents[1] / "tox.ini"


def expand(names: str) -> list[str]:
    """Expand tox's ``a-b{1,2}`` factor notation in a comma- or line-separated list."""
    expanded = []
    for name in re.split(r"[\s\\]+|,(?![^{]*\})", names):
        if not name:
            continue
        parts = re.split(r"\{([^}]*)\}", name)
        choices = [
            [part] if i % 2 == 0 else part.split(",") for i, part in enumerate(parts)
        ]
        expanded.extend("".join(chosen) for chosen in itertools.product(*choices))
    return expanded


@pytest.fixture(scope="module")
def tox() -> configparser.ConfigParser:
    config = configparser.ConfigParser(interpolation=None)
    config.read(TOX_INI)
    return config


@pytest.fixture(scope="module")
def full(tox: configparser.ConfigParser) -> list[str]:
    lines = tox["tox"]["labels"].replace("\\\n", " ").splitlines()
    labels = dict(line.split("=", 1) for line in lines if "=" in line)
    return expand({key.strip(): value for key, value in labels.items()}["full"])


def sections(tox: configparser.ConfigParser) -> list[str]:
    return [
        name.removeprefix("testenv:") for name in tox if name.startswith("testenv:")
    ]


def test_the_default_environments_run_on_the_interpreter_tox_runs_on(
    tox: configparser.ConfigParser,
) -> None:
    default = expand(tox["tox"]["env_list"])
    assert default
    for name in default:
        assert not re.match(r"py\d", name), name
        section = f"testenv:{name}"
        assert section not in tox or "base_python" not in tox[section], name


def test_no_environment_downloads_an_interpreter(
    tox: configparser.ConfigParser,
) -> None:
    for name in ["pkgenv", "testenv", *(f"testenv:{env}" for env in sections(tox))]:
        section = tox[name]
        if name != "testenv" and "set_env" not in section:
            continue  # inherits [testenv]'s
        assert re.search(
            r"^UV_PYTHON_DOWNLOADS\s*=\s*never$", section["set_env"], re.M
        ), name
        assert section.get("uv_python_preference", "system") == "system", name


def test_the_full_run_has_every_environment(
    tox: configparser.ConfigParser, full: list[str]
) -> None:
    assert set(sections(tox)) <= set(full)
    # The quick `py` stands for one of the full run's Python environments.
    assert set(expand(tox["tox"]["env_list"])) - {"py"} <= set(full)
    pythons = {name.split("-")[0] for name in full if re.match(r"py\d", name)}
    assert pythons == {"py310", "py311", "py312", "py313"}
