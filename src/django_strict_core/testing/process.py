"""Fault proxies in a process of their own, driven over its standard input.

A load test generates enough CPU work to delay a proxy sharing its process, and so
the backend traffic the proxy carries. ``python -m django_strict_core.testing
NAME=HOST:PORT ...`` runs one :class:`~django_strict_core.testing.FaultProxy` per
target and speaks a line protocol:

* it prints ``ready NAME PORT`` for each proxy once all are listening;
* it obeys ``NAME MODE`` lines (``MODE`` is ``forward``, ``hang`` or ``refuse``),
  answering ``ok NAME MODE`` once the switch is made, or ``error ...``;
* it closes the proxies and exits when its standard input ends.

:class:`ProxyProcess` starts that process and speaks the protocol for a test.
"""

from __future__ import annotations

import argparse
import contextlib
import subprocess
import sys
import threading
from typing import IO, TYPE_CHECKING, cast

from django_strict_core.testing.proxy import MODES, FaultProxy

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from django_strict_core.testing.proxy import Mode

COMMAND = (sys.executable, "-m", "django_strict_core.testing")
EXIT_TIMEOUT = 10.0


def parse_target(text: str) -> tuple[str, tuple[str, int]]:
    """Read one ``NAME=HOST:PORT`` argument.

    Args:
        text: The argument.

    Returns:
        The name and the ``(host, port)`` target.

    Raises:
        argparse.ArgumentTypeError: When the argument does not have that form.
    """
    name, _, address = text.partition("=")
    host, _, port = address.rpartition(":")
    if not (
        name and name.isprintable() and " " not in name and host and port.isdigit()
    ):
        raise argparse.ArgumentTypeError(f"expected NAME=HOST:PORT, got {text!r}")
    return name, (host.strip("[]"), int(port))


def main(
    argv: Sequence[str] | None = None,
    *,
    stdin: IO[str] | None = None,
    stdout: IO[str] | None = None,
) -> int:
    """Run proxies named on the command line until standard input ends.

    Args:
        argv: ``NAME=HOST:PORT`` targets (``sys.argv[1:]`` when ``None``).
        stdin: Where commands come from (``sys.stdin`` when ``None``).
        stdout: Where answers go (``sys.stdout`` when ``None``).

    Returns:
        The exit status, 0.
    """
    parser = argparse.ArgumentParser(
        prog="python -m django_strict_core.testing",
        description="TCP fault proxies driven by NAME MODE lines on standard input.",
    )
    parser.add_argument(
        "targets", nargs="+", type=parse_target, metavar="NAME=HOST:PORT"
    )
    args = parser.parse_args(argv)
    commands = sys.stdin if stdin is None else stdin
    out = sys.stdout if stdout is None else stdout
    proxies = {name: FaultProxy(target) for name, target in args.targets}
    try:
        for proxy in proxies.values():
            proxy.start()
        for name, proxy in proxies.items():
            out.write(f"ready {name} {proxy.port}\n")
        out.flush()
        for line in commands:
            name, _, mode = line.strip().partition(" ")
            chosen = proxies.get(name)
            if chosen is None or mode not in MODES:
                out.write(f"error {line.strip()}\n")
            else:
                chosen.set_mode(cast("Mode", mode))
                out.write(f"ok {name} {mode}\n")
            out.flush()
    finally:
        for proxy in proxies.values():
            proxy.close()
    return 0


class ProxyProcess:
    """Fault proxies in a child process: their ports, and commands to break them.

    ::

        proxies = ProxyProcess({"redis": ("127.0.0.1", 6379)})
        redis_url = f"redis://127.0.0.1:{proxies.ports['redis']}/0"
        proxies.set_mode("redis", "hang")
        ...
        proxies.close()

    Args:
        targets: The backend ``(host, port)`` of each proxy, by name.

    Attributes:
        ports: The loopback port of each proxy, by name.
    """

    def __init__(self, targets: Mapping[str, tuple[str, int]]) -> None:
        self._process = subprocess.Popen(  # noqa: S603 - the running interpreter
            [
                *COMMAND,
                *(f"{name}={host}:{port}" for name, (host, port) in targets.items()),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        self._lock = threading.Lock()
        self.ports: dict[str, int] = {}
        try:
            for _ in targets:
                word, name, port = self._read().split()
                if word != "ready":
                    raise RuntimeError(f"proxy process said {word!r}")
                self.ports[name] = int(port)
        except BaseException:
            self.close()
            raise

    def set_mode(self, name: str, mode: Mode) -> None:
        """Switch one proxy's mode and return once it has switched.

        Args:
            name: The proxy's name.
            mode: ``forward``, ``hang`` or ``refuse``.

        Raises:
            RuntimeError: When the process refuses the command or has exited.
        """
        assert self._process.stdin is not None
        with self._lock:
            self._process.stdin.write(f"{name} {mode}\n")
            self._process.stdin.flush()
            answer = self._read().strip()
        if answer != f"ok {name} {mode}":
            raise RuntimeError(f"proxy process answered {answer!r}")

    def close(self) -> None:
        """Close the proxies and wait for their process to exit."""
        if self._process.poll() is not None:
            return
        assert self._process.stdin is not None
        with contextlib.suppress(OSError):
            self._process.stdin.close()
        try:
            self._process.wait(timeout=EXIT_TIMEOUT)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=EXIT_TIMEOUT)
        if self._process.stdout is not None:
            self._process.stdout.close()

    def __enter__(self) -> ProxyProcess:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _read(self) -> str:
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line:
            status = self._process.wait(timeout=EXIT_TIMEOUT)
            raise RuntimeError(f"proxy process exited with status {status}")
        return str(line)
