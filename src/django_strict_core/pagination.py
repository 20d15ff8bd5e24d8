"""Pagination classes of the strict baseline: bounded page sizes everywhere.

Two classes, both with a client-selectable ``?page_size=`` capped at a maximum:

- :class:`StandardPagination`: page numbers, ``{"count", "next", "previous", "results"}``;
- :class:`StandardCursorPagination`: opaque cursors and no ``COUNT(*)``, for large or
  fast-changing tables; its ordering is checked and made total at request time.

A page size that is not a positive integer is a client error (400); a page or cursor
that does not exist is a 404. Both go through ``EXCEPTION_HANDLER``, so a project using
this package's handler answers with the error envelope.
"""

from __future__ import annotations

import binascii
from base64 import b64decode
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from django.core.exceptions import (
    FieldDoesNotExist,
    ImproperlyConfigured,
    ValidationError as DjangoValidationError,
)
from django.db.models import Field
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.settings import api_settings

from django_strict_core.app_settings import DEFAULT_MAX_PAGE_SIZE, app_settings

if TYPE_CHECKING:
    from collections.abc import Sequence

    from django.db.models import Model, QuerySet
    from rest_framework.pagination import Cursor
    from rest_framework.request import Request
    from rest_framework.views import APIView

__all__ = [
    "DEFAULT_MAX_PAGE_SIZE",
    "DEFAULT_PAGE_SIZE",
    "StandardCursorPagination",
    "StandardPagination",
    "ordering_problem",
    "stable_ordering",
]

DEFAULT_PAGE_SIZE = 20
"""Page size when neither the class nor ``REST_FRAMEWORK["PAGE_SIZE"]`` sets one."""

INVALID_PAGE_SIZE = _("A positive integer is required.")


def bounded_page_size(
    request: Request, *, param: str | None, default: int | None, maximum: int | None
) -> int:
    """Return the page size a request asks for, bounded by the maximum.

    Args:
        request: The DRF request.
        param: The query parameter carrying the page size, or ``None`` when clients
            may not choose it.
        default: The class's own page size; ``None`` reads ``REST_FRAMEWORK["PAGE_SIZE"]``
            and falls back to :data:`DEFAULT_PAGE_SIZE`.
        maximum: The class's own maximum; ``None`` reads ``STRICT_CORE_MAX_PAGE_SIZE``
            and falls back to :data:`DEFAULT_MAX_PAGE_SIZE`.

    Returns:
        The page size, between 1 and the maximum.

    Raises:
        ValidationError: The parameter is present but not a positive integer.
    """
    if default is None:
        default = api_settings.PAGE_SIZE or DEFAULT_PAGE_SIZE
    if maximum is None:
        maximum = app_settings.STRICT_CORE_MAX_PAGE_SIZE
    if not param or not (raw := request.query_params.get(param, "")):
        return min(default, maximum)
    try:
        size = int(raw)
    except ValueError:
        size = 0
    if size < 1:
        raise ValidationError({param: [INVALID_PAGE_SIZE]}, code="invalid")
    return min(size, maximum)


def page_size_parameter(
    parameters: list[dict[str, Any]], name: str | None, maximum: int | None
) -> list[dict[str, Any]]:
    """Add the page size bounds to DRF's OpenAPI query parameters.

    Args:
        parameters: What DRF's ``get_schema_operation_parameters`` returned.
        name: The page size query parameter.
        maximum: The class's own maximum, or ``None`` for the setting's.

    Returns:
        The parameters, the page size one with ``minimum`` and ``maximum``.
    """
    if maximum is None:
        maximum = app_settings.STRICT_CORE_MAX_PAGE_SIZE
    for parameter in parameters:
        if parameter["name"] == name:
            parameter["schema"] = {
                **parameter["schema"],
                "minimum": 1,
                "maximum": maximum,
            }
    return parameters


class BoundedPageSizeMixin:
    """The bounded ``?page_size=`` both pagination classes share.

    Attributes:
        page_size: Default page size; ``None`` defers to the settings, read per request.
        page_size_query_param: The query parameter clients set the size with.
        max_page_size: Largest page size; ``None`` reads ``STRICT_CORE_MAX_PAGE_SIZE``.
    """

    page_size: int | None = None
    page_size_query_param: str | None = "page_size"
    max_page_size: int | None = None

    def get_page_size(self, request: Request) -> int:
        """Return the bounded page size for ``request``.

        Args:
            request: The DRF request.

        Returns:
            The page size, between 1 and the maximum.
        """
        # The class's default: DRF's cursor paginator stores the chosen size on
        # the instance, which must not become the next default.
        return bounded_page_size(
            request,
            param=self.page_size_query_param,
            default=type(self).page_size,
            maximum=self.max_page_size,
        )


class StandardPagination(BoundedPageSizeMixin, PageNumberPagination):
    """Page-number pagination with a client-selectable, bounded page size.

    ``?page=N`` selects the page (``last`` is accepted) and ``?page_size=M`` the
    size. The default size is :attr:`page_size`, else ``REST_FRAMEWORK["PAGE_SIZE"]``,
    else 20; a larger ``page_size`` than :attr:`max_page_size` is cut down to it.
    Responses are ``{"count", "next", "previous", "results"}``.

    Errors: a page that does not exist (``0``, ``abc``, past the end) raises
    ``NotFound`` (404); a ``page_size`` that is not a positive integer raises
    ``ValidationError`` (400) on the ``page_size`` attribute.

    Attributes:
        page_size: Default page size; ``None`` defers to the settings, read per request.
        max_page_size: Largest page size; ``None`` reads ``STRICT_CORE_MAX_PAGE_SIZE``
            (default 100) per request.
    """

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        """Describe the page object; all four keys are always present.

        Args:
            schema: The schema of one result.

        Returns:
            The OpenAPI schema of a page.
        """
        page = super().get_paginated_response_schema(schema)
        page["required"] = ["count", "next", "previous", "results"]
        return page

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        """Describe ``page`` and ``page_size`` with their bounds.

        Args:
            view: The view being described.

        Returns:
            The OpenAPI query parameters.
        """
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {**parameter["schema"], "minimum": 1}
        return page_size_parameter(
            parameters, self.page_size_query_param, self.max_page_size
        )


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

        Args:
            request: The DRF request.
            queryset: The queryset being paginated.
            view: The view, whose ordering filter may choose the ordering.

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

        Args:
            request: The DRF request.

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
        """Describe the page object; all three keys are always present.

        Args:
            schema: The schema of one result.

        Returns:
            The OpenAPI schema of a page.
        """
        page = super().get_paginated_response_schema(schema)
        page["required"] = ["next", "previous", "results"]
        return page

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        """Describe ``cursor`` and ``page_size`` with its bounds.

        Args:
            view: The view being described.

        Returns:
            The OpenAPI query parameters.
        """
        return page_size_parameter(
            super().get_schema_operation_parameters(view),
            self.page_size_query_param,
            self.max_page_size,
        )


def is_well_formed_cursor(encoded: str) -> bool:
    """Whether ``encoded`` is a cursor as DRF encodes them.

    Args:
        encoded: The ``cursor`` query parameter.

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


def ordering_problem(model: type[Model], ordering: Sequence[str]) -> str | None:
    """Say why ``ordering`` cannot position a cursor over ``model``, if it cannot.

    The first field is compared with the cursor's position, so it must exist, be a
    concrete column (a foreign key by its ``_id`` name) and never be null: rows with
    a null value would be skipped.

    Args:
        model: The paginated model.
        ordering: Field names, each optionally prefixed with ``-``.

    Returns:
        A sentence describing the problem, or ``None`` when the ordering is usable.
    """
    if not ordering:
        return "the ordering is empty"
    name = ordering[0].removeprefix("-")
    if name == "pk":
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return f"its first field {name!r} is not a field of {model._meta.label} (related lookups cannot position a cursor)"
    if not field.concrete or (field.is_relation and name != field.attname):
        return f"its first field {name!r} is not a column (order by a concrete field or a foreign key's _id)"
    if field.null:
        return (
            f"its first field {name!r} is nullable, so rows with NULL would be skipped"
        )
    return None


def stable_ordering(model: type[Model], ordering: Sequence[str]) -> tuple[str, ...]:
    """Return ``ordering`` made total: the primary key breaks ties when needed.

    Args:
        model: The paginated model.
        ordering: Field names, each optionally prefixed with ``-``.

    Returns:
        The ordering, with ``pk`` (in the first field's direction) appended when no
        field of it is unique and non-null.

    Raises:
        ImproperlyConfigured: The first field cannot position a cursor.
    """
    problem = ordering_problem(model, ordering)
    if problem is not None:
        msg = f"Cursor pagination over {model._meta.label} needs a stable ordering, but {problem}: {tuple(ordering)!r}."
        raise ImproperlyConfigured(msg)
    if any(_is_unique(model, name.removeprefix("-")) for name in ordering):
        return tuple(ordering)
    direction = "-" if ordering[0].startswith("-") else ""
    return (*ordering, f"{direction}pk")


def _is_unique(model: type[Model], name: str) -> bool:
    """Whether ``name`` is the primary key or a unique, non-null field of ``model``."""
    if name == "pk":
        return True
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return bool(field.concrete and field.unique and not field.null)
