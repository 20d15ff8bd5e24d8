"""The project's ``docker-compose.yml`` under podman-compose, as ``docker compose`` runs it.

The compose file is used as it is, plus one override file that only renames images:
the stand-ins of PostgreSQL and Redis (no registry is reachable), and this run's own
names for the images it builds, so that parallel runs never share an image. The
published ports are the file's ``HTTP_PORT`` and ``HTTPS_PORT``, on loopback.

Two differences from Docker are bridged here and nowhere else:

- podman-compose 1.6 on podman 4.3 cannot follow the file's ``depends_on``: it skips
  ``service_healthy`` before podman 4.6, and the ``--requires`` links it adds make
  ``podman start app`` fail once the one-shot ``migrate`` has exited
  (containers/podman-compose#683). :meth:`Compose.up` therefore starts one service
  at a time (``up --no-deps``), in the order and on the conditions the file's
  ``depends_on`` states, as ``docker compose up`` does;
- without systemd nothing runs health checks on a timer, so a
  :class:`~tests.containers.podman.HealthTicker` runs them every second.
"""

from __future__ import annotations

import re
import secrets
import subprocess
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import yaml

from tests.containers import podman
from tests.e2e.stack import free_port, request

if TYPE_CHECKING:
    from pathlib import Path

    from tests.e2e.stack import Response

STANDINS = {
    "db": "localhost/standin/postgres:debian13",
    "redis": "localhost/standin/redis:debian13",
}


def environment_file(project: Path, password: str) -> str:
    """Return ``.env.example`` with fresh secrets, as a user would fill it in."""
    values = {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "POSTGRES_PASSWORD": password,
        "WEB_CONCURRENCY": "2",
    }
    lines = []
    for example in (project / ".env.example").read_text().splitlines():
        name = example.split("=", 1)[0]
        if name in values:
            lines.append(f"{name}={values.pop(name)}")
        elif name == "DATABASE_URL":
            lines.append(re.sub(r":change-me@", f":{password}@", example))
        else:
            lines.append(example)
    lines += [f"{name}={value}" for name, value in values.items()]
    return "\n".join(lines) + "\n"


def certificates(directory: Path) -> None:
    """Write a self-signed certificate for localhost, as the compose file's header says."""
    directory.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
         "-keyout", str(directory / "tls.key"), "-out", str(directory / "tls.crt")],
        check=True, capture_output=True,
    )  # fmt: skip


@dataclass
class Compose:
    """One compose project built and started from a copy of the sources."""

    project_dir: Path
    name: str = f"strict-containers-{podman.RUN_ID}"
    http_port: int = field(default_factory=free_port)
    https_port: int = field(default_factory=free_port)
    images: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        tag = podman.RUN_ID
        app = f"localhost/strict-containers-test/app:{tag}"
        self.images = {**STANDINS, "migrate": app, "app": app}
        self.images["nginx"] = f"localhost/strict-containers-test/nginx:{tag}"
        override = "services:\n" + "".join(
            f"  {service}:\n    image: {image}\n"
            for service, image in self.images.items()
        )
        (self.project_dir / "compose.standins.yml").write_text(override)
        (self.project_dir / ".env").write_text(
            environment_file(self.project_dir, secrets.token_hex(12))
        )
        certificates(self.project_dir / "nginx" / "certs")

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def https(self) -> str:
        return f"https://localhost:{self.https_port}"

    def run(self, *args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
        """Run ``podman-compose`` on the file and the override; fail on an error."""
        build_args = " ".join((*podman.BUILD_OPTIONS, f"--label={podman.LABEL}"))
        env = podman.environment()
        env["HTTP_PORT"] = f"127.0.0.1:{self.http_port}"
        env["HTTPS_PORT"] = f"127.0.0.1:{self.https_port}"
        result = subprocess.run(
            ["podman-compose", f"--project-name={self.name}",
             "--file=docker-compose.yml", "--file=compose.standins.yml",
             f"--podman-build-args={build_args}", *args],
            cwd=self.project_dir, env=env, capture_output=True, text=True,
            timeout=timeout, check=False,
        )  # fmt: skip
        if result.returncode != 0:
            raise AssertionError(
                f"podman-compose {' '.join(args)}: {result.returncode}\n"
                f"{result.stdout[-6000:]}\n{result.stderr[-6000:]}"
            )
        return result

    def services(self) -> dict[str, dict[str, Any]]:
        """Return the compose file's services as it declares them."""
        spec = yaml.safe_load((self.project_dir / "docker-compose.yml").read_text())
        services: dict[str, dict[str, Any]] = spec["services"]
        return services

    def dependencies(self) -> list[tuple[str, dict[str, str]]]:
        """Return the services in start order, each with its ``depends_on`` conditions."""
        services = self.services()

        def conditions(name: str) -> dict[str, str]:
            declared = services[name].get("depends_on") or {}
            if isinstance(declared, list):
                return dict.fromkeys(declared, "service_started")
            return {
                dependency: (options or {}).get("condition", "service_started")
                for dependency, options in declared.items()
            }

        order: list[str] = []

        def visit(name: str) -> None:
            if name not in order:
                for dependency in conditions(name):
                    visit(dependency)
                order.append(name)

        for name in services:
            visit(name)
        return [(name, conditions(name)) for name in order]

    def wait_for(self, service: str, condition: str, timeout: float = 180) -> None:
        """Wait until a service meets a ``depends_on`` condition.

        Raises:
            AssertionError: When it does not in time, or a one-shot service failed.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = self.state(service)
            if (
                condition == "service_completed_successfully"
                and state["Status"] == "exited"
            ):
                assert state["ExitCode"] == 0, self.logs(service)
                return
            if condition == "service_healthy" and self.health(service) == "healthy":
                return
            if condition == "service_started" and state["Status"] == "running":
                return
            time.sleep(0.5)
        raise AssertionError(f"{service}: not {condition} within {timeout} s")

    def up(self) -> None:
        """Start every service once its dependencies meet their conditions."""
        for service, conditions in self.dependencies():
            for dependency, condition in conditions.items():
                self.wait_for(dependency, condition)
            self.run("up", "--detach", "--no-deps", service)

    def build(self) -> None:
        """Build the images one service at a time, as the second reuses uv's cache.

        A build that fails on the network is tried once more.
        """
        for service, spec in self.services().items():
            if "build" in spec:
                try:
                    self.run("build", service)
                except AssertionError as failure:
                    if not podman.network_failed(str(failure)):
                        raise
                    podman.FIGURES["builds retried after a network failure"] = str(
                        int(
                            podman.FIGURES.get(
                                "builds retried after a network failure", "0"
                            )
                        )
                        + 1
                    )
                    self.run("build", service)

    def containers(self, service: str) -> list[str]:
        """Return the names of a service's containers, running or not."""
        return podman.podman(
            "ps", "--all", "--format={{.Names}}",
            f"--filter=label=io.podman.compose.project={self.name}",
            f"--filter=label=io.podman.compose.service={service}",
        ).stdout.split()  # fmt: skip

    def state(self, service: str) -> dict[str, Any]:
        """Return the state of a service's first container."""
        state: dict[str, Any] = podman.inspect(
            "container", self.containers(service)[0]
        )["State"]
        return state

    def health(self, service: str) -> str:
        """Return a service's health status ("" without a health check)."""
        state = self.state(service)
        return str(
            (state.get("Health") or state.get("Healthcheck") or {}).get("Status", "")
        )

    def wait_healthy(self, *services: str, timeout: float = 120) -> float:
        """Wait until every service's health check passes; return the seconds."""
        started = time.monotonic()
        while not all(self.health(service) == "healthy" for service in services):
            if time.monotonic() - started > timeout:
                states = {service: self.health(service) for service in services}
                raise AssertionError(f"not healthy within {timeout} s: {states}")
            time.sleep(0.5)
        return time.monotonic() - started

    def probe(self, path: str = "/api/health/", timeout: float = 5.0) -> Response:
        """GET a path over plain HTTP as a probe does: a pod IP as the Host."""
        return request(
            f"{self.http}{path}", headers={"Host": "10.1.2.3"}, timeout=timeout
        )

    def wait_serving(self, timeout: float = 120) -> None:
        """Wait until nginx forwards a healthy answer from the application."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.probe().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise AssertionError(f"the stack did not answer 200 within {timeout} s")

    def logs(self, service: str) -> list[tuple[str, str]]:
        """Return ``(container, line)`` for every line each container of a service wrote."""
        lines = []
        for container in self.containers(service):
            result = podman.podman("logs", container)
            lines += [
                (container, line)
                for line in (result.stdout + result.stderr).splitlines()
            ]
        return lines
