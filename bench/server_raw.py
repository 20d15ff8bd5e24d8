"""A bare ASGI application for bench/server.py: the server's own cost, without Django."""

from __future__ import annotations

from typing import Any

BODY = b'{"pong": true}'
HEADERS = [(b"content-type", b"application/json"), (b"content-length", b"14")]


async def app(scope: Any, receive: Any, send: Any) -> None:
    """Read the request's body and answer a small JSON object."""
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})
