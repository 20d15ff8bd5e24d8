"""``StandardPagination``: page numbers with a bounded page size."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rest_framework.pagination import PageNumberPagination

from django_strict_core.pagination.page_size import (
    BoundedPageSizeMixin,
    page_size_parameter,
)

if TYPE_CHECKING:
    from rest_framework.views import APIView


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
        """Describe the page object; all four keys are always present."""
        page = super().get_paginated_response_schema(schema)
        page["required"] = ["count", "next", "previous", "results"]
        return page

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        """Describe ``page`` and ``page_size`` with their bounds."""
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {**parameter["schema"], "minimum": 1}
        return page_size_parameter(
            parameters, self.page_size_query_param, self.max_page_size
        )
