"""Check JSON log lines against a schema written in the ECS logging spec's format.

A schema maps field names to rules: ``type`` (``datetime``, ``string``,
``integer``, ``number``, ``object``), ``required``, ``index`` (the key's position
in the line), ``top_level_field`` (a dotted key at the top level, never a nested
object) and ``sanitization`` (characters a key of the object may not hold). This
package's own schemas add ``nullable``, ``enum`` and ``pattern``.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

DATA = Path(__file__).parent / "data"
# ECS: UTC, ``Z``, millisecond or microsecond precision.
ECS_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.(\d{3}|\d{6})Z")
_MISSING = object()


def load(name: str) -> dict[str, Any]:
    """A schema file of ``tests/log/data``."""
    schema: dict[str, Any] = json.loads((DATA / name).read_text(encoding="utf-8"))
    return schema


def _nested(data: dict[str, Any], dotted: str) -> object:
    """The value at ``a.b.c`` written as nested objects, if any."""
    value: object = data
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            return _MISSING
        value = value[part]
    return value


def _is_number(value: object) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
    )


_TYPES: dict[str, Callable[[object], bool]] = {
    "string": lambda value: isinstance(value, str),
    "integer": lambda value: isinstance(value, int) and not isinstance(value, bool),
    "number": _is_number,
    "object": lambda value: isinstance(value, dict),
}

# Every type a schema may name.
SPEC_TYPES = frozenset({"datetime", *_TYPES})


def _type_problem(value: object, rule: dict[str, Any]) -> str | None:
    if value is None:
        return None if rule.get("nullable") else "is null"
    kind = rule["type"]
    if kind == "datetime":
        pattern = re.compile(rule.get("pattern", ECS_TIMESTAMP.pattern))
        valid = isinstance(value, str) and pattern.fullmatch(value) is not None
        expected = f"a timestamp of the form {pattern.pattern}"
    else:
        valid = _TYPES[kind](value)
        expected = f"of type {kind}"
    if not valid:
        return f"is not {expected}: {value!r}"
    if "enum" in rule and value not in rule["enum"]:
        return f"is not one of {rule['enum']}: {value!r}"
    return None


def problems(
    text: str, fields: dict[str, dict[str, Any]]
) -> tuple[dict[str, Any] | None, list[str]]:
    """Parse one line and list how it breaks ``fields``.

    Returns:
        The parsed line (``None`` when it is not one JSON object on one line) and
        every problem found, each naming the field.
    """
    if len(text.splitlines()) != 1 or text != text.strip():
        return None, [f"is not exactly one line: {text!r}"]
    try:
        pairs = json.loads(text, object_pairs_hook=list)
    except json.JSONDecodeError as error:
        return None, [f"is not JSON ({error}): {text!r}"]
    if not isinstance(pairs, list):
        return None, [f"is not a JSON object: {text!r}"]
    keys = [key for key, _ in pairs]
    found = [f"{key}: written twice" for key in set(keys) if keys.count(key) > 1]
    data: dict[str, Any] = json.loads(text)
    for name, rule in fields.items():
        value = data.get(name, _MISSING)
        if value is _MISSING:
            value = _nested(data, name)
            if value is _MISSING:
                if rule.get("required"):
                    found.append(f"{name}: missing")
                continue
            if rule.get("top_level_field"):
                found.append(f"{name}: nested, not a top-level dotted key")
        elif rule.get("index") is not None:
            index = rule["index"]
            if index >= len(keys) or keys[index] != name:
                found.append(f"{name}: at position {keys.index(name)}, not {index}")
        problem = _type_problem(value, rule)
        if problem:
            found.append(f"{name}: {problem}")
        replacements = rule.get("sanitization", {}).get("key", {}).get("replacements")
        if replacements and isinstance(value, dict):
            found.extend(
                f"{name}: key {key!r} holds {char!r}"
                for key in value
                for char in replacements
                if char in key
            )
    return data, found
