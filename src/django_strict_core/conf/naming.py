"""Which environment variable a validation error is about.

pydantic reports an error at a place in the data it validated, e.g. ``("db", "port")``.
The user set a variable: ``APP_DB__PORT``, ``APP_DB`` holding JSON, or
``APP_DB__PORT_FILE``. This module finds it, the way pydantic-settings' environment
source turns variables into data: ``env_prefix`` (and ``env_prefix_target``),
aliases (``validation_alias``, ``AliasChoices``, ``AliasPath``), case sensitivity
and ``env_nested_delimiter``. A value that nothing set (a required variable) is
named by the variable that would supply it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pydantic import AliasChoices, AliasPath, ValidationError

from django_strict_core.conf.errors import Problem, value_free_message
from django_strict_core.conf.files import FILE_SUFFIX
from django_strict_core.conf.sources import ReportingEnvSource

if TYPE_CHECKING:
    from collections.abc import Iterable

    from pydantic.fields import FieldInfo
    from pydantic_settings import BaseSettings, SettingsError as SourceError

    from django_strict_core.conf.sources import Construction

Location = tuple[str | int, ...]
_ABSENT = object()
# pydantic-settings' own SettingsError: 'error parsing value for field "db" from
# source "EnvSettingsSource"'. Its message holds no value.
_SOURCE_ERROR = re.compile(r'error (?P<action>\w+) value for field "(?P<field>[^"]+)"')


def problems_from(
    error: ValidationError,
    settings_cls: type[BaseSettings],
    sources: Sequence[ReportingEnvSource],
    data: Mapping[str, Any] | None,
    own_fields: Mapping[str, FieldInfo] | None = None,
) -> list[Problem]:
    """Translate a pydantic ``ValidationError`` into value-free problems.

    Args:
        error: The error pydantic raised while validating the settings.
        settings_cls: The settings class.
        sources: The environment sources that were read, highest precedence
            first (at least one).
        data: The input pydantic validated, when known.
        own_fields: The library's own fields, whose validators' messages are
            trusted not to include the value.

    Returns:
        One problem per error, in pydantic's order, each under the variable the
        user sets.
    """
    namer = _Namer(settings_cls, sources, data or {})
    own = own_fields or {}
    problems = []
    for detail in error.errors(include_url=False):
        loc = tuple(detail["loc"])
        variable, path = namer.locate(loc, missing=detail["type"].startswith("missing"))
        found = namer.field(loc[0]) if loc else None
        trusted = (
            found is not None
            and found[0] in own
            and found[1].validation_alias == own[found[0]].validation_alias
        )
        message = value_free_message(detail, trusted=trusted)
        problems.append(Problem(variable, message, path))
    return problems


def problems_for(
    error: ValidationError | SourceError,
    settings_cls: type[BaseSettings],
    collected: Construction,
    own_fields: Mapping[str, FieldInfo] | None = None,
) -> list[Problem] | None:
    """Return every problem of a failed construction, each under its variable.

    Args:
        error: pydantic's ``ValidationError``, or pydantic-settings' own
            ``SettingsError`` from a source that is not one of the reporting ones
            (a project that replaced ``settings_customise_sources``).
        settings_cls: The settings class.
        collected: What the construction collected: unreadable and undecodable
            variables, the sources read and the input validated.
        own_fields: The library's own fields (see :func:`problems_from`).

    Returns:
        The problems: those collected first, then pydantic's that they do not
        already explain. ``None`` for a pydantic-settings error about no field
        (a missing ``secrets_dir``), which is the code's to fix and says so.
    """
    sources = sources_for(settings_cls, collected.sources)
    if isinstance(error, ValidationError):
        found = problems_from(error, settings_cls, sources, collected.data, own_fields)
    else:
        match = _SOURCE_ERROR.search(str(error))
        if match is None:
            return None
        variable, _ = _Namer(settings_cls, sources, {}).locate(
            (match["field"],), missing=False
        )
        expected = (
            "expected valid JSON"
            if match["action"] == "parsing"
            else "could not be read by a settings source"
        )
        found = [Problem(variable, expected)]
    return [*collected.problems, *unexplained(found, collected.problems, sources)]


class _Namer:
    def __init__(
        self,
        settings_cls: type[BaseSettings],
        sources: Sequence[ReportingEnvSource],
        data: Mapping[str, Any],
    ) -> None:
        self.fields = settings_cls.model_fields
        self.sources = sources
        self.primary = sources[0]
        self.data = data

    def locate(self, loc: Location, *, missing: bool) -> tuple[str, str]:
        """Return the variable an error at ``loc`` is about, and the JSON path in it."""
        if not loc:
            return "settings", ""
        head, rest = loc[0], loc[1:]
        found = self.field(head)
        if found is None:  # an extra input, e.g. from .env with extra="forbid"
            return self.primary.display_name(str(head)), _format(rest)
        field_name, field = found
        infos = self.primary._extract_field_info(field, field_name)
        names = [env for _, env, _ in infos]
        path = _data_path(self.data.get(str(head), _ABSENT), rest, missing=missing)
        by_path = _alias_path_head(field, head)
        if path and not by_path:
            nested = self._nested(names, path)
            if nested is not None:
                return nested
        for source in self.sources:
            for name in names:
                if source.env_vars.get(name) is not None:
                    return source.display_name(name), _format(path)
        preferred = next((env for key, env, _ in infos if key == head), names[0])
        delimiter = self.primary.env_nested_delimiter
        if path and delimiter and not by_path and all(isinstance(p, str) for p in path):
            segments = [self._case(str(p)) for p in path]
            variable = delimiter.join([preferred, *segments])
            return self.primary.display_name(variable), ""
        return self.primary.display_name(preferred), _format(path)

    def field(self, key: str | int) -> tuple[str, FieldInfo] | None:
        """Return the field (name and info) whose value is under ``key``."""
        for name, field in self.fields.items():
            if key == name or key in _keys(field):
                return name, field
        return None

    def _nested(self, names: list[str], path: Location) -> tuple[str, str] | None:
        """Find the nested variable (``APP_DB__PORT``) that set the value at ``path``.

        The deepest one wins (``APP_DB__SUB__PORT`` over ``APP_DB__SUB``), then the
        source of highest precedence.
        """
        best: tuple[int, str, str] | None = None
        for source in self.sources:
            delimiter = source.env_nested_delimiter
            if not delimiter:
                continue
            maxsplit = getattr(source, "maxsplit", -1)
            for variable, value in source.env_vars.items():
                if value is None:
                    continue
                for name in names:
                    prefix = name + delimiter
                    if not variable.startswith(prefix):
                        continue
                    segments = variable[len(prefix) :].split(delimiter, maxsplit)
                    depth = len(segments)
                    if depth > len(path) or (best is not None and depth <= best[0]):
                        continue
                    if all(
                        self._case(seg) == self._case(str(p))
                        for seg, p in zip(segments, path, strict=False)
                    ):
                        best = (
                            depth,
                            source.display_name(variable),
                            _format(path[depth:]),
                        )
        return None if best is None else (best[1], best[2])

    def _case(self, text: str) -> str:
        return text if self.primary.case_sensitive else text.lower()


def _keys(field: FieldInfo) -> set[str | int]:
    """The keys under which a field's value can appear in the validated data."""
    keys: set[str | int] = set()
    if field.alias:
        keys.add(field.alias)
    alias = field.validation_alias
    choices = alias.choices if isinstance(alias, AliasChoices) else [alias]
    for choice in choices:
        if isinstance(choice, str):
            keys.add(choice)
        elif isinstance(choice, AliasPath) and choice.path:
            keys.add(choice.path[0])
    return keys


def _alias_path_head(field: FieldInfo, key: str | int) -> bool:
    """Whether ``key`` heads an ``AliasPath`` into the JSON of one variable."""
    alias = field.validation_alias
    choices = alias.choices if isinstance(alias, AliasChoices) else [alias]
    return any(
        isinstance(choice, AliasPath) and len(choice.path) > 1 and choice.path[0] == key
        for choice in choices
    )


def _data_path(node: Any, rest: Location, *, missing: bool) -> Location:
    """Keep the parts of a location that are keys or indexes of the data.

    pydantic adds parts of its own, e.g. the union member tried (``int``,
    ``list[str]``) or the tag of a discriminated union; they are not places in
    the value the user set. A missing key is the last part of its location.
    """
    path: list[str | int] = []
    for index, part in enumerate(rest):
        child = _child(node, part)
        if child is not _ABSENT:
            node = child
            path.append(part)
        elif missing and index == len(rest) - 1:
            path.append(part)
    return tuple(path)


def _child(node: Any, part: str | int) -> Any:
    """Return ``node[part]`` for a mapping key or a list index, else ``_ABSENT``."""
    if isinstance(node, Mapping):
        return node.get(part, _ABSENT)
    if (
        isinstance(node, Sequence)
        and not isinstance(node, (str, bytes))
        and isinstance(part, int)
        and -len(node) <= part < len(node)
    ):
        return node[part]
    return _ABSENT


def _format(path: Location) -> str:
    """Write a path into a JSON value: ``servers[0].host``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


def sources_for(
    settings_cls: type[BaseSettings], recorded: Sequence[ReportingEnvSource]
) -> Sequence[ReportingEnvSource]:
    """Return the sources to name variables by: those read, else the class's own.

    A project that replaces ``settings_customise_sources`` without the reporting
    sources still has its errors named by its settings' configuration.
    """
    return recorded or [ReportingEnvSource(settings_cls)]


def unexplained(
    problems: Iterable[Problem],
    recorded: Iterable[Problem],
    sources: Sequence[ReportingEnvSource],
) -> list[Problem]:
    """Drop the problems that follow from a variable already reported.

    A variable whose file is unreadable or whose JSON does not decode supplies no
    value; the field then reads as missing, which says nothing new.
    """
    reported = {p.variable.removesuffix(FILE_SUFFIX) for p in recorded}
    delimiter = sources[0].env_nested_delimiter if sources else None
    if not reported:
        return list(problems)

    def follows(problem: Problem) -> bool:
        variable = problem.variable.removesuffix(FILE_SUFFIX)
        return variable in reported or bool(
            delimiter and any(r.startswith(variable + delimiter) for r in reported)
        )

    return [p for p in problems if not follows(p)]
