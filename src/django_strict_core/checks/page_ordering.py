"""Page-number and offset pagination need an ordered queryset.

Without an ``ORDER BY`` the database may return rows in any order, and a different
one for each page: clients see rows twice or never. Django's paginator only warns
(``UnorderedObjectListWarning``) once a request is served. Where the queryset is set
on the view class, ``strict_core.E022`` says so at check time.

A queryset counts as ordered when it has ``order_by()``, its model has
``Meta.ordering``, or the view orders it with an ordering filter and a default
``ordering``. Views that build their queryset in ``get_queryset()`` are not known
before a request: Django's warning reports them then, as a log line
(docs/logging.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.checks import Error
from django.db.models import Manager, QuerySet
from rest_framework.mixins import ListModelMixin
from rest_framework.pagination import LimitOffsetPagination, PageNumberPagination

from django_strict_core.checks.exemptions import dotted_path, is_judged
from django_strict_core.checks.urls import api_routes

if TYPE_CHECKING:
    from collections.abc import Sequence

    from django.apps import AppConfig
    from django.core.checks import CheckMessage
    from rest_framework.views import APIView

PAGINATIONS = (PageNumberPagination, LimitOffsetPagination)


def unordered_queryset(view: type[APIView]) -> QuerySet[Any] | None:
    """Return the view's class-level queryset if it lists it in pages without an order.

    Args:
        view: A DRF view class.

    Returns:
        The queryset, or ``None`` when the view does not list in pages, has no
        class-level queryset, or orders it.
    """
    pagination = getattr(view, "pagination_class", None)
    if not (
        issubclass(view, ListModelMixin)
        and isinstance(pagination, type)
        and issubclass(pagination, PAGINATIONS)
    ):
        return None
    queryset = getattr(view, "queryset", None)
    if isinstance(queryset, Manager):
        queryset = queryset.all()
    if not isinstance(queryset, QuerySet) or queryset.ordered:
        return None
    filters = getattr(view, "filter_backends", None) or ()
    orders = any(hasattr(backend, "get_ordering") for backend in filters)
    if orders and getattr(view, "ordering", None):
        return None
    return queryset


def check_page_ordering(
    app_configs: Sequence[AppConfig] | None = None, **_kwargs: Any
) -> list[CheckMessage]:
    """Report routed list views that paginate an unordered class-level queryset.

    Args:
        app_configs: Restrict the check to views defined in these apps.
        **_kwargs: What Django passes to every check.

    Returns:
        ``strict_core.E022`` errors, one per view.
    """
    errors: list[CheckMessage] = []
    seen: set[type[APIView]] = set()
    for route in api_routes():
        view = route.view
        if view in seen or not is_judged(view, app_configs):
            continue
        seen.add(view)
        queryset = unordered_queryset(view)
        if queryset is None:
            continue
        path = dotted_path(view)
        model = queryset.model
        pagination = view.pagination_class.__name__  # type: ignore[attr-defined]
        errors.append(
            Error(
                f"View {path} at URL pattern {route.describe()} pages through "
                f"{model.__name__} rows with {pagination} but its queryset has no "
                "ordering: pages may repeat or skip rows.",
                hint=f'Order the queryset: queryset = {model.__name__}.objects.order_by("-pk") '
                f"(or a field and then pk), or give {model._meta.label} a Meta.ordering.",
                obj=path,
                id="strict_core.E022",
            )
        )
    return errors
