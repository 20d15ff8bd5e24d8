"""Request parsers: DRF's JSON parser, answering 400 for every unparsable body.

Python's JSON decoder raises ``RecursionError``, not ``ValueError``, for a document
nested deeper than the interpreter's recursion limit. DRF's ``JSONParser`` only turns
``ValueError`` into a ``ParseError``, so ``[[[[…`` (100 000 brackets, 100 kB) is an
unhandled exception and a 500. :class:`JSONParser` answers it like any other
malformed JSON. ``build_settings`` sets ``DEFAULT_PARSER_CLASSES`` to it, DRF's
``FormParser`` and ``MultiPartParser``.
"""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError

if TYPE_CHECKING:
    from collections.abc import Mapping

TOO_DEEP = "JSON parse error - nested too deeply"


class JSONParser(parsers.JSONParser):
    """DRF's ``JSONParser``; a document nested too deeply is a ``parse_error`` (400)."""

    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        """Parse the body as JSON.

        Args:
            stream: The request body.
            media_type: The request's media type.
            parser_context: DRF's parser context (the request's encoding).

        Returns:
            The parsed data.

        Raises:
            ParseError: When the body is not JSON or is nested too deeply.
        """
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(TOO_DEEP) from None
