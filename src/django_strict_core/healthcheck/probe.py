"""Probe a health endpoint from inside the container, with the standard library only.

Distroless images have no shell, ``curl`` or ``wget``; their Python can run this::

    python -m django_strict_core.healthcheck.probe                    # /api/health/
    python -m django_strict_core.healthcheck.probe /api/health/live/
    python -m django_strict_core.healthcheck.probe http://127.0.0.1:8000/api/health/

Without a URL, or with a path only, it asks ``http://127.0.0.1:$PORT``: the port
gunicorn binds (``PORT``, default 8000; see :mod:`django_strict_core.gunicorn`), so
an exec-form ``HEALTHCHECK`` follows the port without a shell. The exit code is 0
for a 2xx answer and 1 for anything else (503, a redirect, a refused connection, a
timeout), which is what Docker ``HEALTHCHECK`` and Kubernetes ``exec`` probes
expect. Redirects are not followed. Django is not imported.
"""

from __future__ import annotations

import argparse
import http.client
import os
import sys
from typing import TYPE_CHECKING, Final
from urllib.parse import urlsplit

from django_strict_core.healthcheck.routes import DEFAULT_PROBE_PATH

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

DEFAULT_PATH: Final = DEFAULT_PROBE_PATH
DEFAULT_PORT: Final = 8000
DEFAULT_TIMEOUT: Final = 3.0
_MAX_BODY: Final = 4096


def local_url(
    path: str = DEFAULT_PATH, environ: Mapping[str, str] | None = None
) -> str:
    """Return ``http://127.0.0.1:$PORT`` followed by ``path``.

    Args:
        path: An absolute path, such as ``/api/health/live/``.
        environ: The environment to read ``PORT`` from; ``os.environ`` by default.

    Returns:
        The URL of ``path`` on the port gunicorn binds.
    """
    port = (os.environ if environ is None else environ).get("PORT", "").strip()
    return f"http://127.0.0.1:{port or DEFAULT_PORT}{path}"


def probe(url: str, timeout: float = DEFAULT_TIMEOUT) -> tuple[int, str]:
    """GET ``url`` and return its status and the start of its body.

    Args:
        url: An ``http://`` or ``https://`` URL.
        timeout: Seconds for connecting and for each read.

    Returns:
        ``(status, body)``; status 0 and the error when no HTTP answer came.

    Raises:
        ValueError: When the URL is not http(s).
    """
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValueError(f"expected an http:// or https:// URL, got {url!r}")
    connection_class = (
        http.client.HTTPSConnection
        if parts.scheme == "https"
        else http.client.HTTPConnection
    )
    connection = connection_class(parts.hostname, parts.port, timeout=timeout)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    try:
        connection.request("GET", path, headers={"User-Agent": "strict-core-probe"})
        response = connection.getresponse()
        return response.status, response.read(_MAX_BODY).decode(errors="replace")
    except (OSError, http.client.HTTPException) as exc:
        return 0, f"no answer: {type(exc).__name__}: {exc}"
    finally:
        connection.close()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the probe from the command line.

    Args:
        argv: Arguments without the program name; ``sys.argv[1:]`` by default.

    Returns:
        0 when the endpoint answered 2xx, else 1.
    """
    parser = argparse.ArgumentParser(
        prog="python -m django_strict_core.healthcheck.probe",
        description="Exit 0 when a health endpoint answers 2xx, else 1.",
    )
    parser.add_argument(
        "url",
        nargs="?",
        default=DEFAULT_PATH,
        help=(
            "an http(s) URL, or a path on http://127.0.0.1:$PORT "
            f"(default {DEFAULT_PATH}; PORT defaults to {DEFAULT_PORT})"
        ),
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        help=f"seconds to wait for the answer (default {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument("--quiet", action="store_true", help="print nothing")
    args = parser.parse_args(argv)
    url = local_url(args.url) if args.url.startswith("/") else args.url
    try:
        status, body = probe(url, args.timeout)
    except ValueError as exc:
        parser.error(str(exc))
    healthy = 200 <= status < 300  # noqa: PLR2004 - the 2xx range
    if not args.quiet:
        stream = sys.stdout if healthy else sys.stderr
        stream.write(f"{status or 'error'} {body.strip()}\n")
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
