"""Logging filters that keep one line per event: no repeated request lines, no noise.

``build_logging`` attaches them to the loggers they concern; each only looks at the
record, so they work in the gunicorn master as well as in a Django process.

- :class:`ServerRequestLineFilter` on ``django.server``: runserver's own line per
  request (``"GET / HTTP/1.1" 200 12``) repeats the access record.
- :class:`ClientErrorFilter` on ``django.request``: Django's ``Not Found: /x`` and other
  4xx warnings repeat the access record, which carries the status. 5xx records stay:
  they carry the traceback.
- :class:`DisallowedHostFilter` on ``django.security.DisallowedHost``: a request with a
  ``Host`` header that is not in ``ALLOWED_HOSTS`` is what scanners send all day; it is
  written as a warning without a traceback instead of an error with one, and so is not
  mailed to ``ADMINS`` either.
- :func:`capture_warnings`: a filter factory that routes Python warnings
  (``warnings.warn``) to the ``py.warnings`` logger, so they come out as log lines
  instead of plain text on stderr.
"""

from __future__ import annotations

import logging

# The format http.server uses for the line it logs per request (log_request).
REQUEST_LINE_FORMAT = '"%s" %s %s'
CLIENT_ERROR_STATUSES = range(400, 500)


class ServerRequestLineFilter(logging.Filter):
    """Drop the development server's line per request; keep its other messages."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Return whether the record is something other than a request line.

        Args:
            record: A record of the ``django.server`` logger.

        Returns:
            False for request lines, True for everything else (broken pipes, the
            warning about HTTPS on a plain-HTTP server, …).
        """
        return record.msg != REQUEST_LINE_FORMAT


class ClientErrorFilter(logging.Filter):
    """Drop Django's line for a 4xx response; the access record has the status."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Return whether the record is about something other than a 4xx response.

        Args:
            record: A record of the ``django.request`` logger.

        Returns:
            False for records of responses with a 4xx status, True otherwise.
        """
        return getattr(record, "status_code", None) not in CLIENT_ERROR_STATUSES


class DisallowedHostFilter(logging.Filter):
    """Write a ``DisallowedHost`` record as a warning, without its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Lower the record to ``WARNING`` and drop its exception information.

        Args:
            record: A record of the ``django.security.DisallowedHost`` logger.

        Returns:
            Always True: the record is kept, changed.
        """
        if record.levelno > logging.WARNING:
            record.levelno = logging.WARNING
            record.levelname = logging.getLevelName(logging.WARNING)
        record.exc_info = None
        record.exc_text = None
        return True


def capture_warnings() -> logging.Filter:
    """Route Python warnings through logging, then return a filter that keeps all.

    Used as a ``()`` factory in the ``LOGGING`` dict so that applying the dict, in
    Django as in the servers, is enough: ``logging.captureWarnings(True)`` sends
    each warning to the ``py.warnings`` logger, whose records reach the one handler
    like any other.

    Returns:
        A filter that lets every record through.
    """
    logging.captureWarnings(True)  # noqa: FBT003 - the standard library's signature
    return logging.Filter()
