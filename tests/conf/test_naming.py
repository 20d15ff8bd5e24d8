"""Errors in a project's own fields are named by the variable the user sets."""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Annotated, Literal

import pytest
from pydantic import (
    AliasChoices,
    AliasPath,
    BaseModel,
    Field,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    EnvSettingsSource,
    SettingsConfigDict,
    SettingsError as SourceError,
)

from django_strict_core.conf import SettingsError, StrictSettings

if TYPE_CHECKING:
    from pathlib import Path

    from pydantic_settings import BaseSettings, PydanticBaseSettingsSource


class Database(BaseModel):
    name: str
    port: int


class Cluster(BaseModel):
    primary: Database
    replicas: list[Database] = Field(default_factory=list)


class Smtp(BaseModel):
    kind: Literal["smtp"]
    port: int


class Console(BaseModel):
    kind: Literal["console"]


class AppSettings(StrictSettings):
    model_config = SettingsConfigDict(env_prefix="APP_", env_nested_delimiter="__")

    db: Database
    cluster: Cluster | None = None


class JsonOnly(StrictSettings):
    """Nested models without a nested delimiter: one JSON variable each."""

    model_config = SettingsConfigDict(env_prefix="APP_")

    db: Database


def problems_of(settings_cls: type[StrictSettings], **values: object) -> list[str]:
    """Construct settings expecting failure; return the problems the error lists."""
    with pytest.raises(SettingsError) as caught:
        settings_cls(**values)
    return [line.removeprefix("  - ") for line in str(caught.value).splitlines()[1:]]


class TestNestedVariables:
    def test_each_nested_variable_is_named(
        self, clean_environ: pytest.MonkeyPatch
    ) -> None:
        clean_environ.setenv("APP_DB__PORT", "notanint")

        assert problems_of(AppSettings) == [
            "APP_DB__NAME: is required",
            "APP_DB__PORT: expected an integer",
        ]

    def test_deeper_models_name_the_whole_path(
        self, clean_environ: pytest.MonkeyPatch
    ) -> None:
        clean_environ.setenv("APP_DB", '{"name": "app", "port": 5432}')
        clean_environ.setenv("APP_CLUSTER__PRIMARY__PORT", "x")

        assert problems_of(AppSettings) == [
            "APP_CLUSTER__PRIMARY__NAME: is required",
            "APP_CLUSTER__PRIMARY__PORT: expected an integer",
        ]

    def test_error_inside_a_nested_json_variable_points_into_it(
        self, clean_environ: pytest.MonkeyPatch
    ) -> None:
        clean_environ.setenv("APP_DB", '{"name": "app", "port": 5432}')
        clean_environ.setenv("APP_CLUSTER__PRIMARY", '{"name": "primary", "port": "x"}')

        assert problems_of(AppSettings) == [
            "APP_CLUSTER__PRIMARY (at port): expected an integer"
        ]

    def test_list_items_are_pointed_at_by_index(
        self, clean_environ: pytest.MonkeyPatch
    ) -> None:
        clean_environ.setenv("APP_DB", '{"name": "app", "port": 5432}')
        clean_environ.setenv(
            "APP_CLUSTER",
            '{"primary": {"name": "a", "port": 1},'
            ' "replicas": [{"name": "b", "port": 2}, {"name": "c"}]}',
        )

        assert problems_of(AppSettings) == [
            "APP_CLUSTER (at replicas[1].port): is required"
        ]

    def test_nested_variable_from_dotenv_is_named(
        self, clean_environ: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        (tmp_path / ".env").write_text("APP_DB__NAME=app\nAPP_DB__PORT=x\n")

        assert problems_of(AppSettings) == ["APP_DB__PORT: expected an integer"]


class TestJsonVariables:
    def test_error_inside_json_points_into_it(
        self, clean_environ: pytest.MonkeyPatch
    ) -> None:
        clean_environ.setenv("APP_DB", '{"name": "app", "port": "x"}')

        assert problems_of(JsonOnly) == ["APP_DB (at port): expected an integer"]

    def test_missing_key_without_a_delimiter_is_asked_of_the_json(
        self, clean_environ: pytest.MonkeyPatch
    ) -> None:
        clean_environ.setenv("APP_DB", '{"port": 5432}')

        assert problems_of(JsonOnly) == ["APP_DB (at name): is required"]

    def test_two_errors_in_one_variable_are_both_listed(
        self, clean_environ: pytest.MonkeyPatch
    ) -> None:
        clean_environ.setenv("APP_DB", '{"port": "x"}')

        with pytest.raises(SettingsError) as caught:
            JsonOnly()

        assert str(caught.value).splitlines() == [
            "Invalid environment (DJANGO_ENV=local): 1 variable(s) to fix.",
            "  - APP_DB (at name): is required",
            "  - APP_DB (at port): expected an integer",
        ]


class TestUnions:
    def test_union_members_are_not_part_of_the_name(
        self, clean_environ: pytest.MonkeyPatch
    ) -> None:
        class Either(StrictSettings):
            model_config = SettingsConfigDict(env_prefix="APP_")

            workers: int | list[int] = 1

        clean_environ.setenv("APP_WORKERS", "many")

        assert problems_of(Either) == ["APP_WORKERS: expected an integer"]

    def test_discriminated_union_tag_is_not_part_of_the_path(
        self, clean_environ: pytest.MonkeyPatch
    ) -> None:
        class Mail(StrictSettings):
            model_config = SettingsConfigDict(env_prefix="APP_")

            mailer: Annotated[Smtp | Console, Field(discriminator="kind")] = Console(
                kind="console"
            )

        clean_environ.setenv("APP_MAILER", '{"kind": "smtp", "port": "x"}')

        assert problems_of(Mail) == ["APP_MAILER (at port): expected an integer"]


class TestAliases:
    def test_validation_alias_is_the_variable(
        self, clean_environ: pytest.MonkeyPatch
    ) -> None:
        class Aliased(StrictSettings):
            model_config = SettingsConfigDict(env_prefix="APP_")

            limit: int = Field(10, validation_alias="EXPORT_LIMIT")

        clean_environ.setenv("EXPORT_LIMIT", "many")

        assert problems_of(Aliased) == ["EXPORT_LIMIT: expected an integer"]

    def test_alias_choices_name_the_choice_that_was_set(
        self, clean_environ: pytest.MonkeyPatch
    ) -> None:
        class Choices(StrictSettings):
            limit: int = Field(
                10, validation_alias=AliasChoices("EXPORT_LIMIT", "LEGACY_LIMIT")
            )

        clean_environ.setenv("LEGACY_LIMIT", "many")

        assert problems_of(Choices) == ["LEGACY_LIMIT: expected an integer"]

    def test_missing_alias_choices_name_the_first(
        self, clean_environ: pytest.MonkeyPatch
    ) -> None:
        class Choices(StrictSettings):
            limit: int = Field(
                validation_alias=AliasChoices("EXPORT_LIMIT", "LEGACY_LIMIT")
            )

        assert problems_of(Choices) == ["EXPORT_LIMIT: is required"]

    def test_alias_path_points_into_its_variable(
        self, clean_environ: pytest.MonkeyPatch
    ) -> None:
        class Pathed(StrictSettings):
            port: int = Field(0, validation_alias=AliasPath("LISTEN", 1))

        clean_environ.setenv("LISTEN", '["0.0.0.0", "http"]')

        assert problems_of(Pathed) == ["LISTEN (at [1]): expected an integer"]

    def test_alias_of_a_sub_field_names_the_nested_variable(
        self, clean_environ: pytest.MonkeyPatch
    ) -> None:
        class Credentials(BaseModel):
            user: str = Field(alias="login")

        class Aliased(StrictSettings):
            model_config = SettingsConfigDict(
                env_prefix="APP_", env_nested_delimiter="__"
            )

            credentials: Credentials

        clean_environ.setenv("APP_CREDENTIALS__USER", "ignored: the alias counts")

        assert problems_of(Aliased) == ["APP_CREDENTIALS__LOGIN: is required"]

    @pytest.mark.skipif(
        "env_prefix_target"
        not in inspect.signature(EnvSettingsSource.__init__).parameters,
        reason="env_prefix_target needs a newer pydantic-settings",
    )
    def test_prefix_applies_to_aliases_with_env_prefix_target(
        self, clean_environ: pytest.MonkeyPatch
    ) -> None:
        class Prefixed(StrictSettings):
            model_config = SettingsConfigDict(
                env_prefix="APP_",
                env_prefix_target="all",  # type: ignore[typeddict-unknown-key]
            )

            limit: int = Field(validation_alias="LIMIT")

        assert problems_of(Prefixed) == ["APP_LIMIT: is required"]


class TestCaseAndPrefix:
    def test_case_sensitive_names_are_kept_exactly(
        self, clean_environ: pytest.MonkeyPatch
    ) -> None:
        class Credentials(BaseModel):
            user: str = Field(alias="loginName")

        class Exact(StrictSettings):
            model_config = SettingsConfigDict(
                case_sensitive=True, env_nested_delimiter="__"
            )

            credentials: Credentials

        clean_environ.setenv("credentials__loginname", "wrong case")

        assert problems_of(Exact) == ["credentials__loginName: is required"]

    def test_prefix_given_at_construction_names_the_variables(
        self, clean_environ: pytest.MonkeyPatch
    ) -> None:
        class Plain(StrictSettings):
            limit: int

        clean_environ.setenv("OTHER_LIMIT", "many")

        assert problems_of(Plain, _env_prefix="OTHER_") == [
            "OTHER_LIMIT: expected an integer"
        ]

    def test_custom_sources_still_get_variable_names(
        self, clean_environ: pytest.MonkeyPatch
    ) -> None:
        class OwnSources(StrictSettings):
            model_config = SettingsConfigDict(env_prefix="APP_")

            origins: list[str]

            @classmethod
            def settings_customise_sources(
                cls,
                settings_cls: type[BaseSettings],  # noqa: ARG003
                init_settings: PydanticBaseSettingsSource,
                env_settings: PydanticBaseSettingsSource,
                dotenv_settings: PydanticBaseSettingsSource,  # noqa: ARG003
                file_secret_settings: PydanticBaseSettingsSource,  # noqa: ARG003
            ) -> tuple[PydanticBaseSettingsSource, ...]:
                return (init_settings, env_settings)

        clean_environ.setenv("APP_ORIGINS", "a.example,b.example")

        assert problems_of(OwnSources) == ["APP_ORIGINS: expected valid JSON"]

    def test_source_misconfigured_in_code_keeps_its_own_error(
        self, clean_environ: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        not_a_directory = tmp_path / "secrets"
        not_a_directory.write_text("")

        class Misconfigured(StrictSettings):
            model_config = SettingsConfigDict(secrets_dir=not_a_directory)

        with pytest.raises(SourceError, match="secrets_dir must reference a directory"):
            Misconfigured()


class TestValues:
    def test_no_value_is_echoed(self, clean_environ: pytest.MonkeyPatch) -> None:
        class Echoing(StrictSettings):
            model_config = SettingsConfigDict(env_prefix="APP_")

            region: str = "eu"
            mailer: Annotated[Smtp | Console, Field(discriminator="kind")] = Console(
                kind="console"
            )

            @field_validator("region")
            @classmethod
            def _known(cls, value: str) -> str:
                raise ValueError(f"unknown region {value}")

        clean_environ.setenv("APP_REGION", "hunter2-secret")
        clean_environ.setenv("APP_MAILER", '{"kind": "hunter2-secret"}')

        with pytest.raises(SettingsError) as caught:
            Echoing()

        assert "hunter2" not in str(caught.value)
        assert str(caught.value).splitlines()[1:] == [
            "  - APP_REGION: is not valid (value_error)",
            "  - APP_MAILER: expected 'kind' to be one of 'smtp', 'console'",
        ]

    def test_unknown_dotenv_entry_is_named_when_extra_is_forbidden(
        self, clean_environ: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        class Forbidding(StrictSettings):
            model_config = SettingsConfigDict(extra="forbid")

        (tmp_path / ".env").write_text("POSTGRES_PASSWORD=hunter2-secret\n")

        assert problems_of(Forbidding) == [
            "POSTGRES_PASSWORD: Extra inputs are not permitted"
        ]

    def test_whole_settings_check_is_named_settings(
        self, clean_environ: pytest.MonkeyPatch
    ) -> None:
        class Paired(StrictSettings):
            low: int = 1
            high: int = 0

            @model_validator(mode="after")
            def _ordered(self) -> Paired:
                if self.low > self.high:
                    raise ValueError("LOW must not exceed HIGH")
                return self

        assert problems_of(Paired) == ["settings: LOW must not exceed HIGH"]

    def test_library_messages_stay_when_the_input_appears_in_them(
        self, clean_environ: pytest.MonkeyPatch
    ) -> None:
        clean_environ.setenv("DJANGO_THROTTLE_ANON_RATE", "100")

        assert problems_of(StrictSettings) == [
            "DJANGO_THROTTLE_ANON_RATE: expected a DRF rate such as 100/hour "
            "(s, m, h or d)"
        ]
