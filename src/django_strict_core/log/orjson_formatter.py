"""The orjson-backed formatter, used when orjson is installed.

This module imports orjson (through python-json-logger); import it only when
``importlib.util.find_spec("orjson")`` finds the package.
"""

from __future__ import annotations

from pythonjsonlogger.orjson import OrjsonFormatter as LibraryOrjsonFormatter

from django_strict_core.log.formatters import StrictFieldsMixin


class OrjsonFormatter(StrictFieldsMixin, LibraryOrjsonFormatter):
    """python-json-logger's ``OrjsonFormatter`` with this package's field set.

    Lines are compact UTF-8; non-ASCII text is written as is.
    """
