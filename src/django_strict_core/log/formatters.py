"""JSON formatters: python-json-logger's, writing this package's field set.

Every record becomes one JSON object on one line: newlines, quotes and every other
character that a line-splitting tool may take for a line or record separator are
escaped, objects JSON cannot represent are written as their ``str()``, and a record
whose fields still cannot be encoded (circular structures, non-finite floats,
integers too large for orjson, lone surrogates) is written again with those values
as strings instead of being lost.
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING, Any

from pythonjsonlogger.core import RESERVED_ATTRS, BaseJsonFormatter
from pythonjsonlogger.defaults import unknown_default
from pythonjsonlogger.json import JsonEncoder, JsonFormatter as LibraryJsonFormatter

from django_strict_core.log.fields import FIELD_SETS

if TYPE_CHECKING:
    import logging
    from collections.abc import Mapping

    from pythonjsonlogger.core import LogData

# Record attributes never copied as extra fields: logging's own, those written
# under their own names, Django's request object (its repr carries the query
# string) and uvicorn's ANSI-coloured copy of the message.
_NOT_EXTRA = frozenset(
    {
        *RESERVED_ATTRS,
        "taskName",
        "message",
        "asctime",
        "request_id",
        "request",
        "color_message",
    }
)
_SERIALIZATION_ERRORS = (TypeError, ValueError, OverflowError, RecursionError)
_MICROSECONDS_PER_SECOND = 1_000_000
_INT64_MIN = -(2**63)
_UINT64_END = 2**64


def _text(value: str) -> str:
    """Return ``value`` with lone surrogates, which UTF-8 cannot hold, escaped."""
    return value.encode("utf-8", "backslashreplace").decode("utf-8")


def _plain(value: Any) -> Any:
    """Return ``value`` if every JSON encoder accepts it, else its string form."""
    if isinstance(value, str):
        return _text(value)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if _INT64_MIN <= value < _UINT64_END else str(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    return _text(unknown_default(value))


def _message(record: logging.LogRecord) -> str:
    """Return the record's message; a broken format string is logged, not lost."""
    try:
        return record.getMessage()
    except Exception:  # any error raised by user formatting code
        return f"{unknown_default(record.msg)} {unknown_default(record.args)}"


class StrictFieldsMixin(BaseJsonFormatter):
    """Build each line from a :class:`~django_strict_core.log.fields.FieldSet`.

    The line holds, in order: timestamp (ISO-8601, UTC, microseconds), level,
    logger and message (message before logger for ECS), request id, the static
    fields, the exception and stack as strings when present, and the record's
    other fields, placed by the field set.
    """

    def __init__(
        self,
        *args: Any,
        fields: str = "standard",
        static_fields: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        """Create the formatter.

        Args:
            *args: Passed to python-json-logger; the format string is not used.
            fields: ``standard`` or ``ecs``: the names written.
            static_fields: Fields added to every line, under canonical names
                (``service``, ``environment``, ``version``) or names of your own.
            **kwargs: Passed to python-json-logger's formatter.

        Raises:
            ValueError: For an unknown ``fields`` name.
        """
        super().__init__(*args, **kwargs)
        try:
            field_set = FIELD_SETS[fields]
        except KeyError:
            known = ", ".join(sorted(FIELD_SETS))
            raise ValueError(
                f"unknown log field set {fields!r}; expected one of {known}"
            ) from None
        self.field_set = field_set
        name = field_set.name
        self._core = tuple(
            name(key)
            for key in ("timestamp", "level", "logger", "message", "request_id")
        )
        self._error = tuple(
            name(key) for key in ("exception", "stack", "error_type", "error_message")
        )
        self._message_first = field_set.message_first
        self._exception_details = field_set.exception_details
        self._utc_suffix = field_set.utc_suffix
        self._place_extras = field_set.place_extras
        self._static = field_set.static_fields(static_fields)
        self._second: tuple[int, str] = (-1, "")

    def format(self, record: logging.LogRecord) -> str:
        """Format one record as one JSON line.

        Args:
            record: The record to format.

        Returns:
            The JSON text, without a trailing newline.
        """
        message_dict: dict[str, Any] = {}
        if isinstance(record.msg, dict):
            message_dict = record.msg
            record.message = ""
        else:
            record.message = _message(record)
        if record.exc_info and not record.exc_text:
            text = self.formatException(record.exc_info)
            record.exc_text = text if isinstance(text, str) else "\n".join(text)
        log_data: LogData = {}
        self.add_fields(log_data, record, message_dict)
        return self.serialize_log_record(self.process_log_record(log_data))

    def add_fields(
        self,
        log_data: dict[str, Any],
        record: logging.LogRecord,
        message_dict: dict[str, Any],
    ) -> None:
        """Fill ``log_data`` with the line's fields, in output order.

        Args:
            log_data: The dict that will be serialized.
            record: The record being formatted.
            message_dict: The fields of a dict message (empty otherwise).
        """
        timestamp, level, logger, message, request_id = self._core
        log_data[timestamp] = self._timestamp(record.created)
        log_data[level] = record.levelname
        if self._message_first:
            log_data[message] = record.message
            log_data[logger] = record.name
        else:
            log_data[logger] = record.name
            log_data[message] = record.message
        the_id = record.__dict__.get("request_id")
        log_data[request_id] = (
            the_id if the_id is None or isinstance(the_id, str) else str(the_id)
        )
        log_data.update(self._static)
        if record.exc_info or record.exc_text or record.stack_info:
            self._add_error(log_data, record)
        extra = record.__dict__.keys() - _NOT_EXTRA
        if message_dict or extra:
            items = [
                (key, value)
                for key, value in record.__dict__.items()
                if key in extra and not key.startswith("_")
            ]
            if message_dict:
                items[:0] = message_dict.items()
            self._place_extras(log_data, record.name, items)

    def serialize_log_record(self, log_data: LogData) -> str:
        """Serialize, writing unencodable values as strings rather than failing.

        Args:
            log_data: The line's fields.

        Returns:
            One line of JSON.
        """
        try:
            return super().serialize_log_record(log_data)
        except _SERIALIZATION_ERRORS:
            plain = {_text(str(key)): _plain(value) for key, value in log_data.items()}
            return super().serialize_log_record(plain)

    def _add_error(self, log_data: LogData, record: logging.LogRecord) -> None:
        """Write the exception's type, message and traceback, and the stack."""
        exception, stack, error_type, error_message = self._error
        if self._exception_details and record.exc_info:
            error = record.exc_info[1]
            if error is not None:
                log_data[error_type] = type(error).__qualname__
                log_data[error_message] = unknown_default(error)
        if record.exc_text:
            log_data[exception] = record.exc_text
        if record.stack_info:
            text = self.formatStack(record.stack_info)
            text = text if isinstance(text, str) else "\n".join(text)
            before = log_data.get(stack) if stack == exception else None
            log_data[stack] = text if before is None else f"{before}\n{text}"

    def _timestamp(self, created: float) -> str:
        """Return ``created`` as ISO-8601 UTC with microseconds.

        The date and time up to the second are formatted once per second; the
        cached pair is replaced in one assignment, so threads never mix them.
        """
        second = int(created)
        micro = round((created - second) * 1_000_000)  # as datetime.fromtimestamp
        if micro == _MICROSECONDS_PER_SECOND:
            second, micro = second + 1, 0
        cached = self._second
        if cached[0] != second:
            cached = (second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second)))
            self._second = cached
        return f"{cached[1]}.{micro:06d}{self._utc_suffix}"


class JsonFormatter(StrictFieldsMixin, LibraryJsonFormatter):
    """python-json-logger's ``JsonFormatter`` (standard library ``json``).

    Lines are compact and ASCII-only (non-ASCII text is ``\\uXXXX``-escaped), so
    they survive any stdout encoding.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Create the formatter and its reusable encoder.

        Args:
            *args: See :class:`StrictFieldsMixin`.
            **kwargs: See :class:`StrictFieldsMixin`.
        """
        super().__init__(*args, **kwargs)
        self._encoder = JsonEncoder(
            ensure_ascii=True, allow_nan=False, separators=(",", ":")
        )

    def jsonify_log_record(self, log_data: LogData) -> str:
        """Encode with one encoder built at start-up rather than one per line.

        Args:
            log_data: The line's fields.

        Returns:
            The JSON text.
        """
        return self._encoder.encode(log_data)
