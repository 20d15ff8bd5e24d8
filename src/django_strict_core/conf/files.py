"""``<VARIABLE>_FILE`` support: read a setting from a file named by the environment.

Docker and Kubernetes secrets are mounted as files. For every settings field, when
``<VARIABLE>`` itself is not set and ``<VARIABLE>_FILE`` is, the file's content
(without its trailing newline) becomes the value.
"""

from __future__ import annotations

import os
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic_settings import PydanticBaseSettingsSource

from django_strict_core.conf.errors import Problem, SettingsError, env_name

if TYPE_CHECKING:
    from pydantic.fields import FieldInfo

FILE_SUFFIX = "_FILE"

# Problems found while reading files, collected for the one error that
# ``StrictSettings`` raises once validation has run as well.
file_problems: ContextVar[list[Problem] | None] = ContextVar(
    "strict_core_file_problems", default=None
)


class FileVariableSource(PydanticBaseSettingsSource):
    """A settings source that reads ``<VARIABLE>_FILE`` paths from the environment."""

    def get_field_value(
        self, field: FieldInfo, field_name: str
    ) -> tuple[Any, str, bool]:
        """Read one field's value from the file its ``_FILE`` variable names.

        Returns:
            The file content (or ``None`` when no file applies), the key under which
            the value is reported, and ``False`` as values are never complex.
        """
        variable = env_name(self.settings_cls, field_name)
        key = (
            field.validation_alias
            if isinstance(field.validation_alias, str)
            else field_name
        )
        if _lookup(variable) is not None:
            return None, key, False
        path = _lookup(variable + FILE_SUFFIX)
        if path is None:
            return None, key, False
        try:
            content = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = (
                exc.strerror
                if isinstance(exc, OSError) and exc.strerror
                else "not UTF-8 text"
            )
            _report(Problem(variable + FILE_SUFFIX, f"a readable file ({reason})"))
            return None, key, False
        return content.rstrip("\r\n"), key, False

    def __call__(self) -> dict[str, Any]:
        """Collect the values of every field that has a readable ``_FILE`` variable.

        Returns:
            A mapping of field keys to file contents.
        """
        values: dict[str, Any] = {}
        for field_name, field in self.settings_cls.model_fields.items():
            value, key, _ = self.get_field_value(field, field_name)
            if value is not None:
                values[key] = value
        return values


def _lookup(variable: str) -> str | None:
    """Return an environment variable's value, matching its name case-insensitively."""
    value = os.environ.get(variable)
    if value is not None:
        return value
    lowered = variable.lower()
    return next((v for k, v in os.environ.items() if k.lower() == lowered), None)


def _report(problem: Problem) -> None:
    """Record a problem for the surrounding ``StrictSettings`` construction.

    Raises:
        SettingsError: When the source is used outside ``StrictSettings``, which
            would otherwise have no way to report the problem.
    """
    problems = file_problems.get()
    if problems is None:
        raise SettingsError([problem], profile=None)
    problems.append(problem)
