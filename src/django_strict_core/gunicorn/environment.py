"""What the configuration module reads from the environment: workers and the socket."""

from __future__ import annotations

import os
from pathlib import Path

from django_strict_core.conf.errors import Problem, SettingsError

DEFAULT_PORT = 8000


def cpu_count() -> int:
    """Return the CPUs this process may run on (its affinity where supported).

    Returns:
        At least 1.
    """
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not available on macOS
        return os.cpu_count() or 1


def worker_count() -> int:
    """Return ``WEB_CONCURRENCY`` if set, else ``2 * CPUs + 1``.

    Returns:
        The number of worker processes.

    Raises:
        SettingsError: When ``WEB_CONCURRENCY`` is not a positive integer.
    """
    value = os.environ.get("WEB_CONCURRENCY", "").strip()
    if not value:
        return 2 * cpu_count() + 1
    if not value.isdigit() or int(value) < 1:
        raise SettingsError(
            [Problem("WEB_CONCURRENCY", "expected a positive integer")], profile=None
        )
    return int(value)


def bind_address() -> str:
    """Return ``0.0.0.0:$PORT``, the address a container publishes.

    Returns:
        The address for gunicorn's ``bind``.

    Raises:
        SettingsError: When ``PORT`` is not a port number.
    """
    port = os.environ.get("PORT", "").strip() or str(DEFAULT_PORT)
    if not port.isdigit() or not 0 < int(port) < 2**16:
        raise SettingsError(
            [Problem("PORT", "expected a TCP port number (1-65535)")], profile=None
        )
    # All interfaces: a container's port is reached from outside the container.
    return f"0.0.0.0:{port}"


# Gunicorn makes its files there with mkstemp: unique names, owner-only access.
SHARED_MEMORY = "/dev/shm"  # noqa: S108


def worker_tmp_directory(path: str = SHARED_MEMORY) -> str | None:
    """Return ``path`` when it is a writable directory, else ``None``.

    Gunicorn keeps one heartbeat file per worker; ``None`` leaves it in the system's
    temporary directory, which a read-only root filesystem may not have. ``/dev/shm``
    is a memory file system in Docker, podman and Kubernetes containers alike, and
    keeps the heartbeats off slow or read-only disks.

    Args:
        path: The candidate directory.

    Returns:
        The directory for gunicorn's ``worker_tmp_dir``, or ``None``.
    """
    writable = Path(path).is_dir() and os.access(path, os.W_OK | os.X_OK)
    return path if writable else None
