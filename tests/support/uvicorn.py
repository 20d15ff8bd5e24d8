"""A test project served by a real uvicorn process on a loopback socket."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping
    from email.message import Message

ROOT = Path(__file__).resolve().parents[2]
# Variables the settings read: only the server's own ``env`` configures it.
SETTINGS_PREFIXES = ("DJANGO_", "DATABASE_", "REDIS_")
STARTUP_SECONDS = 30


class UvicornServer:
    """uvicorn running ``settings_module`` with ``env``; requests carry ``headers``.

    The socket is bound here and handed to uvicorn, so the port is known before the
    process starts and no other process can take it.
    """

    def __init__(
        self,
        settings_module: str,
        env: Mapping[str, str],
        *,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.headers = dict(headers or {})
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.port: int = self.socket.getsockname()[1]
        base = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(SETTINGS_PREFIXES)
        }
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "uvicorn", "--factory",
                "django.core.asgi:get_asgi_application",
                "--fd", str(self.socket.fileno()), "--no-access-log",
            ],
            env={**base, "DJANGO_SETTINGS_MODULE": settings_module, **env},
            cwd=ROOT,
            pass_fds=(self.socket.fileno(),),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )  # fmt: skip

    def request(
        self,
        path: str,
        *,
        method: str = "GET",
        headers: Mapping[str, str] | None = None,
    ) -> tuple[int, Message, bytes]:
        """Send one request; ``headers`` add to and replace the server's own."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            connection.request(
                method, path, headers={**self.headers, **(headers or {})}
            )
            response = connection.getresponse()
            return response.status, response.headers, response.read()
        finally:
            connection.close()

    def wait_until_serving(self) -> None:
        """Return once the liveness route answers 200; fail with the output if not."""
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(self.stop())
            try:
                if self.request("/api/health/live/")[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"uvicorn did not start:\n{self.stop()}")

    def stop(self) -> str:
        """Stop uvicorn and return what it printed."""
        self.process.terminate()
        output, _ = self.process.communicate(timeout=15)
        self.socket.close()
        return output
