"""Orderings a cursor can position: checked, and made total with the primary key."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured

if TYPE_CHECKING:
    from collections.abc import Sequence

    from django.db.models import Model


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
