"""uvicorn's httptools protocol, refusing a request past the server's bounds as it arrives.

uvicorn keeps reading whatever a client sends: a header value grows in the parser
until its line ends, a body goes to the application whatever its size, and a
connection that sends a partial request (or nothing) stays open. This protocol counts
while it reads (see :class:`~django_strict_core.gunicorn.limits.ServerLimits`):

- the request target and the bytes of the request line and headers together, after
  every read of a head still incomplete, against ``limit_request_line`` (414) and
  ``head_size`` (431);
- the whole head, once parsed, against the request line, header count and header
  size limits (414, 431) and its ``Content-Length`` against ``body_size`` (413),
  before the application is called;
- the body as it arrives against ``body_size`` (413), chunked or not;
- the time the head and the body take (408), and the open connections (a new one
  over ``connections`` is closed at once).

A refusal is the error envelope under the API prefixes
(:mod:`~django_strict_core.gunicorn.refusals`), and so is the 400 for a request that
does not parse (uvicorn's own is plain text). After a 413, 414 or 431 nothing more is
parsed or stored; what the client is still sending is read and dropped for up to
:data:`LINGER_SECONDS` and :data:`LINGER_BYTES` so that it can read the answer (as
nginx's lingering close), then the connection closes.
"""

from __future__ import annotations

import logging
import time
import urllib.parse
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, ClassVar

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from django_strict_core.gunicorn.limits import ServerLimits
from django_strict_core.gunicorn.refusals import refusal_response

if TYPE_CHECKING:
    import asyncio

logger = logging.getLogger("uvicorn.error")

LINGER_SECONDS = 2.0
LINGER_BYTES = 8 * 2**20
# Seconds between two warnings that the worker is refusing new connections.
FULL_WARNING_INTERVAL = 10.0


# Not named *Error: it is how a callback stops the parser, not a failure.
class Refusal(Exception):  # noqa: N818
    """Raised in a parser callback to stop parsing and refuse the request."""

    def __init__(self, status: HTTPStatus, reason: str) -> None:
        """Name the answer and why.

        Args:
            status: The refusal's status.
            reason: What was over which bound, for the log.
        """
        super().__init__(reason)
        self.status = status
        self.reason = reason


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's ``httptools`` protocol with :attr:`limits` applied while reading.

    The worker makes a subclass per process with its limits
    (:func:`bounded_protocol`).
    """

    limits: ClassVar[ServerLimits] = ServerLimits()
    _full_warned_at: ClassVar[float] = float("-inf")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Create the protocol for one connection.

        Args:
            *args: uvicorn's protocol arguments.
            **kwargs: uvicorn's protocol arguments.
        """
        super().__init__(*args, **kwargs)
        self._admitted = False
        self._in_head = True  # the parser is between messages or inside a head
        self._head_bytes = 0
        self._heads = 0  # heads completed, to see whether a read completed one
        self._in_body = False
        self._body_bytes = 0
        self._draining = False
        self._dropped = 0
        self._head_timer: asyncio.TimerHandle | None = None
        self._body_timer: asyncio.TimerHandle | None = None
        self._linger_timer: asyncio.TimerHandle | None = None

    # Connection events

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Admit the connection, or close it when the worker holds its maximum."""
        limit = self.limits.connections
        if 0 < limit <= len(self.connections):
            transport.close()
            self._warn_full(limit)
            return
        self._admitted = True
        super().connection_made(transport)
        self._head_timer = self.loop.call_later(
            self.limits.head_timeout, self._head_timed_out
        )

    def connection_lost(self, exc: Exception | None) -> None:
        """Forget the connection's timers."""
        if not self._admitted:
            return
        self._cancel_timers()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        """Parse what arrived, counting the head's bytes, or drop it after a refusal."""
        self._unset_keepalive_if_required()
        if self._draining:
            self._dropped += len(data)
            if self._dropped > LINGER_BYTES:
                self.transport.close()
            return
        counting, heads = self._in_head, self._heads
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
            return
        except httptools.HttpParserError as exc:
            refusal = exc.__context__
            if isinstance(refusal, Refusal):
                self._refuse(refusal.status, refusal.reason)
            else:
                self.logger.warning("Invalid HTTP request received.")
                self._refuse(HTTPStatus.BAD_REQUEST, "", linger=False)
            return
        self._after_read(len(data), counting and heads == self._heads)

    def _after_read(self, size: int, counting: bool) -> None:  # noqa: FBT001
        """Count a read that was all head, and arm the timer of what is incomplete.

        A read that completed a head may hold the next one's start: it is not
        counted, so the count may fall one read short, never over.
        """
        if self._in_head:
            if counting:
                self._head_bytes += size
                if 0 < self.limits.head_size < self._head_bytes:
                    self._refuse(
                        HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
                        f"request head over {self.limits.head_size} bytes",
                    )
                    return
            # Only a head that has not ended yet can have a target still growing.
            if 0 < self.limits.request_line < len(getattr(self, "url", b"")):
                self._refuse(
                    HTTPStatus.REQUEST_URI_TOO_LONG,
                    "request line over limit_request_line",
                )
                return
            if self._head_timer is None and not self._busy() and self._head_begun():
                self._head_timer = self.loop.call_later(
                    self.limits.head_timeout, self._head_timed_out
                )
        elif self._in_body and self._body_timer is None:
            self._body_timer = self.loop.call_later(
                self.limits.body_timeout, self._body_timed_out
            )

    # Parser callbacks

    def on_headers_complete(self) -> None:
        """Check the whole head, then hand the request to the application."""
        self._in_head = False
        self._heads += 1
        self._head_bytes = 0
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
        violation = self.limits.head_violation(
            self.parser.get_method(), self.url, self.headers
        )
        if violation is not None:
            raise Refusal(*violation)
        self._in_body = True
        self._body_bytes = 0
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        """Pass a piece of the body on, unless the body is now over the limit."""
        self._body_bytes += len(body)
        limit = self.limits.body_size
        if limit is not None and self._body_bytes > limit:
            raise Refusal(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                "body over DATA_UPLOAD_MAX_MEMORY_SIZE",
            )
        super().on_body(body)

    def on_message_complete(self) -> None:
        """The request has arrived whole; the next bytes begin another."""
        self._in_body = False
        self._in_head = True
        if self._body_timer is not None:
            self._body_timer.cancel()
            self._body_timer = None
        super().on_message_complete()

    # Refusals

    def _refuse(self, status: HTTPStatus, reason: str, *, linger: bool = True) -> None:
        """Answer ``status`` and end the connection, reading nothing more into memory.

        A refusal of the body concerns the request being served: its application
        sees the client gone. A refusal of a head that follows a request still being
        answered (pipelining) ends the connection after that answer instead.
        """
        current = self._in_body
        self._cancel_timers()
        self._draining = True
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete:
            if not current or cycle.response_started:
                cycle.keep_alive = False
                if current:
                    self.transport.close()
                self._log_refusal(status, reason)
                return
            cycle.disconnected = True
            cycle.message_event.set()
        self._log_refusal(status, reason)
        self.transport.write(
            refusal_response(status, self._path(), self.server_state.default_headers)
        )
        if not linger:
            self.transport.close()
            return
        self.flow.resume_reading()
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self._linger_timer = self.loop.call_later(LINGER_SECONDS, self.transport.close)

    def _log_refusal(self, status: HTTPStatus, reason: str) -> None:
        if reason:
            self.logger.warning(
                "Refused a request over the server's limits: %d %s (%s)",
                status,
                status.phrase,
                reason,
            )

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.transport.is_closing() or self._busy():
            return
        if not self._head_begun():
            self.transport.close()  # nothing was asked: nothing to answer
            return
        self._refuse(
            HTTPStatus.REQUEST_TIMEOUT,
            f"request head not received within {self.limits.head_timeout:g} s",
            linger=False,
        )

    def _body_timed_out(self) -> None:
        self._body_timer = None
        if self.transport.is_closing() or not self._in_body:
            return
        self._refuse(
            HTTPStatus.REQUEST_TIMEOUT,
            f"request body not received within {self.limits.body_timeout:g} s",
            linger=False,
        )

    @classmethod
    def _warn_full(cls, limit: int) -> None:
        now = time.monotonic()
        if now - cls._full_warned_at >= FULL_WARNING_INTERVAL:
            cls._full_warned_at = now
            logger.warning(
                "Closing new connections: the worker holds worker_connections (%d)",
                limit,
            )

    # Helpers

    def _busy(self) -> bool:
        return self.cycle is not None and not self.cycle.response_complete

    def _head_begun(self) -> bool:
        """Whether a byte of a request after the last whole head has arrived.

        uvicorn starts a new scope when a request's first byte arrives and hands
        it to the request's cycle once the head is whole.
        """
        return self.scope is not None and (
            self.cycle is None or self.cycle.scope is not self.scope
        )

    def _path(self) -> str:
        """Return the path of the request being refused, as far as it arrived."""
        url: bytes = getattr(self, "url", b"")
        try:
            raw = httptools.parse_url(url).path or b""
        except httptools.HttpParserInvalidURLError:
            raw = url.partition(b"?")[0]
        return urllib.parse.unquote(raw.decode("latin-1"))

    @staticmethod
    def _cancel(timer: asyncio.TimerHandle | None) -> None:
        if timer is not None:
            timer.cancel()

    def _cancel_timers(self) -> None:
        for timer in (self._head_timer, self._body_timer, self._linger_timer):
            self._cancel(timer)
        self._head_timer = self._body_timer = self._linger_timer = None


def bounded_protocol(limits: ServerLimits) -> type[BoundedHttpToolsProtocol]:
    """Return the protocol class a worker serves with.

    Args:
        limits: The worker's bounds.

    Returns:
        A subclass of :class:`BoundedHttpToolsProtocol` with these limits.
    """
    return type(
        "BoundedHttpToolsProtocol", (BoundedHttpToolsProtocol,), {"limits": limits}
    )
