"""<VARIABLE>_FILE: a file's content is read as pydantic-settings reads the variable."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import pytest
from pydantic import AliasChoices, BaseModel, Field, SecretStr, field_validator
from pydantic_settings import ForceDecode, NoDecode, SettingsConfigDict

from django_strict_core.conf import SettingsError, StrictSettings

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

    Write = Callable[[str, str], Path]


class Database(BaseModel):
    name: str
    port: int = 5432
    password: SecretStr | None = None


class ListSettings(StrictSettings):
    origins: list[str]


class AppSettings(StrictSettings):
    model_config = SettingsConfigDict(env_prefix="APP_", env_nested_delimiter="__")

    db: Database
    labels: dict[str, str] = Field(default_factory=dict)
    token: str = "none"


@pytest.fixture
def write(tmp_path: Path, clean_environ: pytest.MonkeyPatch) -> Write:
    """Write a file and point ``<variable>`` at it."""

    def point(variable: str, content: str) -> Path:
        path = tmp_path / f"{variable.lower()}.secret"
        path.write_text(content, encoding="utf-8")
        clean_environ.setenv(variable, str(path))
        return path

    return point


def problems_of(settings_cls: type[StrictSettings]) -> list[str]:
    """Construct settings expecting failure; return the problems the error lists."""
    with pytest.raises(SettingsError) as caught:
        settings_cls()
    return [line.removeprefix("  - ") for line in str(caught.value).splitlines()[1:]]


class TestDecoding:
    def test_json_list_in_a_file_fills_a_list_field(self, write: Write) -> None:
        write("ORIGINS_FILE", '["a.example","b.example"]\n')

        assert ListSettings().origins == ["a.example", "b.example"]

    def test_json_object_in_a_file_fills_a_model_field(self, write: Write) -> None:
        write("APP_DB_FILE", '{"name": "app", "port": 6432}')

        assert AppSettings().db == Database(name="app", port=6432)

    def test_json_object_in_a_file_fills_a_dict_field(self, write: Write) -> None:
        write("APP_DB_FILE", '{"name": "app"}')
        write("APP_LABELS_FILE", '{"team": "payments"}')

        assert AppSettings().labels == {"team": "payments"}

    def test_no_decode_field_receives_the_raw_content(self, write: Write) -> None:
        class Split(StrictSettings):
            hosts: Annotated[list[str], NoDecode]

            @field_validator("hosts", mode="before")
            @classmethod
            def _split(cls, value: object) -> object:
                return value.split(",") if isinstance(value, str) else value

        write("HOSTS_FILE", "a.example,b.example\n")

        assert Split().hosts == ["a.example", "b.example"]

    def test_library_lists_read_from_files_accept_commas(self, write: Write) -> None:
        write("DJANGO_ALLOWED_HOSTS_FILE", "a.example.com,b.example.com\n")

        assert StrictSettings().allowed_hosts == ["a.example.com", "b.example.com"]

    def test_force_decode_decodes_even_with_decoding_disabled(
        self, write: Write
    ) -> None:
        class Forced(StrictSettings):
            model_config = SettingsConfigDict(enable_decoding=False)

            ports: Annotated[list[int], ForceDecode]

        write("PORTS_FILE", "[80, 443]")

        assert Forced().ports == [80, 443]

    def test_parse_none_str_applies_to_file_content(self, write: Write) -> None:
        class Nullable(StrictSettings):
            model_config = SettingsConfigDict(env_parse_none_str="null")

            timeout: int | None = 30

        write("TIMEOUT_FILE", "null\n")

        assert Nullable().timeout is None

    def test_empty_file_is_ignored_with_env_ignore_empty(self, write: Write) -> None:
        class Ignoring(StrictSettings):
            model_config = SettingsConfigDict(env_ignore_empty=True)

            region: str = "eu-west-1"

        write("REGION_FILE", "\n")

        assert Ignoring().region == "eu-west-1"


class TestNames:
    def test_nested_file_variable_sets_one_sub_field(self, write: Write) -> None:
        write("APP_DB__PASSWORD_FILE", "s3cret\n")
        write("APP_DB__NAME_FILE", "app")

        database = AppSettings().db

        assert database.name == "app"
        assert database.password is not None
        assert database.password.get_secret_value() == "s3cret"

    def test_nested_file_variable_adds_no_key_named_after_it(
        self, write: Write
    ) -> None:
        write("APP_DB_FILE", '{"name": "app"}')
        write("APP_LABELS__TEAM_FILE", "payments")

        assert AppSettings().labels == {"team": "payments"}

    def test_prefix_applies_to_file_variables(self, write: Write) -> None:
        write("APP_DB_FILE", '{"name": "app"}')
        write("APP_TOKEN_FILE", "from-file")
        write("TOKEN_FILE", "unprefixed")

        assert AppSettings().token == "from-file"

    def test_prefix_given_at_construction_applies(self, write: Write) -> None:
        class Plain(StrictSettings):
            token: str = "none"

        write("OTHER_TOKEN_FILE", "from-file")

        assert Plain(_env_prefix="OTHER_").token == "from-file"  # type: ignore[call-arg]

    def test_alias_choices_each_have_a_file_variant(self, write: Write) -> None:
        class Aliased(StrictSettings):
            key: str = Field("none", validation_alias=AliasChoices("KEY_A", "KEY_B"))

        write("KEY_B_FILE", "second")

        assert Aliased().key == "second"

    def test_case_sensitive_settings_match_the_exact_name(self, write: Write) -> None:
        class Exact(StrictSettings):
            model_config = SettingsConfigDict(case_sensitive=True)

            token: str = "none"

        write("TOKEN_FILE", "upper")
        assert Exact().token == "none"

        write("token_FILE", "exact")
        assert Exact().token == "exact"

    def test_unrelated_file_variable_is_never_opened(
        self, clean_environ: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        clean_environ.setenv("SSL_CERT_FILE", str(tmp_path / "missing.pem"))

        assert ListSettings(origins=[]).origins == []


class TestProblems:
    def test_undecodable_file_is_named_by_its_file_variable(self, write: Write) -> None:
        write("ORIGINS_FILE", "a.example,b.example")

        assert problems_of(ListSettings) == [
            'ORIGINS_FILE: expected a JSON list, e.g. ["a", "b"]'
        ]

    def test_invalid_content_is_named_by_its_file_variable(self, write: Write) -> None:
        write("APP_DB__NAME_FILE", "app")
        write("APP_DB__PORT_FILE", "not-a-port")

        assert problems_of(AppSettings) == ["APP_DB__PORT_FILE: expected an integer"]

    def test_unreadable_nested_file_is_reported_once(
        self, clean_environ: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        clean_environ.setenv("APP_DB__NAME_FILE", str(tmp_path / "missing"))

        assert problems_of(AppSettings) == [
            "APP_DB__NAME_FILE: expected a readable file (No such file or directory)"
        ]

    def test_file_content_is_never_echoed(self, write: Write) -> None:
        write("APP_DB_FILE", '{"name": "app", "port": "hunter2-secret"}')

        with pytest.raises(SettingsError) as caught:
            AppSettings()

        assert "hunter2" not in str(caught.value)
        assert "APP_DB_FILE (at port): expected an integer" in str(caught.value)


class TestCustomisedSources:
    def test_reordered_library_sources_keep_file_variables(self, write: Write) -> None:
        class EnvFirst(StrictSettings):
            token: str = "none"

            @classmethod
            def settings_customise_sources(
                cls,
                settings_cls: type[BaseSettings],
                init_settings: PydanticBaseSettingsSource,
                env_settings: PydanticBaseSettingsSource,
                dotenv_settings: PydanticBaseSettingsSource,
                file_secret_settings: PydanticBaseSettingsSource,
            ) -> tuple[PydanticBaseSettingsSource, ...]:
                init, env, files, dotenv, secrets = super().settings_customise_sources(
                    settings_cls,
                    init_settings,
                    env_settings,
                    dotenv_settings,
                    file_secret_settings,
                )
                return env, files, init, dotenv, secrets

        write("TOKEN_FILE", "from-file")

        assert EnvFirst(token="argument").token == "from-file"

        write("DJANGO_LOG_LEVELS_FILE", "django=LOUD")
        with pytest.raises(SettingsError, match="DJANGO_LOG_LEVELS_FILE: "):
            EnvFirst()
