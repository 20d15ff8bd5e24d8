"""Fixtures of the container tests: podman, the stand-in bases and the built image.

Without podman (and the tools the stand-ins need) the tests skip with a message, or
fail when ``STRICT_CORE_REQUIRE_SERVICES=1`` (CI, and tox's ``containers``
environment). The stand-in images are removed at the end unless
``STRICT_CORE_KEEP_STANDINS=1`` keeps them for the next run.
"""

from __future__ import annotations

import os
import secrets
import shutil
from typing import TYPE_CHECKING

import pytest

from tests.containers import podman

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

REQUIRE_SERVICES = os.environ.get("STRICT_CORE_REQUIRE_SERVICES") == "1"
KEEP_STANDINS = os.environ.get("STRICT_CORE_KEEP_STANDINS") == "1"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print what the container tests measured."""
    if podman.FIGURES:
        terminalreporter.section("container figures")
        for name, value in podman.FIGURES.items():
            terminalreporter.write_line(f"{name}: {value}")


@pytest.fixture(scope="session")
def container_tools() -> None:
    """Podman and the tools the stand-ins need, or a skip (a failure in CI)."""
    missing = [tool for tool in podman.TOOLS if not shutil.which(tool)]
    if missing:
        reason = f"container tests need {', '.join(missing)} (.ci/install-containers)"
        if REQUIRE_SERVICES:
            pytest.fail(f"{reason} (STRICT_CORE_REQUIRE_SERVICES=1)")
        pytest.skip(reason)
    podman.podman("info", "--format={{.Host.OCIRuntime.Name}}")


@pytest.fixture(scope="session")
def base_images(container_tools: None) -> Iterator[list[str]]:
    """The stand-ins of the Dockerfile's upstream images, built from Debian's packages."""
    builder = podman.standins()
    os.environ.setdefault("CONTAINERS_CONF", podman.environment()["CONTAINERS_CONF"])
    podman.FIGURES["left by interrupted earlier runs (removed)"] = str(podman.sweep())
    dangling = podman.image_ids("dangling=true")
    built = builder.build(podman.PROJECT / "Dockerfile")
    yield [standin.name for standin in built]
    podman.remove_images(podman.image_ids(f"label={podman.LABEL}"))
    if not KEEP_STANDINS:
        builder.remove()
    left = podman.image_ids("dangling=true") - dangling
    podman.remove_images(left)
    podman.FIGURES["dangling images left by the run (removed)"] = str(len(left))
    shutil.rmtree(podman.SCRATCH, ignore_errors=True)


@pytest.fixture(scope="session")
def sources(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the repository's files; the project's directory in it."""
    return podman.copy_sources(tmp_path_factory.mktemp("sources"))


@pytest.fixture(scope="session")
def runtime_image(base_images: list[str], sources: Path) -> Iterator[str]:
    """The runtime image, built from the copy as ``docker build`` would."""
    tag = f"localhost/strict-containers-test/runtime:{podman.RUN_ID}"
    build = podman.build(sources, tag)
    assert build.returncode == 0, build.log
    size = int(podman.inspect("image", tag)["Size"])
    podman.FIGURES["runtime image size"] = f"{size / 1e6:.1f} MB ({size} bytes)"
    podman.FIGURES["runtime image build"] = f"{build.seconds:.1f} s"
    podman.FIGURES["build log tail"] = "\n" + build.tail()
    yield tag
    podman.remove_images(podman.image_ids(f"label={podman.LABEL}"))


@pytest.fixture(scope="session")
def production_env() -> dict[str, str]:
    """Production settings against this machine's PostgreSQL and Redis.

    The containers run in their own network namespace (slirp4netns), where the
    machine's loopback is 10.0.2.2.
    """
    database = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
    redis = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    return {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "localhost",
        "DJANGO_CSRF_TRUSTED_ORIGINS": "https://localhost",
        "DATABASE_URL": database.replace("127.0.0.1", "10.0.2.2"),
        "REDIS_URL": redis.replace("127.0.0.1", "10.0.2.2"),
        "DJANGO_CACHE_KEY_PREFIX": f"strict-containers-{podman.RUN_ID}",
        "WEB_CONCURRENCY": "2",
    }
