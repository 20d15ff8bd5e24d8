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
# JavaScript, Unicode line breaking) treat as line separators, in UTF-8, and their
# JSON escapes. JSON encoders escape U+0000-U+001F already; orjson writes these raw.
# A UTF-8 lead byte never continues another character, so each sequence can only
# be that character, and it can only occur inside a JSON string.
_NEXT_LINE = b"\xc2\x85"
_SEPARATORS = b"\xe2\x80"  # the first two bytes of U+2028 and U+2029
_ESCAPES = (
    (_NEXT_LINE, b"\\u0085"),
    (b"\xe2\x80\xa8", b"\\u2028"),
    (b"\xe2\x80\xa9", b"\\u2029"),
)


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
        data = orjson.dumps(
            log_data, default=self.json_default, option=orjson.OPT_NON_STR_KEYS
        )
        if _NEXT_LINE in data or _SEPARATORS in data:
            for raw, escaped in _ESCAPES:
                data = data.replace(raw, escaped)
        return data.decode("utf-8")
