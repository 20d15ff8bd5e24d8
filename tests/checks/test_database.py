"""strict_core.E019: staging and production need DATABASE_URL."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from django_strict_core.checks.database import check_database_url
from django_strict_core.conf import StrictSettings, build_settings

if TYPE_CHECKING:
    from pytest_django.fixtures import SettingsWrapper

STRONG_KEY = "k3y-" + "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOP"


def built(**values: Any) -> dict[str, Any]:
    """Settings build_settings returns for an environment."""
    return build_settings(StrictSettings(**values), base_dir=Path("/srv/app"))


def deployed(env: str, **values: Any) -> dict[str, Any]:
    """Settings of a deployed profile with its required values."""
    return built(
        env=env, secret_key=STRONG_KEY, allowed_hosts="api.example.com", **values
    )


@pytest.fixture
def apply(settings: SettingsWrapper) -> Any:
    """Make the final settings those ``build_settings`` returned."""

    def use(result: dict[str, Any]) -> None:
        settings.STRICT_CORE_ENV = result["STRICT_CORE_ENV"]
        settings.STRICT_CORE_FINGERPRINT = result["STRICT_CORE_FINGERPRINT"]

    return use


@pytest.mark.usefixtures("clean_environ")
@pytest.mark.parametrize("env", ["staging", "production"])
def test_a_deployed_profile_without_database_url_is_reported(
    apply: Any, env: str
) -> None:
    apply(deployed(env))

    (message,) = check_database_url()

    assert message.id == "strict_core.E019"
    assert message.msg == (
        f"DATABASE_URL is not set in {env}: the default database is the SQLite file "
        "build_settings falls back to, private to this container."
    )
    assert message.hint is not None
    assert "DATABASE_URL=sqlite:////data/db.sqlite3" in message.hint


@pytest.mark.usefixtures("clean_environ")
def test_any_database_url_passes_sqlite_included(apply: Any) -> None:
    apply(deployed("production", database_url="sqlite:////data/db.sqlite3"))

    assert check_database_url() == []


@pytest.mark.usefixtures("clean_environ")
@pytest.mark.parametrize("env", ["local", "test"])
def test_local_profiles_may_use_the_sqlite_default(apply: Any, env: str) -> None:
    apply(built(env=env))

    assert check_database_url() == []


def test_projects_without_build_settings_are_not_checked(
    settings: SettingsWrapper,
) -> None:
    settings.STRICT_CORE_ENV = "production"
    del settings.STRICT_CORE_FINGERPRINT

    assert check_database_url() == []
