"""Request parsers: DRF's JSON parser, bounded, answering 400 for every unparsable body.

Python's JSON decoder raises ``RecursionError``, not ``ValueError``, for a document
nested deeper than the interpreter's recursion limit. DRF's ``JSONParser`` only turns
``ValueError`` into a ``ParseError``, so ``[[[[…`` (100 000 brackets, 100 kB) is an
unhandled exception and a 500. :class:`JSONParser` answers it like any other
malformed JSON.

DRF before 3.17 hands the JSON parser the request stream itself, so Django's
``DATA_UPLOAD_MAX_MEMORY_SIZE`` never applies to JSON bodies and a body of any size
is read and parsed. :class:`JSONParser` reads at most that many bytes and raises
Django's ``RequestDataTooBig`` beyond, which the exception handler answers with 413.

``build_settings`` sets ``DEFAULT_PARSER_CLASSES`` to it alone: the API accepts JSON
bodies and answers any other ``Content-Type`` with 415. A view that takes forms or
uploads lists its parsers in ``parser_classes`` (DRF's ``FormParser``,
``MultiPartParser``), and its operations in the schema document those media types.
"""

from __future__ import annotations

import io
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from rest_framework import parsers
from rest_framework.exceptions import ParseError

if TYPE_CHECKING:
    from collections.abc import Mapping

TOO_DEEP = "JSON parse error - nested too deeply"


class JSONParser(parsers.JSONParser):
    """DRF's ``JSONParser``, bounded by ``DATA_UPLOAD_MAX_MEMORY_SIZE``.

    A body over the limit raises ``RequestDataTooBig`` (413 from the exception
    handler); a document nested too deeply is a ``parse_error`` (400).
    """

    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        """Parse the body as JSON.

        Returns:
            The parsed data.

        Raises:
            ParseError: When the body is not JSON or is nested too deeply.
            RequestDataTooBig: When the body is over ``DATA_UPLOAD_MAX_MEMORY_SIZE``.
        """
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None:
            body = stream.read(limit + 1)
            if len(body) > limit:
                raise RequestDataTooBig(
                    "Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE."
                )
            stream = io.BytesIO(body)
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(TOO_DEEP) from None
