"""What a request serializer can report: the ``attr`` paths and codes of its errors."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rest_framework import fields, serializers, validators

from django_strict_core.openapi.components import INDEX, KEY

if TYPE_CHECKING:
    AnyField = fields.Field[Any, Any, Any, Any]

# Codes of DRF's fields, which query parameters are usually validated with.
QUERY_CODES = (
    "blank",
    "invalid",
    "invalid_choice",
    "max_length",
    "max_string_length",
    "max_value",
    "min_length",
    "min_value",
    "null",
    "required",
)
MAX_INPUT_DEPTH = 32


def input_errors(
    serializer: AnyField, non_field_errors_key: str
) -> tuple[list[tuple[str, ...]], set[str]]:
    """Return the ``attr`` paths and the codes a request serializer can report.

    Codes come from the fields' ``error_messages`` keys (where ``self.fail(code)``
    finds its messages, so a serializer declaring its own codes there gets them
    documented), their validators' codes, and ``unique`` for DRF's uniqueness
    validators.

    Args:
        serializer: The request serializer or field.
        non_field_errors_key: DRF's ``NON_FIELD_ERRORS_KEY``.

    Returns:
        The paths (as tuples of segments) and the set of codes.
    """
    paths: list[tuple[str, ...]] = []
    codes: set[str] = {"invalid"}
    stack: list[tuple[tuple[str, ...], AnyField]] = [((), serializer)]
    while stack:
        prefix, field = stack.pop()
        if prefix:
            paths.append(prefix)
        codes.update(str(key) for key in field.error_messages)
        codes.update(_validator_codes(field))
        if len(prefix) >= MAX_INPUT_DEPTH:
            continue
        if isinstance(field, serializers.ListSerializer):
            paths.append((*prefix, non_field_errors_key))
            stack.append(((*prefix, INDEX), field.child))  # type: ignore[arg-type]
        elif isinstance(field, serializers.Serializer):
            paths.append((*prefix, non_field_errors_key))
            writable = [
                (name, child)
                for name, child in field.fields.items()
                if not child.read_only
            ]
            stack.extend(((*prefix, name), child) for name, child in reversed(writable))
        elif isinstance(field, fields.ListField):
            stack.append(((*prefix, INDEX), field.child))
        elif isinstance(field, fields.DictField):
            stack.append(((*prefix, KEY), field.child))
        elif isinstance(field, serializers.ManyRelatedField):
            codes.update(str(key) for key in field.child_relation.error_messages)
    return paths, codes


def _validator_codes(field: AnyField) -> set[str]:
    """Return the codes of a field's validators."""
    found: set[str] = set()
    for validator in getattr(field, "validators", ()):
        if isinstance(
            validator,
            (
                validators.UniqueValidator,
                validators.UniqueTogetherValidator,
                validators.BaseUniqueForValidator,
            ),
        ):
            found.add("unique")
        code = getattr(validator, "code", None)
        if isinstance(code, str):
            found.add(code)
    return found
