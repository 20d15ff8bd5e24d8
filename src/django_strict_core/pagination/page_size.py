"""The bounded ``?page_size=`` both pagination classes share, and its schema."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.settings import api_settings

from django_strict_core.app_settings import DEFAULT_MAX_PAGE_SIZE, app_settings

if TYPE_CHECKING:
    from rest_framework.request import Request

__all__ = [
    "DEFAULT_MAX_PAGE_SIZE",
    "DEFAULT_PAGE_SIZE",
    "INVALID_PAGE_SIZE",
    "BoundedPageSizeMixin",
    "bounded_page_size",
    "page_size_parameter",
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
        """Return the bounded page size for ``request``."""
        # The class's default: DRF's cursor paginator stores the chosen size on
        # the instance, which must not become the next default.
        return bounded_page_size(
            request,
            param=self.page_size_query_param,
            default=type(self).page_size,
            maximum=self.max_page_size,
        )
