"""Podman, the stand-in images and a copy of the sources: what the container tests drive.

The tests build and run the project's ``Dockerfile`` and ``docker-compose.yml`` with
podman as a user's Docker would, from a copy of the repository's files (the ones git
tracks or would track), so they may add files and write ``.env`` and certificates
without touching the working tree. Every image, container, volume and network they
make carries the run's name and is removed at the end.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from types import ModuleType

PROJECT = Path(__file__).resolve().parents[2]
REPOSITORY = PROJECT.parent
CI_CONTAINERS = REPOSITORY / ".ci" / "containers"
# Builds here reach the package index through this machine's CA bundle only; uv reads
# the system store when /etc/uv/uv.toml says so. Neither is in the Dockerfile.
CA_BUNDLE = Path(os.environ.get("SSL_CERT_FILE", "/etc/ssl/certs/ca-certificates.crt"))
BUILD_MOUNTS = (
    f"--volume={CA_BUNDLE}:/etc/ssl/certs/ca-certificates.crt:ro",
    f"--volume={CI_CONTAINERS / 'uv.toml'}:/etc/uv/uv.toml:ro",
)
# HEALTHCHECK survives only in Docker's image format. The builds of one run share
# their cached layers (the builder stage is built once); every intermediate image
# carries the run's label and is removed with the run's images. --force-rm leaves no
# build container after a failed build.
BUILD_OPTIONS = ("--format=docker", "--layers=true", "--force-rm", *BUILD_MOUNTS)
RUN_ID = f"{os.getpid()}-{uuid.uuid4().hex[:6]}"
LABEL = f"org.strict-core.containers-test={RUN_ID}"
TOOLS = ("podman", "buildah", "mmdebstrap", "podman-compose", "openssl")
# Figures for the closing summary: the image's size, build times, health timings.
FIGURES: dict[str, str] = {}


# Podman's temporary files, and buildah's RUN --mount=type=cache directories, of this
# run: removed at its end.
SCRATCH = Path(tempfile.gettempdir()) / f"strict-containers-{RUN_ID}"


def environment() -> dict[str, str]:
    """Return the environment for podman: this machine's configuration unless set."""
    SCRATCH.mkdir(exist_ok=True)
    env = dict(os.environ)
    env.setdefault("CONTAINERS_CONF", str(CI_CONTAINERS / "containers.conf"))
    env["TMPDIR"] = str(SCRATCH)
    return env


def podman(
    *args: str, check: bool = True, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """Run ``podman ARGS`` and return what it printed."""
    return subprocess.run(
        ["podman", *args],
        capture_output=True,
        text=True,
        check=check,
        timeout=timeout,
        env=environment(),
    )


def standins() -> ModuleType:
    """Import ``.ci/containers/standins.py``, the stand-in image builder."""
    spec = importlib.util.spec_from_file_location(
        "standins", CI_CONTAINERS / "standins.py"
    )
    assert spec and spec.loader
    module = sys.modules.setdefault(spec.name, importlib.util.module_from_spec(spec))
    spec.loader.exec_module(module)
    return module


def copy_sources(destination: Path) -> Path:
    """Copy the repository's files, as git sees them, and return the project's copy."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPOSITORY,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, listed):
        source = REPOSITORY / os.fsdecode(name)
        if source.is_file():
            target = destination / os.fsdecode(name)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return destination / PROJECT.relative_to(REPOSITORY)


@dataclass
class Build:
    """One ``podman build`` of the project: its result and log."""

    tag: str
    returncode: int
    log: str
    seconds: float

    def tail(self, lines: int = 15) -> str:
        """Return the last lines of the build log."""
        return "\n".join(self.log.rstrip().splitlines()[-lines:])


# What a build's log says when the package index could not be reached.
NETWORK_FAILURES = (
    "Failed to fetch",
    "Failed to download",
    "operation timed out",
    "dns error",
)


def network_failed(log: str) -> bool:
    """Tell whether a failed build failed on the network rather than on the code."""
    return any(failure in log for failure in NETWORK_FAILURES)


def build(project: Path, tag: str, *extra: str) -> Build:
    """Build the project's Dockerfile as ``docker build --build-context library=..``.

    A build that fails on the network is tried once more (and counted in the figures).
    """
    result = _build(project, tag, *extra)
    if result.returncode != 0 and network_failed(result.log):
        FIGURES["builds retried after a network failure"] = str(
            int(FIGURES.get("builds retried after a network failure", "0")) + 1
        )
        result = _build(project, tag, *extra)
    return result


def _build(project: Path, tag: str, *extra: str) -> Build:
    started = time.monotonic()
    result = subprocess.run(
        ["podman", "build", *BUILD_OPTIONS, f"--label={LABEL}",
         f"--build-context=library={project.parent}", f"--tag={tag}", *extra,
         str(project)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False,
        timeout=1200, env=environment(),
    )  # fmt: skip
    return Build(tag, result.returncode, result.stdout, time.monotonic() - started)


def run_detached(image: str, env: dict[str, str], *options: str) -> str:
    """Start a detached container in its own network namespace; return its name.

    The machine's loopback is reachable from it as 10.0.2.2.
    """
    name = f"strict-containers-{RUN_ID}-{uuid.uuid4().hex[:8]}"
    env_args = [f"--env={key}={value}" for key, value in env.items()]
    podman(
        "run", "--detach", f"--name={name}", f"--label={LABEL}",
        "--network=slirp4netns:allow_host_loopback=true", *env_args, *options, image,
    )  # fmt: skip
    return name


def inspect(kind: str, name: str) -> dict[str, Any]:
    """Return ``podman KIND inspect NAME`` as a dictionary."""
    info: list[dict[str, Any]] = json.loads(podman(kind, "inspect", name).stdout)
    return info[0]


def image_ids(*filters: str) -> set[str]:
    """Return the ids of the images, intermediate ones included, matching every filter."""
    args = [f"--filter={value}" for value in filters]
    return set(podman("images", "--all", "--quiet", "--no-trunc", *args).stdout.split())


def remove_images(ids: set[str]) -> None:
    """Remove images by id, ignoring those already gone."""
    if ids:
        podman("rmi", "--force", *sorted(ids), check=False)


def _alive(run_id: str) -> bool:
    """Tell whether the test run that made a resource is still running."""
    pid = run_id.split("-", 1)[0]
    return pid.isdigit() and Path(f"/proc/{pid}").exists()


def sweep() -> int:
    """Remove what interrupted earlier runs left: containers, pods, volumes, networks, images.

    Returns:
        How many resources were removed.
    """
    removed = 0
    listing = podman(
        "ps", "--all", "--format={{.Names}} {{.Labels}}", check=False
    ).stdout.splitlines()
    for line in listing:
        name = line.split(" ", 1)[0]
        run_id = name.removeprefix("strict-containers-").rsplit("_", 2)[0]
        if name.startswith("strict-containers-") and not _alive(run_id):
            podman("rm", "--force", "--volumes", name, check=False)
            removed += 1
    for pod in podman("pod", "ls", "--format={{.Name}}", check=False).stdout.split():
        run_id = pod.removeprefix("pod_strict-containers-")
        if pod.startswith("pod_strict-containers-") and not _alive(run_id):
            podman("pod", "rm", "--force", pod, check=False)
            removed += 1
    for kind in ("volume", "network"):
        for name in podman(kind, "ls", "--quiet", check=False).stdout.split():
            run_id = name.removeprefix("strict-containers-").rsplit("_", 1)[0]
            if name.startswith("strict-containers-") and not _alive(run_id):
                podman(kind, "rm", "--force", name, check=False)
                removed += 1
    images = podman(
        "images", "--all", "--no-trunc", "--filter=label=org.strict-core.containers-test",
        "--format={{.ID}} {{index .Labels \"org.strict-core.containers-test\"}}",
        check=False,
    ).stdout.splitlines()  # fmt: skip
    stale = {line.split()[0] for line in images if not _alive(line.split()[-1])}
    remove_images(stale)
    for scratch in SCRATCH.parent.glob("strict-containers-*"):
        if scratch != SCRATCH and not _alive(
            scratch.name.removeprefix("strict-containers-")
        ):
            shutil.rmtree(scratch, ignore_errors=True)
    return removed + len(stale)


def wait_for_health(container: str, status: str, timeout: float = 60) -> float:
    """Run the container's health check until it reports ``status``; return seconds.

    Podman schedules health checks with systemd timers, and there is no systemd
    here, so each check is run on demand, as a timer would.
    """
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        podman("healthcheck", "run", container, check=False, timeout=30)
        state = inspect("container", container)["State"]
        if (state.get("Health") or state.get("Healthcheck") or {}).get(
            "Status"
        ) == status:
            return time.monotonic() - started
        if state["Status"] == "exited":
            logs = podman("logs", container, check=False)
            raise AssertionError(f"{container} exited: {logs.stdout}{logs.stderr}")
        time.sleep(0.5)
    raise AssertionError(f"{container} not {status} within {timeout} s")


@dataclass
class HealthTicker:
    """Runs the health checks of a compose project's containers every second.

    It stands in for the systemd timers podman would use, so that ``podman wait
    --condition=healthy`` and the health columns behave as under Docker.
    """

    project: str
    interval: float = 1.0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> HealthTicker:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            names = podman(
                "ps", "--format={{.Names}}",
                f"--filter=label=io.podman.compose.project={self.project}",
                check=False,
            ).stdout.split()  # fmt: skip
            for name in names:
                # A check that outlasts its timeout counts as failed, as under a timer.
                with contextlib.suppress(subprocess.TimeoutExpired):
                    podman("healthcheck", "run", name, check=False, timeout=30)
