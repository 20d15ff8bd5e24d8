"""The client generators and checkers, run as their users run them.

openapi-python-client comes from PyPI (``tox run -e clients`` installs it beside the
project); openapi-typescript and TypeScript come from npm, at the versions
``package-lock.json`` beside this file pins, installed with ``npm ci`` into a
scratch directory.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import pytest

from tests.services import REQUIRE_SERVICES

if TYPE_CHECKING:
    from types import ModuleType

HERE = Path(__file__).resolve().parent
PACKAGE = "example_client"
# What openapi-python-client writes to name the generated package; the rest is its
# defaults, post hooks (ruff) included.
GENERATOR_CONFIG = (
    f"package_name_override: {PACKAGE}\nproject_name_override: example-client\n"
)
TIMEOUT = 300


def unavailable(reason: str) -> NoReturn:
    """Skip for want of a service or tool, or fail when they are required."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (STRICT_CORE_REQUIRE_SERVICES=1)", pytrace=False)
    pytest.skip(reason)


class ToolError(RuntimeError):
    """A tool is missing or failed; the message carries its output."""


def executable(name: str) -> str | None:
    """Return the path of a program in this environment or on ``PATH``."""
    beside = Path(sys.executable).with_name(name)
    return str(beside) if beside.exists() else shutil.which(name)


def run(command: list[str], cwd: Path, *, env: dict[str, str] | None = None) -> str:
    """Run a tool and return its output (stdout and stderr).

    Raises:
        ToolError: When it exits with a status other than 0.
    """
    done = subprocess.run(
        command,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
        env=env,
    )
    output = done.stdout + done.stderr
    if done.returncode:
        raise ToolError(f"{' '.join(command)} exited with {done.returncode}:\n{output}")
    return output


def generate_python_client(schema: Path, workdir: Path) -> tuple[Path, str]:
    """Generate the Python client with openapi-python-client.

    Returns:
        The directory holding the package, and the generator's output.

    Raises:
        ToolError: When the generator is not installed or fails.
    """
    generator = executable("openapi-python-client")
    if generator is None:
        raise ToolError("openapi-python-client is not installed (tox run -e clients)")
    config = workdir / "openapi-python-client.yaml"
    config.write_text(GENERATOR_CONFIG)
    output_dir = workdir / "python-client"
    env = {
        **os.environ,
        "PATH": f"{Path(generator).parent}{os.pathsep}{os.environ['PATH']}",
    }
    output = run(
        [
            generator,
            "generate",
            "--path",
            str(schema),
            "--config",
            str(config),
            "--output-path",
            str(output_dir),
            "--overwrite",
        ],
        workdir,
        env=env,
    )
    return output_dir, output


def import_every_module(root: Path, package: str = PACKAGE) -> list[ModuleType]:
    """Import a generated package and every module in it.

    Returns:
        The modules, the package first.
    """
    sys.path.insert(0, str(root))
    importlib.invalidate_caches()
    top = importlib.import_module(package)
    return [
        top,
        *(
            importlib.import_module(info.name)
            for info in pkgutil.walk_packages(top.__path__, f"{package}.")
        ),
    ]


def has_mypy() -> bool:
    """Whether mypy can be run with this interpreter."""
    return importlib.util.find_spec("mypy") is not None


def mypy_strict(package_dir: Path) -> str:
    """Type-check a generated package with ``mypy --strict``.

    Raises:
        ToolError: When mypy reports errors.
    """
    return run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            package_dir.name,
        ],
        package_dir.parent,
    )


def install_typescript_tools(workdir: Path) -> Path:
    """Install openapi-typescript and TypeScript from the lock file with ``npm ci``.

    Returns:
        The directory whose ``node_modules/.bin`` holds them.

    Raises:
        ToolError: When npm is missing or the install fails.
    """
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        raise ToolError("node and npm are required (apt-get install nodejs npm)")
    for name in ("package.json", "package-lock.json"):
        shutil.copy(HERE / name, workdir / name)
    env = {**os.environ, "NPM_CONFIG_UPDATE_NOTIFIER": "false"}
    run([npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"], workdir, env=env)
    return workdir


def node_tool(tools: Path, name: str) -> str:
    """Return the path of an installed npm tool, such as ``tsc``."""
    return str(tools / "node_modules" / ".bin" / name)
