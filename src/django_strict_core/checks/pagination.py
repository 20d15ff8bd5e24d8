"""Cursor pagination needs a stable ordering: check it where the view's model is known.

For each routed DRF view paginated by a ``CursorPagination`` (this package's or
DRF's) whose ``queryset`` is set on the class, the ordering the cursor would use (the
view's ``ordering`` when it has an ordering filter, else the pagination class's) must
start with a concrete, non-null field. Views that only implement ``get_queryset()``
are checked at request time by :class:`~django_strict_core.pagination.StandardCursorPagination`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.checks import Error
from django.db.models import Manager, QuerySet
from rest_framework.pagination import CursorPagination

from django_strict_core.checks.exemptions import dotted_path, is_judged
from django_strict_core.checks.urls import api_routes
from django_strict_core.pagination import ordering_problem

if TYPE_CHECKING:
    from collections.abc import Sequence

    from django.apps import AppConfig
    from django.core.checks import CheckMessage
    from rest_framework.views import APIView


def cursor_ordering(view: type[APIView]) -> tuple[str, ...] | None:
    """Return the default ordering a cursor-paginated view uses, if it is cursor paginated.

    Returns:
        The ordering as a tuple, or ``None`` when the view is not cursor paginated.
    """
    pagination = getattr(view, "pagination_class", None)
    if not isinstance(pagination, type) or not issubclass(pagination, CursorPagination):
        return None
    ordering: Any = pagination.ordering
    filters = getattr(view, "filter_backends", None) or ()
    if any(hasattr(backend, "get_ordering") for backend in filters) and getattr(
        view, "ordering", None
    ):
        ordering = view.ordering  # type: ignore[attr-defined]
    return (ordering,) if isinstance(ordering, str) else tuple(ordering or ())


def check_cursor_ordering(
    app_configs: Sequence[AppConfig] | None = None, **_kwargs: Any
) -> list[CheckMessage]:
    """Report cursor-paginated views whose ordering cannot position a cursor.

    Returns:
        ``strict_core.E013`` errors, one per view.
    """
    errors: list[CheckMessage] = []
    seen: set[type[APIView]] = set()
    for route in api_routes():
        view = route.view
        if view in seen or not is_judged(view, app_configs):
            continue
        seen.add(view)
        ordering = cursor_ordering(view)
        queryset = getattr(view, "queryset", None)
        if ordering is None or not isinstance(queryset, (QuerySet, Manager)):
            continue
        problem = ordering_problem(queryset.model, ordering)
        if problem is not None:
            path = dotted_path(view)
            errors.append(
                Error(
                    f"View {path} at URL pattern {route.describe()} uses cursor "
                    f"pagination ordered by {ordering!r}, but {problem}.",
                    hint="Order by an unchanging, non-null column first, e.g. "
                    '("-created_at", "-pk"); the primary key is added as a '
                    "tie-breaker when no field is unique.",
                    obj=path,
                    id="strict_core.E013",
                )
            )
    return errors
