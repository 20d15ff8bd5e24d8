"""The annotated types of ``conf.types``, reused by a project's own settings fields."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from pydantic import Field

from django_strict_core.conf import SettingsError, StrictSettings
from django_strict_core.conf.types import CommaList, Level, LoggerLevels, Rate

if TYPE_CHECKING:
    from pydantic import SecretStr


class ProjectSettings(StrictSettings):
    """A project's settings with fields of its own."""

    search_hosts: CommaList = Field(
        default_factory=list, validation_alias="SEARCH_HOSTS"
    )
    search_log_level: Level = Field("WARNING", validation_alias="SEARCH_LOG_LEVEL")
    worker_levels: LoggerLevels = Field(
        default_factory=dict, validation_alias="WORKER_LOG_LEVELS"
    )
    export_rate: Rate = Field("10/hour", validation_alias="EXPORT_RATE")


def test_project_fields_parse_like_the_librarys(
    clean_environ: pytest.MonkeyPatch,
) -> None:
    clean_environ.setenv("SEARCH_HOSTS", " es1.internal, es2.internal ,")
    clean_environ.setenv("SEARCH_LOG_LEVEL", " debug ")
    clean_environ.setenv("WORKER_LOG_LEVELS", "celery=info,kombu=Warning")

    settings = ProjectSettings()

    assert settings.search_hosts == ["es1.internal", "es2.internal"]
    assert settings.search_log_level == "DEBUG"
    assert settings.worker_levels == {"celery": "INFO", "kombu": "WARNING"}
    assert settings.export_rate == "10/hour"


def test_json_lists_are_accepted(clean_environ: pytest.MonkeyPatch) -> None:
    clean_environ.setenv("SEARCH_HOSTS", '["es1.internal", "es2.internal"]')

    assert ProjectSettings().search_hosts == ["es1.internal", "es2.internal"]


def test_bad_values_are_reported_by_variable_without_the_value(
    clean_environ: pytest.MonkeyPatch,
) -> None:
    clean_environ.setenv("SEARCH_HOSTS", "[broken")
    clean_environ.setenv("SEARCH_LOG_LEVEL", "loud-and-secret")
    clean_environ.setenv("WORKER_LOG_LEVELS", "celery")
    clean_environ.setenv("EXPORT_RATE", "often")

    with pytest.raises(SettingsError) as caught:
        ProjectSettings()

    problems = {p.variable: p.expected for p in caught.value.problems}
    assert problems["SEARCH_HOSTS"] == "expected a comma-separated or JSON list"
    assert set(problems) == {
        "SEARCH_HOSTS",
        "SEARCH_LOG_LEVEL",
        "WORKER_LOG_LEVELS",
        "EXPORT_RATE",
    }
    assert "loud-and-secret" not in str(caught.value)


def test_urls_stay_secret(clean_environ: pytest.MonkeyPatch) -> None:
    clean_environ.setenv("REDIS_URL", "redis://:hunter2@cache.internal:6379/0")

    url: SecretStr | None = ProjectSettings().redis_url

    assert url is not None
    assert "hunter2" not in repr(url)
