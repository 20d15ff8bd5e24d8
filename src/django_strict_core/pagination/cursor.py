"""``StandardCursorPagination``: opaque cursors over a stable ordering."""

from __future__ import annotations

import binascii
from base64 import b64decode
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Field
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination

from django_strict_core.pagination.ordering import stable_ordering
from django_strict_core.pagination.page_size import (
    BoundedPageSizeMixin,
    page_size_parameter,
)

if TYPE_CHECKING:
    from django.db.models import Model, QuerySet
    from rest_framework.pagination import Cursor
    from rest_framework.request import Request
    from rest_framework.views import APIView


class StandardCursorPagination(BoundedPageSizeMixin, CursorPagination):
    """Cursor pagination for large tables: no ``COUNT(*)``, stable under inserts.

    ``?cursor=`` carries an opaque position and ``?page_size=`` the bounded size, as
    in :class:`StandardPagination`. Responses are ``{"next", "previous", "results"}``.

    The ordering must be stable. Its first field positions the cursor, so it must be
    a concrete, non-null column of the model (not a relation: use ``owner_id``); a
    misconfigured ordering raises ``ImproperlyConfigured`` at request time and is
    reported by ``manage.py check`` (``strict_core.E013``) where the view's model is
    known. When no field of the ordering is unique, the primary key is appended as a
    tie-breaker so rows sharing a value are never skipped or repeated.

    Errors: a cursor this class did not issue (not base64, not its fields, or a
    position that is not a value of the ordering's first field) raises ``NotFound``
    (404); a bad ``page_size`` raises ``ValidationError`` (400).

    Attributes:
        ordering: The order of the results; newest primary key first by default.
        page_size: Default page size; ``None`` defers to the settings, read per request.
        max_page_size: Largest page size; ``None`` reads ``STRICT_CORE_MAX_PAGE_SIZE``
            (default 100) per request.
    """

    ordering: str | list[str] | tuple[str, ...] = "-pk"
    _model: type[Model] | None = None  # set per request by get_ordering()

    def get_ordering(
        self, request: Request, queryset: QuerySet[Any], view: APIView
    ) -> tuple[str, ...]:
        """Return the ordering, checked and made total.

        Returns:
            The ordering, ending with the primary key when nothing else is unique.
        """
        self._model = queryset.model
        return stable_ordering(
            queryset.model, super().get_ordering(request, queryset, view)
        )

    def decode_cursor(self, request: Request) -> Cursor | None:
        """Decode the request's cursor, refusing anything this class did not issue.

        DRF's decoder skips characters that are not base64 and ignores unknown
        fields, so garbage reads as the first page, and a forged position reaches the
        database as a filter value. Both are a 404 here.

        Returns:
            The cursor, or ``None`` on the first page.

        Raises:
            NotFound: The cursor is malformed.
        """
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is not None and not is_well_formed_cursor(encoded):
            raise NotFound(self.invalid_cursor_message)
        cursor = super().decode_cursor(request)
        if cursor is not None and cursor.position is not None and self._model:
            ordering = (
                (self.ordering,) if isinstance(self.ordering, str) else self.ordering
            )
            name = ordering[0].removeprefix("-")
            meta = self._model._meta
            field = meta.pk if name == "pk" else meta.get_field(name)
            try:
                if isinstance(field, Field):
                    field.to_python(cursor.position)
            except DjangoValidationError:
                raise NotFound(self.invalid_cursor_message) from None
        return cursor

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        """Describe the page object; all three keys are always present."""
        page = super().get_paginated_response_schema(schema)
        page["required"] = ["next", "previous", "results"]
        return page

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        """Describe ``cursor`` and ``page_size`` with its bounds."""
        return page_size_parameter(
            super().get_schema_operation_parameters(view),
            self.page_size_query_param,
            self.max_page_size,
        )


def is_well_formed_cursor(encoded: str) -> bool:
    """Whether ``encoded`` is a cursor as DRF encodes them.

    Returns:
        True for strict base64 of a query string holding only the fields ``o``
        (offset), ``r`` (reverse) and ``p`` (position), each at most once.
    """
    try:
        querystring = b64decode(encoded.encode("ascii"), validate=True).decode("ascii")
        tokens = parse_qs(querystring, keep_blank_values=True, strict_parsing=True)
    except (UnicodeError, ValueError, binascii.Error):
        return False
    return set(tokens) <= {"o", "r", "p"} and all(len(v) == 1 for v in tokens.values())
