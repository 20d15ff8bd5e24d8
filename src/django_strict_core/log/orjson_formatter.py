"""The orjson-backed formatter, used when orjson is installed.

This module imports orjson; import it only when ``importlib.util.find_spec("orjson")``
finds the package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import orjson
from pythonjsonlogger.orjson import OrjsonFormatter as LibraryOrjsonFormatter

from django_strict_core.log.formatters import StrictFieldsMixin

if TYPE_CHECKING:
    from pythonjsonlogger.core import LogData

# Characters above U+001F that line-splitting tools (Python's str.splitlines,
# JavaScript, Unicode line breaking) treat as line separators, and their JSON
# escapes. JSON encoders escape U+0000-U+001F already; orjson writes these raw, and
# in its output they can only occur inside strings.
_ESCAPES = (("\x85", "\\u0085"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


class OrjsonFormatter(StrictFieldsMixin, LibraryOrjsonFormatter):
    """python-json-logger's ``OrjsonFormatter`` with this package's field set.

    Lines are compact UTF-8; non-ASCII text is written as is, except U+0085,
    U+2028 and U+2029, which are escaped so that every record stays one line for
    any tool that splits lines.
    """

    def jsonify_log_record(self, log_data: LogData) -> str:
        """Encode with orjson and escape the line separators it writes raw.

        Args:
            log_data: The line's fields.

        Returns:
            The JSON text.
        """
        text = orjson.dumps(
            log_data, default=self.json_default, option=orjson.OPT_NON_STR_KEYS
        ).decode("utf-8")
        if not text.isascii():
            for raw, escaped in _ESCAPES:
                if raw in text:
                    text = text.replace(raw, escaped)
        return text
