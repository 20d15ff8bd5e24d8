"""A project made by ``startproject`` from this checkout's wheel, and ways to run it.

The project depends on ``django-strict-core`` by name; uv finds the locally built
wheel through ``UV_FIND_LINKS``. Commands run with the environment of the machine
minus every variable the settings read, so a developer's shell cannot leak in.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

SETTINGS_PREFIXES = ("DJANGO_", "DATABASE_", "REDIS_", "WEB_CONCURRENCY", "PORT")
PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"
COMMAND_TIMEOUT = 900
STARTUP_SECONDS = 60


def find_uv() -> str:
    """Return the uv executable on PATH; the tests cannot run without it."""
    uv = shutil.which("uv")
    assert uv, "uv is required to generate projects (https://docs.astral.sh/uv/)"
    return uv


def base_environment(wheelhouse: Path) -> dict[str, str]:
    """The machine's environment without settings variables, finding the wheel."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(SETTINGS_PREFIXES)
        # Bytecode is written: without it, every command compiles Django anew.
        and key not in {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONDONTWRITEBYTECODE"}
    }
    env.update(UV_FIND_LINKS=str(wheelhouse), UV_PYTHON_DOWNLOADS="never")
    return env


@dataclass
class Timings:
    """How long each step took, in the order they ran, for the session's summary."""

    steps: list[tuple[str, float, str]] = field(default_factory=list)

    def add(self, label: str, seconds: float, outcome: str) -> None:
        """Record one step."""
        self.steps.append((label, seconds, outcome))


TIMINGS = Timings()


@dataclass
class Result:
    """A finished command."""

    returncode: int
    output: str
    seconds: float


def run(
    arguments: list[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    label: str,
    timeout: float = COMMAND_TIMEOUT,
) -> Result:
    """Run a command to completion, timing it, with stdout and stderr together."""
    started = time.perf_counter()
    completed = subprocess.run(
        arguments,
        cwd=cwd,
        env=dict(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
        check=False,
    )
    result = Result(
        completed.returncode, completed.stdout, time.perf_counter() - started
    )
    TIMINGS.add(label, result.seconds, "ok" if result.returncode == 0 else "FAILED")
    return result


@dataclass
class Project:
    """A generated project with its locked environment synced.

    Attributes:
        root: The project's directory.
        env: The environment its commands run with.
        label: Which variant this is, for the timings.
    """

    root: Path
    env: dict[str, str]
    label: str

    def bin(self, name: str) -> str:
        """An executable of the project's virtual environment."""
        return str(self.root / ".venv" / "bin" / name)

    def run(
        self, *arguments: str, env: Mapping[str, str] | None = None, label: str = ""
    ) -> Result:
        """Run a command in the project's directory."""
        return run(
            list(arguments),
            cwd=self.root,
            env=self.env if env is None else env,
            label=f"{self.label}: {label or self.describe(arguments)}",
        )

    @staticmethod
    def describe(arguments: tuple[str, ...]) -> str:
        """A command line as a label: the program's name and its arguments."""
        return " ".join([Path(arguments[0]).name, *arguments[1:]])

    def manage(self, *arguments: str, env: Mapping[str, str] | None = None) -> Result:
        """Run ``manage.py`` with the project's interpreter."""
        return self.run(
            self.bin("python"),
            "manage.py",
            *arguments,
            env=env,
            label="manage.py " + " ".join(arguments),
        )


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def database_url(server_url: str, name: str) -> str:
    """``server_url`` with its database name replaced."""
    return urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))


@contextlib.contextmanager
def scratch_database(server_url: str) -> Iterator[str]:
    """Create an empty database on the server of ``server_url``, dropped afterwards.

    Yields:
        The new database's URL.
    """
    name = f"strict_generated_{secrets.token_hex(4)}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield database_url(server_url, name)
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(name)
                )
            )


@dataclass
class Response:
    """An HTTP answer."""

    status: int
    headers: Any
    body: bytes

    def json(self) -> Any:
        """The body, parsed as JSON."""
        return json.loads(self.body)


def get(url: str, headers: Mapping[str, str] | None = None) -> Response:
    """Send one GET request and return the answer, whatever its status."""
    request = urllib.request.Request(  # noqa: S310 - loopback, built by the tests
        url, headers={"Accept": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
            return Response(answer.status, answer.headers, answer.read())
    except urllib.error.HTTPError as answer:
        return Response(answer.code, answer.headers, answer.read())


@contextlib.contextmanager
def gunicorn(project: Project, env: Mapping[str, str], log: Path) -> Iterator[str]:
    """Serve the project with gunicorn and uvicorn workers, as its image does.

    Args:
        project: The project.
        env: The application's environment.
        log: Where gunicorn's stdout and stderr go.

    Yields:
        The origin it serves on.
    """
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                project.bin("gunicorn"),
                "config.asgi:application",
                "-c",
                "config/gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{port}",
            ],
            cwd=project.root,
            env={**env, "PORT": str(port), "WEB_CONCURRENCY": "1"},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None:
                raise AssertionError(f"gunicorn exited:\n{log.read_text()}")
            with contextlib.suppress(OSError):
                if get(f"{origin}/api/health/live/").status == 200:
                    break
            if time.monotonic() > deadline:
                raise AssertionError(f"gunicorn did not answer:\n{log.read_text()}")
            time.sleep(0.2)
        TIMINGS.add(
            f"{project.label}: gunicorn start", time.perf_counter() - started, "ok"
        )
        yield origin
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
