"""The reporting sources: a variable whose JSON does not decode is one more problem."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import pytest
from pydantic import BaseModel, Field
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    InitSettingsSource,
    SettingsConfigDict,
)

from django_strict_core.conf import SettingsError, StrictSettings
from django_strict_core.conf.files import FileVariableSource
from django_strict_core.conf.sources import ReportingEnvSource, reporting

if TYPE_CHECKING:
    from pathlib import Path


class Database(BaseModel):
    name: str
    port: int
    tags: list[str] = []


class AppSettings(StrictSettings):
    model_config = SettingsConfigDict(env_prefix="APP_", env_nested_delimiter="__")

    db: Database
    origins: list[str] = Field(default_factory=list)
    limit: int = 10


def problems_of(settings_cls: type[StrictSettings]) -> list[str]:
    """Construct settings expecting failure; return the problems the error lists."""
    with pytest.raises(SettingsError) as caught:
        settings_cls()
    return [line.removeprefix("  - ") for line in str(caught.value).splitlines()[1:]]


def test_undecodable_variable_is_named_and_the_others_still_checked(
    clean_environ: pytest.MonkeyPatch,
) -> None:
    clean_environ.setenv("APP_DB", '{"name": "app", "port": 5432}')
    clean_environ.setenv("APP_ORIGINS", "a.example,b.example")
    clean_environ.setenv("APP_LIMIT", "many")

    assert problems_of(AppSettings) == [
        'APP_ORIGINS: expected a JSON list, e.g. ["a", "b"]',
        "APP_LIMIT: expected an integer",
    ]


def test_optional_annotated_list_still_says_a_list_is_expected(
    clean_environ: pytest.MonkeyPatch,
) -> None:
    class Optional(StrictSettings):
        ports: Annotated[list[int] | None, Field(min_length=1)] = None

    clean_environ.setenv("PORTS", "80,443")

    assert problems_of(Optional) == ['PORTS: expected a JSON list, e.g. ["a", "b"]']


def test_undecodable_json_object_says_an_object_is_expected(
    clean_environ: pytest.MonkeyPatch,
) -> None:
    clean_environ.setenv("APP_DB", "name=app")

    assert problems_of(AppSettings) == [
        'APP_DB: expected a JSON object, e.g. {"key": "value"}'
    ]


def test_undecodable_nested_variable_leaves_its_siblings_read(
    clean_environ: pytest.MonkeyPatch,
) -> None:
    clean_environ.setenv("APP_DB__TAGS", "a,b")
    clean_environ.setenv("APP_DB__PORT", "x")

    assert problems_of(AppSettings) == [
        'APP_DB__TAGS: expected a JSON list, e.g. ["a", "b"]',
        "APP_DB__NAME: is required",
        "APP_DB__PORT: expected an integer",
    ]


def test_undecodable_dotenv_variable_is_named(
    clean_environ: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text(
        'APP_DB={"name": "app", "port": 1}\nAPP_ORIGINS=a.example\n'
    )

    assert problems_of(AppSettings) == [
        'APP_ORIGINS: expected a JSON list, e.g. ["a", "b"]'
    ]


def test_reporting_copy_keeps_options_and_name(
    clean_environ: pytest.MonkeyPatch,
) -> None:
    source = EnvSettingsSource(AppSettings, env_prefix="OTHER_")

    copy = reporting(source)

    assert isinstance(copy, ReportingEnvSource)
    assert copy is not source
    assert copy.env_prefix == "OTHER_"
    assert copy.__name__ == "EnvSettingsSource"  # type: ignore[attr-defined]


def test_other_sources_are_not_replaced() -> None:
    source = InitSettingsSource(AppSettings, init_kwargs={})

    assert reporting(source) is source


def test_problem_outside_strict_settings_is_raised_at_once(
    clean_environ: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    class Plain(BaseSettings):
        token: str = "none"

    clean_environ.setenv("TOKEN_FILE", str(tmp_path / "missing"))

    with pytest.raises(SettingsError, match="TOKEN_FILE: expected a readable file"):
        FileVariableSource(Plain)
