"""Who the client is behind reverse proxies: one number, one rule, every layer.

``X-Forwarded-For`` is a list each proxy appends the address it saw to; only the
entries the trusted proxies wrote can be believed, anything to their left is the
client's to choose. The number of trusted proxies is DRF's ``NUM_PROXIES``, which
``build_settings`` sets from ``DJANGO_NUM_PROXIES`` (default 0). The client is the
entry that many places from the right, as DRF's throttles read it; with no proxy
trusted, or no such entry that is an IP address, it is the connection's peer.

The library's gunicorn worker rewrites the ASGI client (``REMOTE_ADDR``) with
:class:`ForwardedFor` and turns uvicorn's own proxy-header handling off; the
library's throttles and the access log's ``client_ip`` use :func:`request_client`.
See docs/deployment.md ("Proxy trust").
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Mapping, MutableMapping

    Scope = MutableMapping[str, Any]
    Receive = Callable[[], Awaitable[Any]]
    Send = Callable[[Any], Awaitable[None]]
    ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def trusted_proxies() -> int:
    """Return how many proxies are trusted: DRF's ``NUM_PROXIES``.

    DRF's own default (``None``) would make its throttles use the whole
    ``X-Forwarded-For`` header, which a client writes; here it trusts none.

    Returns:
        The number of trusted proxies, 0 or more.
    """
    from rest_framework.settings import api_settings  # noqa: PLC0415

    return int(api_settings.NUM_PROXIES or 0)


def client_address(
    peer: str | None, forwarded_for: str | None, num_proxies: int
) -> str | None:
    """Return the client's address.

    Args:
        peer: The address the connection came from (``REMOTE_ADDR``).
        forwarded_for: The ``X-Forwarded-For`` header, all its lines joined by commas.
        num_proxies: How many proxies in front are trusted.

    Returns:
        The entry ``num_proxies`` places from the right of ``forwarded_for`` (the
        leftmost when the header is shorter) if it is an IP address, else ``peer``.
    """
    if num_proxies <= 0 or not forwarded_for:
        return peer
    hops = forwarded_for.split(",")
    candidate = hops[-min(num_proxies, len(hops))].strip()
    try:
        ipaddress.ip_address(candidate)
    except ValueError:
        return peer
    return candidate


def request_client(meta: Mapping[str, Any]) -> str | None:
    """Return the client's address of a Django request.

    Args:
        meta: ``request.META``.

    Returns:
        :func:`client_address` of ``REMOTE_ADDR`` and ``X-Forwarded-For`` with
        :func:`trusted_proxies`.
    """
    return client_address(
        meta.get("REMOTE_ADDR"), meta.get("HTTP_X_FORWARDED_FOR"), trusted_proxies()
    )


class ForwardedFor:
    """ASGI middleware setting the scope's client from trusted ``X-Forwarded-For`` entries.

    It replaces uvicorn's ``ProxyHeadersMiddleware``, which trusts proxies by
    address (gunicorn's ``forwarded_allow_ips``, loopback by default) and then
    takes the first untrusted entry from the right: behind a same-host proxy, that
    is whatever the client wrote. The scheme is left alone: Django reads
    ``X-Forwarded-Proto`` through ``SECURE_PROXY_SSL_HEADER``.
    """

    def __init__(self, app: ASGIApp, *, num_proxies: int) -> None:
        """Wrap ``app``.

        Args:
            app: The ASGI application.
            num_proxies: How many proxies in front are trusted (at least 1).
        """
        self.app = app
        self.num_proxies = num_proxies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Set ``scope["client"]`` to the client's address, then call the application.

        Args:
            scope: The ASGI connection scope.
            receive: The ASGI receive callable.
            send: The ASGI send callable.
        """
        if scope["type"] in ("http", "websocket"):
            forwarded = b",".join(
                value for name, value in scope["headers"] if name == b"x-forwarded-for"
            )
            if forwarded:
                peer = scope.get("client")
                peer_host = peer[0] if peer else None
                host = client_address(
                    peer_host, forwarded.decode("latin-1"), self.num_proxies
                )
                if host is not None and host != peer_host:
                    scope["client"] = (host, 0)
        await self.app(scope, receive, send)
