"""The one error raised for an invalid environment, and how it is worded.

Every problem is reported under the name of the environment variable that caused it,
with what was expected. Values are never included: any of them may be a secret.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured

from django_strict_core.conf import excepthook

if TYPE_CHECKING:
    from collections.abc import Iterable

    from pydantic import ValidationError
    from pydantic_settings import BaseSettings


@dataclass(frozen=True)
class Problem:
    """One invalid environment variable.

    Attributes:
        variable: The environment variable's name, e.g. ``DJANGO_DEBUG``.
        expected: What a valid value looks like; never the value that was given.
    """

    variable: str
    expected: str


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
            problems: Every invalid variable; duplicates are reported once.
            profile: The ``DJANGO_ENV`` profile in effect, when it was valid.
        """
        unique: dict[str, Problem] = {}
        for problem in problems:
            unique.setdefault(problem.variable, problem)
        self.problems: tuple[Problem, ...] = tuple(unique.values())
        where = f" (DJANGO_ENV={profile})" if profile else ""
        lines = [
            f"Invalid environment{where}: {len(self.problems)} variable(s) to fix.",
            *(f"  - {p.variable}: {p.expected}" for p in self.problems),
        ]
        super().__init__("\n".join(lines))
        excepthook.install()


# Pydantic's own messages for these error types quote the offending input; they are
# replaced by wording that describes only what is expected.
_VALUE_FREE_MESSAGES = {
    "missing": "is required",
    "string_type": "expected a string",
    "list_type": "expected a comma-separated or JSON list",
    "json_invalid": "expected valid JSON",
    "int_parsing": "expected an integer",
    "float_parsing": "expected a number",
    "bool_parsing": "expected a boolean (true/false, 1/0, yes/no, on/off)",
}


def env_name(settings_cls: type[BaseSettings], field_name: str) -> str:
    """Return the environment variable that feeds ``field_name``.

    Args:
        settings_cls: The settings class the field belongs to.
        field_name: A field name or its validation alias.

    Returns:
        The upper-case variable name: the field's string validation alias when it
        has one, otherwise the configured prefix plus the field name.
    """
    field = settings_cls.model_fields.get(field_name)
    if field is None:
        return field_name.upper()
    if isinstance(field.validation_alias, str):
        return field.validation_alias.upper()
    prefix = str(settings_cls.model_config.get("env_prefix", ""))
    return f"{prefix}{field_name}".upper()


def problems_from(
    error: ValidationError, settings_cls: type[BaseSettings]
) -> list[Problem]:
    """Translate a pydantic ``ValidationError`` into value-free problems.

    Args:
        error: The error pydantic raised while validating the settings.
        settings_cls: The settings class, used to name the variables.

    Returns:
        One problem per error, in pydantic's order.
    """
    problems = []
    for detail in error.errors(include_input=False, include_url=False):
        location = detail["loc"]
        variable = env_name(settings_cls, str(location[0])) if location else "settings"
        message = _VALUE_FREE_MESSAGES.get(detail["type"], detail["msg"])
        message = message.removeprefix("Value error, ")
        problems.append(Problem(variable=variable, expected=message))
    return problems
