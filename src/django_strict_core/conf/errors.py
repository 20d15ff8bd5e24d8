"""The one error raised for an invalid environment, and how it is worded.

Every problem is reported under the name of the environment variable that caused it,
with what was expected. Values are never included: any of them may be a secret.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured

from django_strict_core.conf import excepthook

if TYPE_CHECKING:
    from collections.abc import Iterable

    from pydantic_core import ErrorDetails


@dataclass(frozen=True)
class Problem:
    """One invalid environment variable.

    Attributes:
        variable: The environment variable's name, e.g. ``DJANGO_DEBUG``.
        expected: What a valid value looks like; never the value that was given.
        path: Where in the variable's JSON value the problem is (``port``,
            ``servers[0].host``), or empty when it concerns the whole value.
    """

    variable: str
    expected: str
    path: str = ""

    @property
    def label(self) -> str:
        """The variable, with the place in its JSON value when there is one."""
        return f"{self.variable} (at {self.path})" if self.path else self.variable


class SettingsError(ImproperlyConfigured):
    """Raised when the environment cannot produce valid settings.

    The message lists every offending variable by name. ``problems`` holds them for
    programmatic use. If one ends the process uncaught (``manage.py`` with a bad
    environment), it is printed without Django's traceback
    (:mod:`django_strict_core.conf.excepthook`).
    """

    def __init__(self, problems: Iterable[Problem], *, profile: str | None) -> None:
        """Build the message from the collected problems.

        Args:
            problems: Every invalid variable; duplicates (the same variable and
                place) are reported once.
            profile: The ``DJANGO_ENV`` profile in effect, when it was valid.
        """
        unique: dict[tuple[str, str], Problem] = {}
        for problem in problems:
            unique.setdefault((problem.variable, problem.path), problem)
        self.problems: tuple[Problem, ...] = tuple(unique.values())
        where = f" (DJANGO_ENV={profile})" if profile else ""
        count = len({p.variable for p in self.problems})
        lines = [
            f"Invalid environment{where}: {count} variable(s) to fix.",
            *(f"  - {p.label}: {p.expected}" for p in self.problems),
        ]
        super().__init__("\n".join(lines))
        excepthook.install()


# Pydantic's own messages for these error types quote the offending input or say
# more than needed; they are replaced by wording that describes only what is expected.
_VALUE_FREE_MESSAGES = {
    "missing": "is required",
    "missing_argument": "is required",
    "missing_keyword_only_argument": "is required",
    "missing_positional_only_argument": "is required",
    "string_type": "expected a string",
    "list_type": 'expected a JSON list, e.g. ["a", "b"]',
    "dict_type": "expected a mapping (a JSON object)",
    "json_invalid": "expected valid JSON",
    "int_parsing": "expected an integer",
    "float_parsing": "expected a number",
    "bool_parsing": "expected a boolean (true/false, 1/0, yes/no, on/off)",
    "uuid_parsing": "expected a UUID",
    "mapping_type": "expected a mapping",
    "iteration_error": "expected a list",
    "datetime_object_invalid": "expected a valid datetime",
    "no_such_attribute": "is not valid here",
    "get_attribute_error": "is not valid here",
}
# Types whose messages are built only from the field's schema (allowed values,
# bounds, lengths, patterns, class names); every other message, a validator's
# included, is checked for the input before it is shown.
_SCHEMA_WORDED = frozenset(
    {
        "literal_error",
        "enum",
        "greater_than",
        "greater_than_equal",
        "less_than",
        "less_than_equal",
        "multiple_of",
        "too_short",
        "too_long",
        "string_too_short",
        "string_too_long",
        "string_pattern_mismatch",
        "bytes_too_short",
        "bytes_too_long",
        "model_type",
        "dataclass_type",
        "dataclass_exact_type",
        "named_tuple_type",
        "is_instance_of",
        "is_subclass_of",
        "union_tag_not_found",
        "url_too_long",
        "url_scheme",
        "uuid_version",
        "decimal_max_digits",
        "decimal_max_places",
        "decimal_whole_digits",
    }
)
# An input this short found in a message is a coincidence, not an echo.
_MIN_ECHO_LENGTH = 3


def value_free_message(detail: ErrorDetails, *, trusted: bool = False) -> str:
    """Word one pydantic error without the value that caused it.

    Args:
        detail: One entry of ``ValidationError.errors()``, with its input.
        trusted: Whether a validator's message is the library's own, worded never
            to include the value (``expected a DRF rate such as 100/hour`` stays
            even for the input ``100``).

    Returns:
        What was expected. A message of pydantic's (or of a validator's) that
        contains the input is replaced by one naming only the error type.
    """
    kind = detail["type"]
    context: dict[str, Any] = dict(detail.get("ctx") or {})
    if kind in _VALUE_FREE_MESSAGES:
        return _VALUE_FREE_MESSAGES[kind]
    if kind == "union_tag_invalid":
        return (
            f"expected {context.get('discriminator', 'the tag')} to be one of "
            f"{context.get('expected_tags', 'the known tags')}"
        )
    if kind == "timezone_offset":
        return f"expected a timezone offset of {context.get('tz_expected')}"
    message = detail["msg"].removeprefix("Value error, ")
    value = detail.get("input")
    if kind in _SCHEMA_WORDED or (trusted and kind == "value_error"):
        return message
    if isinstance(value, (str, bytes, int, float)) and not isinstance(value, bool):
        text = (
            value.decode(errors="replace") if isinstance(value, bytes) else str(value)
        )
        text = text.strip()
        if len(text) >= _MIN_ECHO_LENGTH and text in message:
            return f"is not valid ({kind})"
    return message
