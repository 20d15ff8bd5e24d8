"""pydantic-settings' environment sources, made to report rather than stop.

``StrictSettings`` reads the environment, the ``.env`` file and ``<VARIABLE>_FILE``
files exactly as pydantic-settings' environment source does (prefix, aliases, case
sensitivity, the nested delimiter, JSON for complex fields). Two things differ, both
so that the one error names every bad variable:

- a variable whose JSON does not decode is recorded as a problem under its own name,
  instead of pydantic-settings' ``SettingsError`` naming only the field, and the
  other variables are still read;
- every source records itself for the construction in progress, so that a
  validation error can be traced back to the variable it came from
  (:mod:`django_strict_core.conf.naming`).
"""

from __future__ import annotations

import inspect
import types
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic_settings import DotEnvSettingsSource, EnvSettingsSource

from django_strict_core.conf.errors import Problem, SettingsError

if TYPE_CHECKING:
    from pydantic.fields import FieldInfo
    from pydantic_settings import PydanticBaseSettingsSource

_LIST_ORIGINS = (list, set, frozenset, tuple)
_JSON_LIST = 'expected a JSON list, e.g. ["a", "b"]'
_JSON_OBJECT = 'expected a JSON object, e.g. {"key": "value"}'
_JSON = "expected valid JSON"


@dataclass
class Construction:
    """What one ``StrictSettings`` construction collects besides pydantic's errors.

    Attributes:
        problems: Variables that could not be read or decoded.
        sources: The environment sources that were read, highest precedence first.
        data: The input pydantic validated, once validation started.
    """

    problems: list[Problem] = field(default_factory=list)
    sources: list[ReportingEnvSource] = field(default_factory=list)
    data: dict[str, Any] | None = None


construction: ContextVar[Construction | None] = ContextVar(
    "strict_core_construction", default=None
)


def report(problem: Problem) -> None:
    """Record a problem for the surrounding ``StrictSettings`` construction.

    Raises:
        SettingsError: When a source is used outside ``StrictSettings``, which
            would otherwise have no way to report the problem.
    """
    current = construction.get()
    if current is None:
        raise SettingsError([problem], profile=None)
    current.problems.append(problem)


class ReportingEnvSource(EnvSettingsSource):
    """pydantic-settings' environment source, reporting undecodable variables."""

    def display_name(self, variable: str) -> str:
        """Return a variable's name as the user sets it.

        Args:
            variable: The name as the source keys it (lower-case unless the
                settings are case-sensitive).

        Returns:
            The name, upper-case unless the settings are case-sensitive.
        """
        return variable if self.case_sensitive else variable.upper()

    def __call__(self) -> dict[str, Any]:
        """Read every field's value, recording this source for error messages.

        Returns:
            The values found, by field key.
        """
        current = construction.get()
        if current is not None:
            current.sources.append(self)
        return super().__call__()

    def prepare_field_value(
        self,
        field_name: str,
        field: FieldInfo,
        value: Any,
        value_is_complex: bool,  # noqa: FBT001 - pydantic-settings' signature
    ) -> Any:
        """Decode a field's value as pydantic-settings does, reporting bad JSON.

        Args:
            field_name: The field's name.
            field: The field.
            value: The value of the field's variable, if one is set.
            value_is_complex: Whether the value is JSON by the field's alias.

        Returns:
            The prepared value. A variable that does not decode is reported under
            its own name and left out; the field's other variables still count.
        """
        try:
            return super().prepare_field_value(
                field_name, field, value, value_is_complex
            )
        except ValueError:
            bad = self._undecodable(field_name, field, value)
        for variable, expected in bad:
            report(Problem(self.display_name(variable), expected))
        # The field's other variables are still read, so their problems show too.
        skipped = {variable for variable, _ in bad}
        names = [env for _, env, _ in self._extract_field_info(field, field_name)]
        if skipped.intersection(names):
            value = None
        everything = self.env_vars
        self.env_vars = {k: v for k, v in everything.items() if k not in skipped}
        try:
            return super().prepare_field_value(
                field_name, field, value, value_is_complex
            )
        except ValueError:  # a variable that only fails beside the skipped ones
            return None
        finally:
            self.env_vars = everything

    def _undecodable(
        self, field_name: str, field: FieldInfo, value: Any
    ) -> list[tuple[str, str]]:
        """Find which of a field's variables failed to decode, and what they need.

        Returns:
            The nested variables (``APP_DB__TAGS``) that do not decode on their
            own; when none of them fails, the field's own variable is at fault.
        """
        names = [env for _, env, _ in self._extract_field_info(field, field_name)]
        found: list[tuple[str, str]] = []
        delimiter = self.env_nested_delimiter
        if delimiter:
            prefixes = tuple(name + delimiter for name in names)
            for variable, content in self.env_vars.items():
                if not variable.startswith(prefixes):
                    continue
                try:
                    self.explode_env_vars(field_name, field, {variable: content})
                except ValueError:
                    prefix = next(p for p in prefixes if variable.startswith(p))
                    keys = variable[len(prefix) :].split(delimiter)
                    found.append((variable, self._nested_expectation(field, keys)))
        if found:
            return found
        top = next((n for n in names if self.env_vars.get(n) is not None), None)
        if value is None or top is None:
            top = names[0]
        return [(top, _json_expectation(field))]

    def _nested_expectation(self, field: FieldInfo, keys: list[str]) -> str:
        """Say what JSON the sub-field a nested variable sets must hold."""
        target: Any = field
        for key in keys:
            target = self.next_field(target, key, self.case_sensitive)
        return _json_expectation(target) if target is not None else _JSON


class ReportingDotEnvSource(ReportingEnvSource, DotEnvSettingsSource):
    """pydantic-settings' ``.env`` source, reporting undecodable variables."""


_REPORTING: dict[type[Any], type[ReportingEnvSource]] = {
    EnvSettingsSource: ReportingEnvSource,
    DotEnvSettingsSource: ReportingDotEnvSource,
}
# The options pydantic-settings' environment source takes, to build a sibling.
ENV_OPTIONS = tuple(
    name
    for name in inspect.signature(EnvSettingsSource.__init__).parameters
    if name not in {"self", "settings_cls"}
)


def reporting(source: PydanticBaseSettingsSource) -> PydanticBaseSettingsSource:
    """Return a reporting copy of pydantic-settings' env or ``.env`` source.

    The copy keeps the source's options and the variables it already read, and its
    original name for sources that look others up by name. Any other source is
    returned unchanged.

    Args:
        source: A source ``settings_customise_sources`` received.

    Returns:
        The reporting source, or ``source`` itself.
    """
    replacement = _REPORTING.get(type(source))
    if replacement is None:
        return source
    copy = replacement.__new__(replacement)
    copy.__dict__.update(vars(source), __name__=type(source).__name__)
    return copy


def env_options(source: PydanticBaseSettingsSource) -> dict[str, Any]:
    """Return the options an environment source was built with.

    Args:
        source: pydantic-settings' environment source (or any source; one that is
            not an environment source has no options).

    Returns:
        The keyword arguments that build an environment source reading the same
        way (prefix, case sensitivity, nested delimiter, ...).
    """
    if not isinstance(source, EnvSettingsSource):
        return {}
    return {
        name: getattr(source, name) for name in ENV_OPTIONS if hasattr(source, name)
    }


def _json_expectation(field: FieldInfo | Any) -> str:
    """Say what JSON a complex field's variable must hold (a field or a type)."""
    annotation = _unwrap(getattr(field, "annotation", field))
    origin = get_origin(annotation) or annotation
    if isinstance(origin, type):
        if issubclass(origin, _LIST_ORIGINS):
            return _JSON_LIST
        if issubclass(origin, (dict, BaseModel)) or hasattr(
            origin, "__dataclass_fields__"
        ):
            return _JSON_OBJECT
    return _JSON


def _unwrap(annotation: Any) -> Any:
    """Strip ``Annotated`` and ``Optional`` from a type."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
            continue
        members = [a for a in get_args(annotation) if a is not type(None)]
        if _is_union(origin) and len(members) == 1:
            annotation = members[0]
            continue
        return annotation


def _is_union(origin: Any) -> bool:
    """Whether a type origin is ``Union`` (``X | Y`` included)."""
    return origin is Union or origin is types.UnionType
