"""``<VARIABLE>_FILE`` support: read a setting from a file named by the environment.

Docker and Kubernetes secrets are mounted as files. When ``<VARIABLE>`` itself is not
set and ``<VARIABLE>_FILE`` is, the file's content (without its trailing newline)
becomes the value of ``<VARIABLE>``, and is then read exactly as pydantic-settings'
environment source reads the variable: JSON for list, dict and model fields (unless
annotated ``NoDecode``), ``env_parse_none_str``, ``env_ignore_empty``, and nested
variables such as ``APP_DB__PASSWORD_FILE`` when ``env_nested_delimiter`` is set.
Only names the environment source would read are considered, so an unrelated
``SSL_CERT_FILE`` is never opened.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic_settings import EnvSettingsSource

from django_strict_core.conf.errors import Problem
from django_strict_core.conf.sources import ReportingEnvSource, env_options, report

try:
    from pydantic_settings.sources.utils import parse_env_vars
except ImportError:  # pragma: no cover - pydantic-settings < 2.8 had one module
    from pydantic_settings.sources import (  # type: ignore[attr-defined,no-redef]
        parse_env_vars,
    )

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

FILE_SUFFIX = "_FILE"


class FileVariableSource(ReportingEnvSource):
    """The environment source over ``<VARIABLE>_FILE`` files instead of variables.

    Attributes:
        file_variables: For each variable read from a file, the ``_FILE`` variable
            that named the file, as it is spelled in the environment.
        taken: The ``_FILE`` variables read as file names (normalised), readable
            or not; the environment source must not read them as values too.
    """

    def __init__(self, settings_cls: type[BaseSettings], **options: Any) -> None:
        """Read the files of the ``_FILE`` variables that apply to the settings.

        Args:
            settings_cls: The settings class being built.
            **options: The environment source's options (``env_prefix``,
                ``case_sensitive``, ``env_nested_delimiter``, ...); by default
                those of ``settings_cls``.
        """
        self.file_variables: dict[str, str] = {}
        self.taken: set[str] = set()
        super().__init__(settings_cls, **options)

    @classmethod
    def beside(
        cls, settings_cls: type[BaseSettings], env_source: PydanticBaseSettingsSource
    ) -> FileVariableSource:
        """Build the source with the options of pydantic-settings' env source.

        Args:
            settings_cls: The settings class being built.
            env_source: The environment source ``settings_customise_sources``
                received, which carries options passed at construction
                (``Settings(_env_prefix=...)``).

        Returns:
            A source that reads files the way ``env_source`` reads variables.
        """
        return cls(settings_cls, **env_options(env_source))

    def hide_from(
        self, source: PydanticBaseSettingsSource
    ) -> PydanticBaseSettingsSource:
        """Keep the environment source from reading ``_FILE`` variables as values.

        Without it, ``APP_LABELS__TEAM_FILE`` would also give a dict field
        ``labels`` a key ``team_file`` holding the file's path.

        Args:
            source: The environment source read beside this one.

        Returns:
            ``source``, its variables without those this source took.
        """
        if isinstance(source, EnvSettingsSource) and self.taken:
            source.env_vars = {
                k: v for k, v in source.env_vars.items() if k not in self.taken
            }
        return source

    def display_name(self, variable: str) -> str:
        """Name the ``_FILE`` variable a value came from.

        Args:
            variable: The variable as the source keys it.

        Returns:
            The ``_FILE`` variable that named the file, or ``<VARIABLE>_FILE``.
        """
        return super().display_name(
            self.file_variables.get(variable, variable + FILE_SUFFIX)
        )

    def _load_env_vars(self) -> Mapping[str, str | None]:
        """Map each applicable ``<VARIABLE>_FILE`` to ``<VARIABLE>``: its file's content.

        Returns:
            The file contents by variable, normalised like environment variables.
        """
        direct = super()._load_env_vars()
        wanted = self._wanted()
        contents: dict[str, str] = {}
        for name, path in os.environ.items():
            suffix = name[-len(FILE_SUFFIX) :]
            matches = suffix == FILE_SUFFIX or (
                not self.case_sensitive and suffix.upper() == FILE_SUFFIX
            )
            if not matches or len(name) == len(FILE_SUFFIX):
                continue
            target = name[: -len(FILE_SUFFIX)]
            key = target if self.case_sensitive else target.lower()
            if key in direct or not wanted(key):
                continue  # the plain variable wins, or nothing reads this one
            self.taken.add(name if self.case_sensitive else name.lower())
            try:
                content = Path(path).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                expected = f"expected a readable file ({_reason(exc)})"
                report(Problem(super().display_name(name), expected))
                continue
            contents[key] = content.rstrip("\r\n")
            self.file_variables[key] = name
        parsed: Mapping[str, str | None] = parse_env_vars(
            contents,
            case_sensitive=True,  # the names are normalised already
            ignore_empty=self.env_ignore_empty,
            parse_none_str=self.env_parse_none_str,
        )
        return parsed

    def _wanted(self) -> Callable[[str], bool]:
        """Return a test of whether the environment source would read a variable."""
        names: set[str] = set()
        for field_name, field in self.settings_cls.model_fields.items():
            names.update(
                env for _, env, _ in self._extract_field_info(field, field_name)
            )
        delimiter = self.env_nested_delimiter
        prefixes = tuple(name + delimiter for name in names) if delimiter else ()

        def wanted(variable: str) -> bool:
            return variable in names or bool(prefixes and variable.startswith(prefixes))

        return wanted


def _reason(exc: OSError | UnicodeDecodeError) -> str:
    """Say why a file could not be read, without its content."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return "not UTF-8 text"
