"""What a developer sees locally: ``migrate`` and ``runserver`` under the local profile.

Real processes on a fresh SQLite file: ``migrate`` writes no SQL unless asked for, and
the development server logs each request once, Python warnings included, as JSON.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from collections.abc import Iterator

ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 60
ACCESS = "django_strict_core.access"


def local_env(database: Path, **extra: str) -> dict[str, str]:
    """The environment of the logs test project under the local profile."""
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "STRICT_"))
    }
    return {
        **base,
        "PYTHONPATH": str(ROOT),
        "PYTHONUNBUFFERED": "1",
        "DJANGO_SETTINGS_MODULE": "tests.projects.logs.settings",
        "DJANGO_ENV": "local",
        "DATABASE_URL": f"sqlite:///{database}",
        **extra,
    }


def migrate(database: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    """Run ``migrate`` on ``database`` and return what it printed."""
    return subprocess.run(
        [sys.executable, "-m", "django", "migrate", "--no-input"],
        env=local_env(database, **extra),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_migrate_writes_no_sql_by_default(tmp_path: Path) -> None:
    result = migrate(tmp_path / "db.sqlite3")

    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    assert "django.db.backends" not in output
    assert "CREATE TABLE" not in output
    assert "Applying users.0001_initial... OK" in output


def test_migrate_writes_sql_when_asked_for(tmp_path: Path) -> None:
    result = migrate(
        tmp_path / "db.sqlite3", DJANGO_LOG_LEVELS="django.db.backends=DEBUG"
    )

    assert result.returncode == 0, result.stderr
    assert "django.db.backends" in result.stdout
    assert "CREATE TABLE" in result.stdout


def free_port() -> int:
    """A port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class DevServer:
    """``manage.py runserver`` in its own process, stopped with SIGINT."""

    def __init__(self, database: Path) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "django",
                "runserver",
                f"127.0.0.1:{self.port}",
                "--noreload",
            ],
            cwd=ROOT,
            env=local_env(database, DJANGO_LOG_FORMAT="json"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.stop()
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            except OSError:
                time.sleep(0.2)
            else:
                return
        raise AssertionError(f"runserver did not listen: {self.stop()}")

    def get(self, path: str, host: str = "localhost") -> int:
        """Send one GET request and return its status."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request("GET", path, headers={"Host": host})
            response = connection.getresponse()
            response.read()
            return response.status
        finally:
            connection.close()

    def stop(self) -> tuple[str, str]:
        """Stop the server and return its stdout and stderr."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        stdout, stderr = self.process.communicate(timeout=30)
        return stdout, stderr


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Requests sent to a development server, and every line it wrote."""
    database = tmp_path_factory.mktemp("runserver") / "db.sqlite3"
    assert migrate(database).returncode == 0
    server = DevServer(database)
    try:
        statuses = {
            "ok": server.get("/sync/"),
            "missing": server.get("/missing/"),
            "unordered": server.get("/api/unordered/"),
            "scanner": server.get("/sync/", host="scanner.example"),
        }
    finally:
        stdout, stderr = server.stop()
    records = [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
    yield {"statuses": statuses, "records": records, "stderr": stderr}


def test_each_request_is_logged_once_by_the_access_record(
    served: dict[str, Any],
) -> None:
    assert served["statuses"] == {
        "ok": 200,
        "missing": 404,
        "unordered": 200,
        "scanner": 400,
    }
    records = served["records"]
    access = [(r["path"], r["status"]) for r in records if r["logger"] == ACCESS]
    assert access == [
        ("/sync/", 200),
        ("/missing/", 404),
        ("/api/unordered/", 200),
        ("/sync/", 400),
    ]
    loggers = {r["logger"] for r in records}
    assert "django.server" not in loggers
    assert "django.request" not in loggers


def test_a_disallowed_host_is_a_warning_without_a_traceback(
    served: dict[str, Any],
) -> None:
    [record] = [
        r for r in served["records"] if r["logger"] == "django.security.DisallowedHost"
    ]

    assert record["level"] == "WARNING"
    assert "scanner.example" in record["message"]
    assert "exception" not in record


def test_python_warnings_are_json_lines_not_stderr_text(
    served: dict[str, Any],
) -> None:
    [record] = [r for r in served["records"] if r["logger"] == "py.warnings"]

    assert record["level"] == "WARNING"
    assert "UnorderedObjectListWarning" in record["message"]
    assert "Warning" not in served["stderr"]
