"""Field names of a JSON log line: the standard set and the Elastic Common Schema.

Records are built with *canonical* keys (``timestamp``, ``level``, ``exc_info``,
``duration_ms`` …). A :class:`FieldSet` renames them on output and converts the few
values whose unit differs. Keys it does not know (a project's own ``extra`` fields)
are written unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

FieldsName = Literal["standard", "ecs"]

ECS_VERSION = "8.11.0"
_NANOSECONDS_PER_MILLISECOND = 1_000_000


def _milliseconds_to_nanoseconds(value: Any) -> Any:
    """Convert ``duration_ms`` to ECS ``event.duration`` (integer nanoseconds)."""
    if isinstance(value, (int, float)):
        return round(value * _NANOSECONDS_PER_MILLISECOND)
    return value


@dataclass(frozen=True)
class FieldSet:
    """How canonical record keys are written.

    Attributes:
        names: Canonical key to output key; keys not listed keep their name.
        converters: Canonical key to a function applied to the value on output.
        static: Fields added to every line, already under their output names.
        exception_details: Also write the exception's type and message
            (``exc_type``, ``exc_message``) beside the traceback.
    """

    names: Mapping[str, str] = field(default_factory=dict)
    converters: Mapping[str, Callable[[Any], Any]] = field(default_factory=dict)
    static: Mapping[str, Any] = field(default_factory=dict)
    exception_details: bool = False

    def name(self, key: str) -> str:
        """Return the output name of a canonical key.

        Args:
            key: A canonical key such as ``level``.

        Returns:
            The name written in the JSON line.
        """
        return self.names.get(key, key)


STANDARD = FieldSet(
    names={"exc_info": "exception", "stack_info": "stack"},
)

ECS = FieldSet(
    names={
        "timestamp": "@timestamp",
        "level": "log.level",
        "logger": "log.logger",
        "request_id": "http.request.id",
        "exc_info": "error.stack_trace",
        "stack_info": "log.origin.stack",
        "exc_type": "error.type",
        "exc_message": "error.message",
        "service": "service.name",
        "environment": "service.environment",
        "version": "service.version",
        "method": "http.request.method",
        "path": "url.path",
        "query": "url.query",
        "status": "http.response.status_code",
        "status_code": "http.response.status_code",
        "duration_ms": "event.duration",
        "user_id": "user.id",
        "client_ip": "client.ip",
    },
    converters={"duration_ms": _milliseconds_to_nanoseconds},
    static={"ecs.version": ECS_VERSION},
    exception_details=True,
)

FIELD_SETS: dict[str, FieldSet] = {"standard": STANDARD, "ecs": ECS}
