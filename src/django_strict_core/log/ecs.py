"""Elastic Common Schema rules: where each field of a record goes, with which type.

The ``ecs`` field set follows Elastic's ECS logging specification
(https://github.com/elastic/ecs-logging/blob/main/spec/spec.json) and the ECS field
reference (https://www.elastic.co/guide/en/ecs/current/ecs-field-reference.html):

- the fields this package sets itself (the access record's, the status code of
  Django's request records) are written under their ECS names, and only when their
  value has the ECS type (a ``status`` that is not an integer is not a status code);
- a caller's ``extra`` fields never land on an ECS field: they are nested under
  :data:`CUSTOM_NAMESPACE`, as ECS advises for custom fields (nest them under a
  proper name, https://www.elastic.co/guide/en/ecs/current/ecs-custom-fields-in-ecs.html);
- ``labels``, ECS's own field for custom keyword pairs, is kept when it is a
  mapping: its keys are sanitized as the specification requires (``.``, ``*`` and
  ``\\`` become ``_``) and its values are written as strings (ECS type ``keyword``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from pythonjsonlogger.defaults import unknown_default

from django_strict_core.log.config import ACCESS_LOGGER

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

ECS_VERSION = "8.11.0"
CUSTOM_NAMESPACE = "django"
_CUSTOM_PREFIX = f"{CUSTOM_NAMESPACE}."
LABELS = "labels"
_LABEL_KEY = str.maketrans(dict.fromkeys(".*\\", "_"))
_NANOSECONDS_PER_MILLISECOND = 1_000_000
# ``event.duration`` is an ECS ``long``: durations beyond it are not durations.
_LONGEST_MILLISECONDS = (2**63 - 1) / _NANOSECONDS_PER_MILLISECOND


def _fits_a_long(value: float) -> bool:
    """Whether ``duration_ms`` in nanoseconds is a finite 64-bit integer."""
    return math.isfinite(value) and abs(value) < _LONGEST_MILLISECONDS


def _milliseconds_to_nanoseconds(value: float) -> int:
    """``duration_ms`` as ECS ``event.duration``: integer nanoseconds."""
    return round(value * _NANOSECONDS_PER_MILLISECOND)


class EcsField(NamedTuple):
    """An ECS field that a canonical record key maps to.

    A value is written to the field when its type is one of ``types`` exactly (so
    a ``bool`` is not an integer) and it passes ``check``.

    Attributes:
        name: The ECS name, written as one dotted top-level key.
        types: The Python types of the field's ECS type.
        check: A further test of the value, if any.
        convert: Turns an accepted value into the ECS value (its unit), if needed.
    """

    name: str
    types: tuple[type, ...]
    check: Callable[[Any], bool] | None = None
    convert: Callable[[Any], Any] | None = None


# The access record's fields (see RequestIDMiddleware) and their ECS fields.
ACCESS_FIELDS: Mapping[str, EcsField] = {
    "method": EcsField("http.request.method", (str,)),
    "path": EcsField("url.path", (str,)),
    "query": EcsField("url.query", (str,)),
    "status": EcsField("http.response.status_code", (int,)),
    "duration_ms": EcsField(
        "event.duration", (int, float), _fits_a_long, _milliseconds_to_nanoseconds
    ),
    "user_id": EcsField("user.id", (str,)),
    "client_ip": EcsField("client.ip", (str,)),
}
# Django's request records (``django.request``, ``django.server``,
# ``django.security.*``) carry the response's status code.
DJANGO_FIELDS: Mapping[str, EcsField] = {
    "status_code": EcsField("http.response.status_code", (int,)),
}
_NO_FIELDS: Mapping[str, EcsField] = {}
# ``record_fields`` by logger name, filled as records arrive (logging keeps every
# logger it creates too, so this grows no further than its own registry).
_FIELDS_OF_LOGGER: dict[str, Mapping[str, EcsField]] = {}


def record_fields(logger: str) -> Mapping[str, EcsField]:
    """Return the ECS fields that records of one logger set themselves.

    Args:
        logger: The record's logger name.

    Returns:
        Canonical key to ECS field; empty for a caller's own loggers.
    """
    if logger == ACCESS_LOGGER:
        return ACCESS_FIELDS
    if logger.startswith("django."):
        return DJANGO_FIELDS
    return _NO_FIELDS


def label_key(key: object) -> str:
    """Return a ``labels`` key as the specification requires it.

    Args:
        key: The key given by the caller.

    Returns:
        The key as text, with ``.``, ``*`` and ``\\`` replaced by ``_``.
    """
    return unknown_default(key).translate(_LABEL_KEY)


def label_value(value: object) -> str:
    """Return a ``labels`` value as ECS types it: a string (``keyword``).

    Args:
        value: The value given by the caller.

    Returns:
        Strings unchanged; anything else as its JSON text (``true``, ``42``,
        ``{"a":1}``), or its ``str()`` when JSON cannot represent it.
    """
    if isinstance(value, str):
        return value
    try:
        return json.dumps(
            value, default=unknown_default, ensure_ascii=False, separators=(",", ":")
        )
    except (TypeError, ValueError, RecursionError):  # circular, or keys JSON refuses
        return unknown_default(value)


def labels(value: Mapping[Any, Any]) -> dict[str, str]:
    """Return ``labels`` with sanitized keys and string values; ``None`` is left out.

    Args:
        value: The caller's ``labels`` mapping.

    Returns:
        The ``labels`` object of the line.
    """
    return {
        label_key(key): label_value(item)
        for key, item in value.items()
        if item is not None
    }


def place_extras(
    log_data: dict[str, Any], logger: str, items: Iterable[tuple[str, Any]]
) -> None:
    """Write a record's other fields where ECS wants them.

    Args:
        log_data: The line being built.
        logger: The record's logger name, which says whose fields these are.
        items: The record's ``extra`` fields and the fields of a dict message.
    """
    own = _FIELDS_OF_LOGGER.get(logger)
    if own is None:
        own = _FIELDS_OF_LOGGER.setdefault(logger, record_fields(logger))
    for key, value in items:
        field = own.get(key)
        if field is not None:
            name, types, check, convert = field
            if type(value) in types and (check is None or check(value)):
                log_data[name] = value if convert is None else convert(value)
                continue
        if key == LABELS and isinstance(value, Mapping):
            log_data[LABELS] = labels(value)
        else:
            log_data[f"{_CUSTOM_PREFIX}{key}"] = value
