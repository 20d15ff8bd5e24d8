"""Client identity through nginx: one budget per client, named alike by nginx and the log.

nginx sets ``X-Forwarded-For`` to the address it saw; with ``DJANGO_NUM_PROXIES=1``
(the example's setting) the throttles, ``REMOTE_ADDR`` and the access log's
``client_ip`` take that entry. Two clients on different loopback addresses
(127.0.0.1 and 127.0.0.2) must then have a budget each, and the access log must name
each as nginx saw it. With no proxy trusted they share nginx's address and one
budget, and a new ``X-Forwarded-For`` on every request sent straight to gunicorn
still buys nothing: no layer reads the header.
"""

from __future__ import annotations

import http.client
import secrets
import ssl
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tests.e2e.stack import request

if TYPE_CHECKING:
    from tests.e2e.stack import Stack

OTHER_CLIENT = "127.0.0.2"


@dataclass
class Identity:
    """What a second client got, and how the log named both.

    Attributes:
        proxies: ``DJANGO_NUM_PROXIES`` of the run.
        other_status: The second client's answer once the first spent its budget.
        logged: The access record's ``client_ip`` for each client's request.
        spoofed_allowed: Requests allowed of a burst with a new ``X-Forwarded-For``
            each, once the budget was spent (with no proxy trusted only).
    """

    proxies: int
    other_status: int = 0
    logged: dict[str, str | None] = field(default_factory=dict)
    spoofed_allowed: int = 0


def get(
    stack: Stack,
    path: str,
    *,
    source: str = "127.0.0.1",
    headers: dict[str, str] | None = None,
) -> int:
    """Send one GET through nginx from ``source`` and return the status."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    client = http.client.HTTPSConnection(
        "127.0.0.1",
        stack.https_port,
        context=context,
        source_address=(source, 0),
        timeout=10,
    )
    try:
        client.request(
            "GET", path, headers={"Accept": "application/json", **(headers or {})}
        )
        answer = client.getresponse()
        answer.read()
        return answer.status
    finally:
        client.close()


def check(stack: Stack, path: str, proxies: int) -> Identity:
    """Ask as a second client, and read how the log named each client.

    Call it once the first client (127.0.0.1) has spent its budget on ``path``.

    Args:
        stack: The running example project.
        path: The throttled path.
        proxies: ``DJANGO_NUM_PROXIES`` of the running application.

    Returns:
        The figures.
    """
    result = Identity(proxies)
    ids = {
        source: f"identity-{secrets.token_hex(6)}"
        for source in ("127.0.0.1", OTHER_CLIENT)
    }
    get(stack, path, headers={"X-Request-ID": ids["127.0.0.1"]})
    result.other_status = get(
        stack, path, source=OTHER_CLIENT, headers={"X-Request-ID": ids[OTHER_CLIENT]}
    )
    time.sleep(0.3)  # access records are written after the answers
    records = {
        record.get("request_id"): record
        for record in stack.log_records()
        if record.get("logger") == "django_strict_core.access"
    }
    for source, request_id in ids.items():
        record = records.get(request_id)
        result.logged[source] = None if record is None else record.get("client_ip")
    return result


def spoofed_burst(stack: Stack, path: str, count: int) -> int:
    """Send ``count`` requests straight to gunicorn, each with a new ``X-Forwarded-For``.

    Straight to gunicorn, because nginx replaces the header: this is what a client
    that reaches the application directly (or through a proxy that appends) sends.

    Returns:
        How many were allowed.
    """
    statuses = [
        request(
            stack.app + path,
            headers={
                "Accept": "application/json",
                # Set by nginx on the production path; Django redirects without it.
                "X-Forwarded-Proto": "https",
                "X-Forwarded-For": f"198.51.100.{n % 250 + 1}",
            },
        ).status
        for n in range(count)
    ]
    return statuses.count(200)


def verdicts(
    trusted: Identity, untrusted: Identity | None
) -> list[tuple[str, bool, str]]:
    """Return each promise about client identity with its verdict and figures.

    Args:
        trusted: The run with the example's ``DJANGO_NUM_PROXIES=1``.
        untrusted: The run with ``DJANGO_NUM_PROXIES=0``, if it ran.

    Returns:
        ``(promise, kept, figures)`` tuples.
    """
    promises = [
        (
            "Behind nginx each client has its own budget, named in the log as nginx saw it",
            trusted.other_status == 200
            and trusted.logged
            == {"127.0.0.1": "127.0.0.1", OTHER_CLIENT: OTHER_CLIENT},
            f"{OTHER_CLIENT} answered {trusted.other_status} after 127.0.0.1 spent its "
            f"budget; logged client_ip: {trusted.logged}",
        )
    ]
    if untrusted is not None:
        promises.append(
            (
                "With no proxy trusted, X-Forwarded-For is read by no layer",
                untrusted.spoofed_allowed == 0
                and untrusted.logged
                == {"127.0.0.1": "127.0.0.1", OTHER_CLIENT: "127.0.0.1"},
                f"{untrusted.spoofed_allowed} allowed of a burst with a new "
                f"X-Forwarded-For each once the budget was spent; {OTHER_CLIENT} "
                f"answered {untrusted.other_status} (one budget for every client "
                f"behind nginx); logged client_ip: {untrusted.logged}",
            )
        )
    return promises
