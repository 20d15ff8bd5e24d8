"""STRICT_CORE_FINGERPRINT: what build_settings produced, without a secret in clear."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db.utils import ConnectionHandler

from django_strict_core.conf import StrictSettings, build_settings
from django_strict_core.conf.fingerprint import (
    DATABASE_FIELDS,
    FINGERPRINT_SETTING,
    connection_digest,
    digest,
)

BASE_DIR = Path("/srv/app")
STRONG_KEY = "k3y-" + "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOP"


def run_settings_module(body: str, **names: Any) -> dict[str, Any]:
    """Execute ``body`` as a settings module whose globals start with ``names``."""
    namespace: dict[str, Any] = {
        "build_settings": build_settings,
        "StrictSettings": StrictSettings,
        "BASE_DIR": BASE_DIR,
        **names,
    }
    exec(body, namespace)  # noqa: S102 - a settings module's body, in its own namespace
    return namespace


@pytest.mark.usefixtures("clean_environ")
class TestContents:
    def test_secrets_are_not_stored_in_clear(self) -> None:
        result = build_settings(
            StrictSettings(
                env="production",
                secret_key=STRONG_KEY,
                allowed_hosts="api.example.com",
                database_url="postgres://app:db-pa55word@db.internal:5432/app",
                redis_url="redis://:cache-pa55word@cache.internal:6379/0",
            ),
            base_dir=BASE_DIR,
        )

        text = json.dumps(result[FINGERPRINT_SETTING])
        for secret in (STRONG_KEY, "db-pa55word", "cache-pa55word", "db.internal"):
            assert secret not in text
        assert result[FINGERPRINT_SETTING]["environment"]["ALLOWED_HOSTS"] == [
            "api.example.com"
        ]

    def test_digests_cannot_be_compared_across_processes(self) -> None:
        code = (
            "from django_strict_core.conf.fingerprint import digest; "
            "print(digest('the same value'))"
        )
        other = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout.strip()

        assert len(other) == len(digest("the same value")) == 32
        assert other != digest("the same value")

    def test_what_django_fills_in_later_does_not_change_the_database_digest(
        self,
    ) -> None:
        built = build_settings(
            StrictSettings(database_url="postgres://app@db.internal:5432/app"),
            base_dir=BASE_DIR,
        )["DATABASES"]
        configured = ConnectionHandler(copy.deepcopy(built)).settings
        configured["default"]["NAME"] = "test_app"
        configured["default"]["OPTIONS"]["application_name"] = "worker"

        assert "TEST" in configured["default"]
        assert connection_digest(configured["default"], DATABASE_FIELDS) == (
            connection_digest(built["default"], DATABASE_FIELDS)
        )

    def test_another_server_changes_the_database_digest(self) -> None:
        entry = {"ENGINE": "django.db.backends.postgresql", "HOST": "a", "PORT": 5432}

        assert connection_digest(entry, DATABASE_FIELDS) == connection_digest(
            {**entry, "PORT": "5432"}, DATABASE_FIELDS
        )
        assert connection_digest(entry, DATABASE_FIELDS) != connection_digest(
            {**entry, "HOST": "b"}, DATABASE_FIELDS
        )


@pytest.mark.usefixtures("clean_environ")
class TestReplacedByACallAtTheEnd:
    body = (
        "SETTINGS = StrictSettings()\n"
        "globals().update(build_settings(SETTINGS, base_dir=BASE_DIR))\n"
    )

    def test_what_merge_would_keep_is_noted(self) -> None:
        namespace = run_settings_module(
            self.body,
            MIDDLEWARE=[
                "django.middleware.security.SecurityMiddleware",
                "django.middleware.locale.LocaleMiddleware",
            ],
            REST_FRAMEWORK={"PAGE_SIZE": 20, "DEFAULT_VERSIONING_CLASS": "v.X"},
            DATABASES={"default": {}, "replica": {}},
            DEFAULT_AUTO_FIELD="django.db.models.AutoField",
        )

        replaced = namespace[FINGERPRINT_SETTING]["replaced"]
        assert replaced["MIDDLEWARE"] == ["django.middleware.locale.LocaleMiddleware"]
        # PAGE_SIZE 20 is the baseline's own value: nothing is lost.
        assert list(replaced["REST_FRAMEWORK"]) == ["DEFAULT_VERSIONING_CLASS"]
        assert replaced["DATABASES"] == ["replica"]
        assert replaced["DEFAULT_AUTO_FIELD"] == "django.db.models.AutoField"

    def test_a_call_before_any_definition_replaces_nothing(self) -> None:
        namespace = run_settings_module(self.body)

        assert namespace[FINGERPRINT_SETTING]["replaced"] == {}

    def test_a_merged_call_replaces_nothing(self) -> None:
        namespace = run_settings_module(
            "SETTINGS = StrictSettings()\n"
            "globals().update(build_settings(SETTINGS, base_dir=BASE_DIR, "
            "merge=globals()))\n",
            MIDDLEWARE=["django.middleware.locale.LocaleMiddleware"],
        )

        assert namespace[FINGERPRINT_SETTING]["replaced"] == {}
        assert "django.middleware.locale.LocaleMiddleware" in namespace["MIDDLEWARE"]
