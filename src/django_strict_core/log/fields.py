"""Field sets of a JSON log line: the standard names and the Elastic Common Schema.

The formatter writes a line's own fields under *canonical* keys (``timestamp``,
``level``, ``logger``, ``message``, ``request_id``, ``service``, ``environment``,
``version``, ``exception``, ``stack``, ``error_type``, ``error_message``); a
:class:`FieldSet` names them on output, says how timestamps mark UTC, and places
the record's other fields (``extra`` fields, fields of a dict message).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from django_strict_core.log import ecs

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

FieldsName = Literal["standard", "ecs"]

ECS_VERSION = ecs.ECS_VERSION
# Canonical static fields; their values are written as strings.
SERVICE_FIELDS = ("service", "environment", "version")
# Prefix of a standard-set ``extra`` field named like a field of the line.
COLLIDING_EXTRA_PREFIX = "extra."
# Fields of a standard line that only some records have.
_OCCASIONAL_FIELDS = frozenset({"exception", "stack"})


def under_own_names(
    log_data: dict[str, Any], logger: str, items: Iterable[tuple[str, Any]]
) -> None:
    """Write fields under their own names; the line's own fields are never replaced.

    A field named like one the line holds (``level``, ``service``, …) or may hold
    (``exception``, ``stack``) is written as ``extra.<name>`` instead.

    Args:
        log_data: The line being built.
        logger: The record's logger name (unused: every logger is treated alike).
        items: The record's ``extra`` fields and the fields of a dict message.
    """
    del logger
    occasional = _OCCASIONAL_FIELDS
    for key, value in items:
        if key in log_data or key in occasional:
            log_data[f"{COLLIDING_EXTRA_PREFIX}{key}"] = value
        else:
            log_data[key] = value


@dataclass(frozen=True)
class FieldSet:
    """How a record becomes the fields of one line.

    Attributes:
        names: Output name of each canonical key; keys not listed keep their name.
            When ``exception`` and ``stack`` share a name, the stack follows the
            traceback in one string.
        utc_suffix: How timestamps mark UTC: ``+00:00`` or ``Z``.
        message_first: Write the message before the logger name.
        exception_details: Also write the exception's type and message.
        static: Fields added to every line, under their output names.
        dataset: Output name of a field that repeats the service name, if any.
        place_extras: Writes a record's other fields into the line, given the
            record's logger name.
    """

    names: Mapping[str, str] = field(default_factory=dict)
    utc_suffix: str = "+00:00"
    message_first: bool = False
    exception_details: bool = False
    static: Mapping[str, Any] = field(default_factory=dict)
    dataset: str | None = None
    place_extras: Callable[[dict[str, Any], str, Iterable[tuple[str, Any]]], None] = (
        under_own_names
    )

    def name(self, key: str) -> str:
        """Return the output name of a canonical key.

        Args:
            key: A canonical key such as ``level``.

        Returns:
            The name written in the JSON line.
        """
        return self.names.get(key, key)

    def static_fields(self, given: Mapping[str, Any] | None) -> dict[str, Any]:
        """Return the fields written on every line, under their output names.

        Args:
            given: The formatter's static fields: ``service``, ``environment``,
                ``version`` (written as strings) and any names of your own
                (written as given).

        Returns:
            The fields, in output order, with the field set's own static fields last.
        """
        fields: dict[str, Any] = {}
        for key, value in (given or {}).items():
            fields[self.name(key)] = str(value) if key in SERVICE_FIELDS else value
        service = self.name("service")
        if self.dataset is not None and service in fields:
            fields.setdefault(self.dataset, fields[service])
        fields.update(self.static)
        return fields


STANDARD = FieldSet(names={"exception": "exception", "stack": "stack"})

ECS = FieldSet(
    names={
        "timestamp": "@timestamp",
        "level": "log.level",
        "logger": "log.logger",
        "request_id": "http.request.id",
        "service": "service.name",
        "environment": "service.environment",
        "version": "service.version",
        "exception": "error.stack_trace",
        "stack": "error.stack_trace",
        "error_type": "error.type",
        "error_message": "error.message",
    },
    utc_suffix="Z",
    message_first=True,
    exception_details=True,
    static={"ecs.version": ecs.ECS_VERSION},
    dataset="event.dataset",
    place_extras=ecs.place_extras,
)

FIELD_SETS: dict[str, FieldSet] = {"standard": STANDARD, "ecs": ECS}
