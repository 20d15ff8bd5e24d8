"""Pagination classes of the strict baseline: bounded page sizes everywhere."""

from __future__ import annotations

from rest_framework.pagination import PageNumberPagination


class StandardPagination(PageNumberPagination):
    """Page-number pagination with a client-selectable, bounded page size.

    ``?page=N`` selects the page and ``?page_size=M`` the size, capped at
    :attr:`max_page_size`. The default size is DRF's ``PAGE_SIZE`` (20 in the
    baseline). Responses are ``{"count", "next", "previous", "results"}``.
    """

    page_size_query_param = "page_size"
    max_page_size = 100
