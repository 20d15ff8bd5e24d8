"""Pagination classes of the strict baseline: bounded page sizes everywhere.

Two classes, both with a client-selectable ``?page_size=`` capped at a maximum:

- :class:`StandardPagination`: page numbers, ``{"count", "next", "previous", "results"}``;
- :class:`StandardCursorPagination`: opaque cursors and no ``COUNT(*)``, for large or
  fast-changing tables; its ordering is checked and made total at request time.

A page size that is not a positive integer is a client error (400); a page or cursor
that does not exist is a 404. Both go through ``EXCEPTION_HANDLER``, so a project using
this package's handler answers with the error envelope.
"""

from django_strict_core.pagination.cursor import (
    StandardCursorPagination,
    is_well_formed_cursor,
)
from django_strict_core.pagination.numbered import StandardPagination
from django_strict_core.pagination.ordering import ordering_problem, stable_ordering
from django_strict_core.pagination.page_size import (
    DEFAULT_MAX_PAGE_SIZE,
    DEFAULT_PAGE_SIZE,
    BoundedPageSizeMixin,
    bounded_page_size,
    page_size_parameter,
)

__all__ = [
    "DEFAULT_MAX_PAGE_SIZE",
    "DEFAULT_PAGE_SIZE",
    "BoundedPageSizeMixin",
    "StandardCursorPagination",
    "StandardPagination",
    "bounded_page_size",
    "is_well_formed_cursor",
    "ordering_problem",
    "page_size_parameter",
    "stable_ordering",
]
