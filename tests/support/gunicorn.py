"""A real gunicorn with the library's configuration module, its output read line by line."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 60
# Variables of a developer's shell that must not reach a server under test.
FOREIGN = ("DJANGO_", "DATABASE_", "REDIS_", "WEB_CONCURRENCY", "GUNICORN_CMD_ARGS")


def base_environment() -> dict[str, str]:
    """This process's environment without settings variables, with the repository on the path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(FOREIGN)}
    env["PYTHONPATH"] = str(ROOT)
    return env


class Server:
    """A gunicorn process serving ``app`` with ``-c python:django_strict_core.gunicorn``.

    Args:
        env: The server's environment.
        app: The ASGI application.
        args: Further command-line options.
    """

    def __init__(
        self,
        env: dict[str, str],
        app: str = "tests.projects.logs.asgi:application",
        args: tuple[str, ...] = (),
    ) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "python:django_strict_core.gunicorn",
                app,
                "--bind",
                "127.0.0.1:0",
                *args,
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []
        self._new: queue.Queue[str] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)
            self._new.put(line)

    def start(self) -> int:
        """Wait until the server is up and return its port."""
        port = int(self.wait_for(r"Listening at: http://127\.0\.0\.1:(\d+)")[1])
        self.wait_for("Application startup complete")
        return port

    def wait_for(self, pattern: str) -> re.Match[str]:
        """Wait for a line of output matching ``pattern``."""
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            try:
                line = self._new.get(timeout=0.5)
            except queue.Empty:
                assert self.process.poll() is None, self.stop()
                continue
            found = re.search(pattern, line)
            if found:
                return found
        raise AssertionError(f"no {pattern!r} in gunicorn's output: {self.lines}")

    def worker_pids(self) -> list[int]:
        """Return the pids of gunicorn's workers."""
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text()
        return [int(child) for child in children.split()]

    def stop(self) -> str:
        """Stop the server (SIGTERM, then SIGKILL) and return its standard error."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._reader.join(timeout=10)
        assert self.process.stderr is not None
        return self.process.stderr.read()
