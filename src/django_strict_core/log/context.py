"""The current request's id: a context variable and the filter that stamps records.

The id lives in a :class:`~contextvars.ContextVar`, so it follows the request into
``sync_to_async`` threads (asgiref copies the context) and never leaks into another
task. :class:`~django_strict_core.middleware.RequestIDMiddleware` sets it at the start
of every request.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar

REQUEST_ID_ATTR = "request_id"

request_id_var: ContextVar[str | None] = ContextVar(
    "django_strict_core_request_id", default=None
)


def get_request_id() -> str | None:
    """Return the id of the request being served, if any.

    Returns:
        The id set by ``RequestIDMiddleware`` for the current request, or ``None``
        outside a request (management commands, startup, background threads that
        did not copy a request's context).
    """
    return request_id_var.get()


class RequestIDFilter(logging.Filter):
    """Add the current request id to every record as ``record.request_id``.

    Attach it to a handler: handler filters see every record the handler writes,
    including records propagated from any logger. A record that already carries a
    ``request_id`` (given through ``extra``) keeps it.
    """

    def __init__(self, name: str = "", default: str | None = None) -> None:
        """Create the filter.

        Args:
            name: Passed to :class:`logging.Filter`; empty lets every record through.
            default: The value used outside a request (``None`` for JSON, where it
                becomes ``null``; ``"-"`` reads better on a console).
        """
        super().__init__(name)
        self.default = default

    def filter(self, record: logging.LogRecord) -> bool:
        """Stamp the record; never drops it.

        Returns:
            Always ``True``.
        """
        if record.__dict__.get(REQUEST_ID_ATTR) is None:
            record.request_id = request_id_var.get() or self.default
        return True
