"""strict_core.E015 to E018: settings lost between build_settings and the final settings."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from django_strict_core.checks.built import (
    check_baseline_kept,
    check_environment_settings,
    check_project_settings_kept,
)
from django_strict_core.conf import StrictSettings, build_settings
from django_strict_core.conf.fingerprint import FINGERPRINT_SETTING

if TYPE_CHECKING:
    from django.core.checks import CheckMessage
    from pytest_django.fixtures import SettingsWrapper


def found(messages: list[CheckMessage]) -> list[tuple[str, str]]:
    """The (id, object) pairs of check messages, in order."""
    return [(str(m.id), str(m.obj)) for m in messages]


def fingerprint_of(**values: Any) -> dict[str, Any]:
    """The fingerprint build_settings leaves for an environment."""
    built = build_settings(StrictSettings(**values), base_dir=Path("/srv/app"))
    return dict(built[FINGERPRINT_SETTING])


def test_the_test_project_as_built_passes() -> None:
    assert check_environment_settings() == []
    assert check_baseline_kept() == []
    assert check_project_settings_kept() == []


def test_projects_configured_without_build_settings_are_not_checked(
    settings: SettingsWrapper,
) -> None:
    del settings.STRICT_CORE_FINGERPRINT
    settings.SECRET_KEY = "another-key"
    settings.REST_FRAMEWORK = {}

    assert check_environment_settings() == []
    assert check_baseline_kept() == []


class TestEnvironmentSettings:
    def test_a_replaced_secret_key_is_reported(self, settings: SettingsWrapper) -> None:
        settings.SECRET_KEY = "django-insecure-from-startproject"

        (message,) = check_environment_settings()

        assert found([message]) == [("strict_core.E015", "SECRET_KEY")]
        assert message.msg == (
            "SECRET_KEY is not the key read from DJANGO_SECRET_KEY: it was replaced "
            "after build_settings()."
        )
        assert message.hint is not None
        assert "set DJANGO_SECRET_KEY instead" in message.hint
        assert "merge=globals()" in message.hint
        assert "django-insecure" not in message.msg + message.hint

    def test_debug_turned_on_is_reported_and_turned_off_is_not(
        self, settings: SettingsWrapper
    ) -> None:
        settings.DEBUG = True

        assert found(check_environment_settings()) == [("strict_core.E015", "DEBUG")]

        # Local settings turn DEBUG on; a test run turns it off again.
        settings.STRICT_CORE_FINGERPRINT = fingerprint_of(env="local")
        settings.DEBUG = False

        assert "DEBUG" not in {m.obj for m in check_environment_settings()}

    def test_hosts_lost_are_named_and_hosts_added_are_fine(
        self, settings: SettingsWrapper
    ) -> None:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "internal.example"]

        assert check_environment_settings() == []

        settings.ALLOWED_HOSTS = ["*"]

        (message,) = check_environment_settings()
        assert message.msg.startswith(
            "ALLOWED_HOSTS lacks 'localhost', '127.0.0.1', '[::1]' from "
            "DJANGO_ALLOWED_HOSTS"
        )

    def test_a_database_other_than_the_environments_is_reported(
        self, settings: SettingsWrapper
    ) -> None:
        # The environment named a PostgreSQL server; the settings use another database.
        settings.STRICT_CORE_FINGERPRINT = fingerprint_of(
            env="test", database_url="postgres://app@db.internal:5432/app"
        )

        messages = check_environment_settings()

        assert ("strict_core.E015", "DATABASES") in found(messages)
        (message,) = [m for m in messages if m.obj == "DATABASES"]
        assert message.msg == (
            "DATABASES['default'] is not the django.db.backends.postgresql database "
            "DATABASE_URL gives: it was replaced after build_settings()."
        )

    def test_a_replaced_cache_is_reported_and_tuned_options_are_not(
        self, settings: SettingsWrapper
    ) -> None:
        settings.CACHES = {
            "default": {**settings.CACHES["default"], "TIMEOUT": 60, "KEY_PREFIX": "x"}
        }

        assert check_environment_settings() == []

        settings.CACHES = {
            "default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
        }

        assert found(check_environment_settings()) == [("strict_core.E015", "CACHES")]


class TestBaselineKept:
    def test_missing_baseline_middleware_is_named(
        self, settings: SettingsWrapper
    ) -> None:
        settings.MIDDLEWARE = [
            entry
            for entry in settings.MIDDLEWARE
            if not entry.endswith(("CsrfViewMiddleware", "HealthCheckMiddleware"))
        ]

        (message,) = check_baseline_kept()

        assert message.id == "strict_core.E016"
        # The health check middleware is strict_core.E011's to report.
        assert message.msg == (
            "MIDDLEWARE lacks django.middleware.csrf.CsrfViewMiddleware of the "
            "baseline: MIDDLEWARE was replaced after build_settings()."
        )

    def test_added_middleware_is_fine(self, settings: SettingsWrapper) -> None:
        settings.MIDDLEWARE = [
            *settings.MIDDLEWARE,
            "django.middleware.locale.LocaleMiddleware",
        ]

        assert check_baseline_kept() == []

    def test_a_new_rest_framework_dict_names_the_keys_it_lost(
        self, settings: SettingsWrapper
    ) -> None:
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "PAGE_SIZE": 50,
        }
        assert check_baseline_kept() == []

        settings.REST_FRAMEWORK = {
            key: value
            for key, value in settings.REST_FRAMEWORK.items()
            if key not in ("NUM_PROXIES", "DEFAULT_RENDERER_CLASSES")
        }

        (message,) = check_baseline_kept()
        assert message.id == "strict_core.E017"
        assert message.msg.startswith(
            "REST_FRAMEWORK lacks the keys NUM_PROXIES, DEFAULT_RENDERER_CLASSES "
        )


class TestProjectSettingsKept:
    @pytest.fixture
    def replaced(self, settings: SettingsWrapper) -> SettingsWrapper:
        """A fingerprint noting what a call at the end replaced."""
        namespace: dict[str, Any] = {
            "build_settings": build_settings,
            "StrictSettings": StrictSettings,
            "MIDDLEWARE": ["django.middleware.locale.LocaleMiddleware"],
            "REST_FRAMEWORK": {"DEFAULT_VERSIONING_CLASS": "v.X"},
            "CACHES": {"default": {}, "sessions": {}},
        }
        exec(  # noqa: S102 - a settings module's body, in its own namespace
            "globals().update(build_settings(StrictSettings(env='test'), "
            "base_dir='/srv/app'))\n",
            namespace,
        )
        settings.STRICT_CORE_FINGERPRINT = namespace[FINGERPRINT_SETTING]
        return settings

    def test_everything_still_missing_is_listed_once(
        self, replaced: SettingsWrapper
    ) -> None:
        (message,) = check_project_settings_kept()

        assert message.id == "strict_core.E018"
        assert message.obj == "tests.settings"
        assert message.msg == (
            "build_settings() replaced settings defined before it: MIDDLEWARE entries "
            "django.middleware.locale.LocaleMiddleware; CACHES aliases sessions; "
            "REST_FRAMEWORK keys DEFAULT_VERSIONING_CLASS."
        )

    def test_what_the_project_restored_after_the_call_is_not_reported(
        self, replaced: SettingsWrapper
    ) -> None:
        replaced.MIDDLEWARE = [
            *replaced.MIDDLEWARE,
            "django.middleware.locale.LocaleMiddleware",
        ]
        replaced.REST_FRAMEWORK = {
            **replaced.REST_FRAMEWORK,
            "DEFAULT_VERSIONING_CLASS": "v.X",
        }
        replaced.CACHES = {**replaced.CACHES, "sessions": replaced.CACHES["default"]}

        assert check_project_settings_kept() == []
