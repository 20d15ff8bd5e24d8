"""build_settings(merge=...): an existing project keeps its own settings, takes the baseline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from django_strict_core.conf import StrictSettings, build_settings
from django_strict_core.conf.build import MIDDLEWARE
from django_strict_core.conf.merge import merge_apps, merge_middleware

BASE_DIR = Path("/srv/app")
(
    REQUEST_ID,
    HEALTH_CHECK,
    DEBUG_ENVELOPE,
    SECURITY,
    SESSION,
    COMMON,
    CSRF,
    AUTH,
    MESSAGES,
    FRAMES,
) = MIDDLEWARE
LOCALE = "django.middleware.locale.LocaleMiddleware"
CORS = "corsheaders.middleware.CorsMiddleware"
STARTPROJECT_MIDDLEWARE = [SECURITY, SESSION, COMMON, CSRF, AUTH, MESSAGES, FRAMES]


def merged(existing: dict[str, Any], **values: Any) -> dict[str, Any]:
    """Build settings merged with ``existing``."""
    return build_settings(StrictSettings(**values), base_dir=BASE_DIR, merge=existing)


class TestMiddleware:
    def test_a_startproject_list_becomes_the_baseline(self) -> None:
        assert merge_middleware(MIDDLEWARE, STARTPROJECT_MIDDLEWARE) == list(MIDDLEWARE)

    def test_the_projects_own_middleware_keeps_its_place(self) -> None:
        project = [
            SECURITY,
            SESSION,
            LOCALE,
            CORS,
            COMMON,
            CSRF,
            AUTH,
            MESSAGES,
            FRAMES,
        ]

        assert merge_middleware(MIDDLEWARE, project) == [
            REQUEST_ID,
            HEALTH_CHECK,
            DEBUG_ENVELOPE,
            *project,
        ]

    def test_this_packages_middleware_moves_first(self) -> None:
        project = [SECURITY, REQUEST_ID, SESSION, COMMON, CSRF, AUTH, MESSAGES, FRAMES]

        assert merge_middleware(MIDDLEWARE, project) == list(MIDDLEWARE)

    def test_baseline_entries_the_project_lacks_follow_their_predecessor(self) -> None:
        project = [SECURITY, SESSION, CORS, COMMON, AUTH]

        assert merge_middleware(MIDDLEWARE, project) == [
            REQUEST_ID,
            HEALTH_CHECK,
            DEBUG_ENVELOPE,
            SECURITY,
            SESSION,
            CORS,
            COMMON,
            CSRF,
            AUTH,
            MESSAGES,
            FRAMES,
        ]


class TestApps:
    def test_the_apps_the_baseline_needs_are_added_once(self) -> None:
        project = ["django.contrib.auth", "rest_framework", "shop"]

        assert merge_apps(project) == [
            "django.contrib.auth",
            "rest_framework",
            "shop",
            "rest_framework.authtoken",
            "drf_spectacular",
            "django_strict_core",
        ]

    def test_an_app_listed_by_its_config_counts(self) -> None:
        project = ["rest_framework.apps.RestFrameworkConfig"]

        assert "rest_framework" not in merge_apps(project)


@pytest.mark.usefixtures("clean_environ")
class TestBuildSettingsMerge:
    def test_the_projects_drf_keys_win_and_the_baselines_stay(self) -> None:
        result = merged(
            {"REST_FRAMEWORK": {"PAGE_SIZE": 50, "DEFAULT_VERSIONING_CLASS": "v.X"}}
        )

        config = result["REST_FRAMEWORK"]
        assert config["PAGE_SIZE"] == 50
        assert config["DEFAULT_VERSIONING_CLASS"] == "v.X"
        assert config["EXCEPTION_HANDLER"] == (
            "django_strict_core.exceptions.exception_handler"
        )

    def test_the_environment_replaces_the_projects_hard_coded_values(self) -> None:
        result = merged(
            {
                "SECRET_KEY": "django-insecure-old",
                "DEBUG": True,
                "ALLOWED_HOSTS": [],
                "DATABASES": {"default": {"ENGINE": "sqlite3", "NAME": "old.db"}},
            },
            env="production",
            secret_key="k3y-" + "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOP",
            allowed_hosts="api.example.com",
            database_url="postgres://app@db.internal:5432/app",
        )

        assert result["SECRET_KEY"].startswith("k3y-")
        assert result["DEBUG"] is False
        assert result["ALLOWED_HOSTS"] == ["api.example.com"]
        assert result["DATABASES"]["default"]["ENGINE"] == (
            "django.db.backends.postgresql"
        )

    def test_extra_database_and_cache_aliases_are_kept(self) -> None:
        replica = {"ENGINE": "django.db.backends.postgresql", "NAME": "replica"}
        sessions = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}

        result = merged(
            {"DATABASES": {"replica": replica}, "CACHES": {"sessions": sessions}}
        )

        assert result["DATABASES"]["replica"] is replica
        assert result["CACHES"]["sessions"] is sessions
        assert result["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"

    def test_the_projects_id_field_and_other_settings_are_kept(self) -> None:
        result = merged(
            {
                "DEFAULT_AUTO_FIELD": "django.db.models.AutoField",
                "TIME_ZONE": "Europe/Berlin",
                "SECURE_REDIRECT_EXEMPT": [r"^internal/"],
                "lowercase_helper": object(),
            }
        )

        assert result["DEFAULT_AUTO_FIELD"] == "django.db.models.AutoField"
        assert result["TIME_ZONE"] == "Europe/Berlin"
        assert result["SECURE_REDIRECT_EXEMPT"][-1] == r"^internal/"
        assert len(result["SECURE_REDIRECT_EXEMPT"]) == 2
        assert "lowercase_helper" not in result

    def test_installed_apps_are_only_returned_when_the_project_has_them(self) -> None:
        assert "INSTALLED_APPS" not in merged({})
        assert merged({"INSTALLED_APPS": ["shop"]})["INSTALLED_APPS"][0] == "shop"

    def test_globals_of_a_settings_module_merge_in_one_line(self) -> None:
        namespace: dict[str, Any] = {
            "build_settings": build_settings,
            "StrictSettings": StrictSettings,
            "BASE_DIR": BASE_DIR,
            "MIDDLEWARE": [*STARTPROJECT_MIDDLEWARE, LOCALE],
            "REST_FRAMEWORK": {"PAGE_SIZE": 5},
        }

        exec(  # noqa: S102 - a settings module's body, in its own namespace
            "SETTINGS = StrictSettings()\n"
            "globals().update(build_settings(SETTINGS, base_dir=BASE_DIR, "
            "merge=globals()))\n",
            namespace,
        )

        assert namespace["MIDDLEWARE"] == [*MIDDLEWARE, LOCALE]
        assert namespace["REST_FRAMEWORK"]["PAGE_SIZE"] == 5
        assert "DEFAULT_THROTTLE_CLASSES" in namespace["REST_FRAMEWORK"]
