"""JSON logging with request correlation.

Public names: :func:`build_logging` (the ``LOGGING`` dict), :func:`get_request_id`,
:class:`RequestIDFilter`, the formatters :class:`JsonFormatter` (and
``django_strict_core.log.orjson_formatter.OrjsonFormatter`` when orjson is
installed) and ``ACCESS_LOGGER``, the name of the access log's logger.
"""

from django_strict_core.log.config import ACCESS_LOGGER, build_logging
from django_strict_core.log.context import RequestIDFilter, get_request_id
from django_strict_core.log.formatters import JsonFormatter

__all__ = [
    "ACCESS_LOGGER",
    "JsonFormatter",
    "RequestIDFilter",
    "build_logging",
    "get_request_id",
]
