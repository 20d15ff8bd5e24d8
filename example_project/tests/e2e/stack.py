"""The example project as it runs in production, started for real on loopback.

gunicorn with uvicorn workers serves ``config.asgi:application`` against a database of
its own on the machine's PostgreSQL and the machine's Redis (with a key prefix of its
own), behind nginx using ``nginx/nginx.conf`` with only addresses and paths rewritten.
The end-to-end tests and the reliability suite both start it from here.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import socket
import ssl
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

from tests.services import program

if TYPE_CHECKING:
    import email.message
    from collections.abc import Iterator, Mapping

PROJECT_DIR = Path(__file__).resolve().parents[2]
NGINX_CONF = PROJECT_DIR / "nginx" / "nginx.conf"
STARTUP_SECONDS = 60


class StackError(RuntimeError):
    """A part of the stack could not be started."""


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def scratch_database(server_url: str) -> Iterator[str]:
    """Create a database on the server of ``server_url`` and drop it afterwards.

    Args:
        server_url: A PostgreSQL URL whose database is used only to connect.

    Yields:
        The URL of the new, empty database.
    """
    name = f"strict_example_{secrets.token_hex(4)}"
    parts = urlsplit(server_url)
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(name)
                )
            )


@dataclass
class Response:
    """An HTTP answer as the tests need it."""

    status: int
    headers: email.message.Message  # case-insensitive, as HTTP header names are
    body: bytes

    def json(self) -> Any:
        """Return the body parsed as JSON."""
        return json.loads(self.body)


def request(
    url: str,
    method: str = "GET",
    *,
    body: Any = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 10.0,
) -> Response:
    """Send one request without following redirects or verifying certificates.

    Args:
        url: The full URL.
        method: The HTTP method.
        body: A JSON-serialisable body, or raw ``bytes``.
        headers: Extra request headers.
        timeout: Seconds to wait for the answer.

    Returns:
        The response, whatever its status.
    """
    data = (
        body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    )
    all_headers = {"Accept": "application/json", **(headers or {})}
    if data is not None and not isinstance(body, bytes):
        all_headers.setdefault("Content-Type", "application/json")
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    opener = urllib.request.build_opener(
        urllib.request.HTTPSHandler(context=context), _NoRedirect()
    )
    outgoing = urllib.request.Request(
        url, data=data, headers=all_headers, method=method
    )
    try:
        with opener.open(outgoing, timeout=timeout) as answer:
            return Response(answer.status, answer.headers, answer.read())
    except urllib.error.HTTPError as answer:
        return Response(answer.code, answer.headers, answer.read())


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Return redirects to the caller instead of following them."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:  # noqa: ARG002
        """Refuse to follow."""
        return


@dataclass
class Stack:
    """A running example project: gunicorn + uvicorn workers behind nginx.

    Attributes:
        database_url: The project's own database.
        redis_url: The machine's Redis.
        workers: gunicorn worker processes.
        environment: Extra environment variables for the application.
        name: Start of the cache key prefix, which is unique per start.
    """

    database_url: str
    redis_url: str
    workers: int = 2
    environment: dict[str, str] = field(default_factory=dict)
    name: str = "e2e"
    workdir: Path = field(init=False)
    app_port: int = field(init=False, default=0)
    http_port: int = field(init=False, default=0)
    https_port: int = field(init=False, default=0)
    key_prefix: str = field(init=False, default="")
    _gunicorn: subprocess.Popen[bytes] | None = field(init=False, default=None)
    _nginx: subprocess.Popen[bytes] | None = field(init=False, default=None)

    @property
    def https(self) -> str:
        """The HTTPS origin nginx serves the API on."""
        return f"https://127.0.0.1:{self.https_port}"

    @property
    def http(self) -> str:
        """The plain-HTTP origin where probes arrive."""
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def app(self) -> str:
        """gunicorn's own address, without nginx."""
        return f"http://127.0.0.1:{self.app_port}"

    @property
    def log_path(self) -> Path:
        """Where gunicorn's stdout (the JSON log stream) is written."""
        return self.workdir / "app.log"

    def app_env(self) -> dict[str, str]:
        """The environment the project runs with: production, configured by variables."""
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_", "WEB_CONCURRENCY"))
        }
        env.update(
            DJANGO_ENV="production",
            DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
            DJANGO_ALLOWED_HOSTS="localhost,127.0.0.1",
            DJANGO_CSRF_TRUSTED_ORIGINS=f"https://127.0.0.1:{self.https_port}",
            DJANGO_NUM_PROXIES="1",
            DJANGO_LOG_LEVEL="INFO",
            DJANGO_CACHE_KEY_PREFIX=self.key_prefix,
            DATABASE_URL=self.database_url,
            REDIS_URL=self.redis_url,
            WEB_CONCURRENCY=str(self.workers),
            PORT=str(self.app_port),
            PYTHONUNBUFFERED="1",
        )
        env.update(self.environment)
        return env

    def manage(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run ``manage.py`` with the application's environment.

        Args:
            *args: The command and its arguments.

        Returns:
            The finished process; raises when it failed.
        """
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=PROJECT_DIR,
            env=self.app_env(),
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )

    def start(self, workdir: Path) -> None:
        """Migrate, collect static files, and start gunicorn and nginx.

        Args:
            workdir: A directory for certificates, logs and nginx's files.

        Raises:
            StackError: When nginx or openssl is missing or a server does not start.
        """
        self.workdir = workdir
        self.app_port, self.http_port, self.https_port = (free_port() for _ in range(3))
        self.key_prefix = f"{self.name}-{secrets.token_hex(4)}"
        self.manage("migrate", "--noinput")
        self.manage("collectstatic", "--noinput")
        self.start_app()
        self.start_nginx()

    def start_app(self) -> None:
        """Start gunicorn with the project's configuration and wait until it answers.

        Raises:
            StackError: When it exits or does not answer in time.
        """
        gunicorn = Path(sys.executable).with_name("gunicorn")
        log = self.log_path.open("ab")
        self._gunicorn = subprocess.Popen(
            [
                str(gunicorn),
                "config.asgi:application",
                "-c",
                "config/gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{self.app_port}",
            ],
            cwd=PROJECT_DIR,
            env=self.app_env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self._wait(f"{self.app}/api/health/live/", self._gunicorn, "gunicorn")

    def stop_app(self) -> None:
        """Stop gunicorn gracefully (SIGTERM) and wait for it."""
        _stop(self._gunicorn)
        self._gunicorn = None

    def start_nginx(self) -> None:
        """Start nginx with the example's configuration, rewritten for loopback.

        Raises:
            StackError: When nginx or openssl is missing or nginx does not start.
        """
        nginx, openssl = program("nginx"), program("openssl")
        if not nginx or not openssl:
            raise StackError(
                "nginx and openssl are required (apt-get install nginx openssl)"
            )
        certs = self.workdir / "certs"
        certs.mkdir(exist_ok=True)
        subprocess.run(
            [
                openssl,
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "1",
                "-subj",
                "/CN=localhost",
                "-keyout",
                str(certs / "tls.key"),
                "-out",
                str(certs / "tls.crt"),
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
        config = self.workdir / "nginx.conf"
        config.write_text(self.nginx_config(certs))
        self._nginx = subprocess.Popen(
            [nginx, "-c", str(config), "-p", str(self.workdir), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=(self.workdir / "nginx.err").open("ab"),
        )
        self._wait(f"{self.http}/api/health/live/", self._nginx, "nginx")

    def nginx_config(self, certs: Path) -> str:
        """Return ``nginx/nginx.conf`` with addresses and paths for this machine.

        Args:
            certs: Directory holding ``tls.crt`` and ``tls.key``.

        Returns:
            The configuration text.
        """
        text = NGINX_CONF.read_text()
        temp = self.workdir / "nginx-temp"
        temp.mkdir(exist_ok=True)
        replacements = {
            r"server app:8000;": f"server 127.0.0.1:{self.app_port};",
            r"listen 80;": f"listen 127.0.0.1:{self.http_port};",
            r"listen 443 ssl;": f"listen 127.0.0.1:{self.https_port} ssl;",
            r"/etc/nginx/certs/": f"{certs}/",
            r"pid /tmp/nginx.pid;": f"pid {self.workdir}/nginx.pid;",
            r"alias /app/example_project/staticfiles/;": f"alias {PROJECT_DIR}/staticfiles/;",
            r"http \{": (
                "http {\n"
                + "".join(
                    f"    {kind}_temp_path {temp}/{kind};\n"
                    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
                )
            ),
        }
        if os.geteuid() == 0:
            # Workers would drop to "nobody", who may not enter a private directory
            # (a checkout made with mktemp -d, pytest's tmp_path) to read static
            # files or buffer request bodies.
            replacements[r"worker_processes auto;"] = (
                "user root;\nworker_processes auto;"
            )
        for pattern, replacement in replacements.items():
            text, count = re.subn(pattern, lambda _m, r=replacement: r, text)
            if not count:
                raise StackError(f"nginx.conf no longer contains {pattern!r}")
        return text

    def stop(self) -> None:
        """Stop nginx and gunicorn."""
        _stop(self._nginx)
        self._nginx = None
        self.stop_app()

    def log_records(self) -> list[dict[str, Any]]:
        """Parse every line gunicorn wrote; each must be one JSON object.

        Returns:
            The records, in order.

        Raises:
            ValueError: When a line is not a JSON object.
        """
        records = []
        for line in self.log_path.read_text().splitlines():
            record = json.loads(line)
            if not isinstance(record, dict):
                raise ValueError(f"log line is not a JSON object: {line!r}")
            records.append(record)
        return records

    def worker_pids(self) -> list[int]:
        """Return the pids of gunicorn's worker processes."""
        if self._gunicorn is None:
            return []
        children = Path(
            f"/proc/{self._gunicorn.pid}/task/{self._gunicorn.pid}/children"
        )
        return (
            [int(pid) for pid in children.read_text().split()]
            if children.exists()
            else []
        )

    def worker_rss(self) -> dict[int, int]:
        """Return the resident memory of each worker, in KiB, by pid."""
        sizes = {}
        for pid in self.worker_pids():
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        sizes[pid] = int(line.split()[1])
        return sizes

    def worker_cpu_seconds(self) -> dict[int, float]:
        """Return the CPU time (user + system) each worker has used, by pid."""
        ticks = os.sysconf("SC_CLK_TCK")
        used = {}
        for pid in self.worker_pids():
            with contextlib.suppress(OSError):
                # The fields after the parenthesised command name; utime and stime
                # are the 14th and 15th fields of the whole line.
                fields = (
                    Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
                )
                used[pid] = (int(fields[11]) + int(fields[12])) / ticks
        return used

    def _wait(self, url: str, process: subprocess.Popen[bytes], name: str) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise StackError(
                    f"{name} exited with {process.returncode}; see {self.workdir}"
                )
            with contextlib.suppress(OSError):
                if request(url, timeout=2).status == 200:
                    return
            time.sleep(0.2)
        raise StackError(f"{name} did not answer {url} within {STARTUP_SECONDS} s")


def _stop(process: subprocess.Popen[bytes] | None) -> None:
    """Terminate a server and wait for it, killing it if it lingers."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
