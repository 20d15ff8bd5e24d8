"""The accessor of the library's own ``STRICT_CORE_*`` settings."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from django_strict_core.app_settings import StrictCoreSettings, app_settings
from django_strict_core.exceptions import ExceptionHandler

DEFAULTS: dict[str, Any] = {
    "STRICT_CORE_API_PREFIXES": ("/api/",),
    "STRICT_CORE_EXCEPTION_HANDLER_CLASS": ExceptionHandler,
    "STRICT_CORE_MAX_PAGE_SIZE": 100,
    "STRICT_CORE_CHECKS_EXEMPT": frozenset(),
    "STRICT_CORE_TRUST_REQUEST_ID": True,
    "STRICT_CORE_ACCESS_LOG_PROBES": False,
    "STRICT_CORE_ACCESS_LOG_SKIP_PATHS": frozenset(),
    "STRICT_CORE_ACCESS_LOG_QUERY_STRING": False,
    "STRICT_CORE_HEALTH_TIMEOUT": 0.5,
    "STRICT_CORE_HEALTH_CACHE_SECONDS": 0.0,
    "STRICT_CORE_HEALTH_DATABASES": None,
    "STRICT_CORE_HEALTH_CACHES": None,
    "STRICT_CORE_HEALTH_CHECKS": {},
    # Public in the test suite's profile, test.
    "STRICT_CORE_SCHEMA_ACCESS": "public",
    "STRICT_CORE_THROTTLE_FAIL_OPEN": True,
    "STRICT_CORE_THROTTLE_FAIL_OPEN_SECONDS": 5.0,
    "STRICT_CORE_UNAVAILABLE_RETRY_AFTER": 5,
}


def test_every_setting_is_declared_once_with_its_default() -> None:
    declared = [name for name in vars(StrictCoreSettings) if name.startswith("STRICT_")]

    assert sorted(declared) == sorted([*DEFAULTS, "STRICT_CORE_ENV"])
    assert {name: getattr(app_settings, name) for name in DEFAULTS} == DEFAULTS


def test_the_profile_comes_from_build_settings() -> None:
    assert app_settings.STRICT_CORE_ENV == "test"


def test_override_settings_is_seen_and_undone() -> None:
    assert app_settings.STRICT_CORE_MAX_PAGE_SIZE == 100

    with override_settings(STRICT_CORE_MAX_PAGE_SIZE=7):
        assert app_settings.STRICT_CORE_MAX_PAGE_SIZE == 7

    assert app_settings.STRICT_CORE_MAX_PAGE_SIZE == 100


def test_values_are_given_their_type() -> None:
    with override_settings(
        STRICT_CORE_API_PREFIXES=["/api/", "/v2/"],
        STRICT_CORE_ACCESS_LOG_SKIP_PATHS=["/metrics"],
        STRICT_CORE_HEALTH_TIMEOUT=1,
        STRICT_CORE_EXCEPTION_HANDLER_CLASS=(
            "tests.apps.extended.extensions.ShopExceptionHandler"
        ),
    ):
        assert app_settings.STRICT_CORE_API_PREFIXES == ("/api/", "/v2/")
        assert frozenset({"/metrics"}) == app_settings.STRICT_CORE_ACCESS_LOG_SKIP_PATHS
        assert app_settings.STRICT_CORE_HEALTH_TIMEOUT == 1.0
        assert app_settings.STRICT_CORE_EXCEPTION_HANDLER_CLASS.__name__ == (
            "ShopExceptionHandler"
        )


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("STRICT_CORE_API_PREFIXES", "/api/", "must be a list of strings, got str"),
        ("STRICT_CORE_MAX_PAGE_SIZE", 0, "must be a positive integer"),
        ("STRICT_CORE_MAX_PAGE_SIZE", True, "must be a positive integer"),
        ("STRICT_CORE_CHECKS_EXEMPT", "app.View", "list of dotted paths, got str"),
        ("STRICT_CORE_ACCESS_LOG_SKIP_PATHS", [1], "must be a list of strings"),
        ("STRICT_CORE_HEALTH_TIMEOUT", -1, "seconds > 0"),
        ("STRICT_CORE_THROTTLE_FAIL_OPEN_SECONDS", "5", "seconds >= 0"),
        ("STRICT_CORE_HEALTH_CHECKS", ["db"], "must be a dict"),
        ("STRICT_CORE_EXCEPTION_HANDLER_CLASS", "no.such.Class", "cannot import"),
        ("STRICT_CORE_SCHEMA_ACCESS", "everyone", "one of 'public', 'staff', 'off'"),
    ],
)
def test_an_invalid_value_names_its_setting_on_every_read(
    setting: str, value: object, message: str
) -> None:
    with override_settings(**{setting: value}):
        for _ in range(2):
            with pytest.raises(ImproperlyConfigured, match=f"{setting}.*{message}"):
                getattr(app_settings, setting)


def test_the_schema_access_default_follows_the_profile() -> None:
    with override_settings(STRICT_CORE_ENV="production"):
        assert app_settings.STRICT_CORE_SCHEMA_ACCESS == "staff"

    assert app_settings.STRICT_CORE_SCHEMA_ACCESS == "public"


def test_importable_without_configured_settings() -> None:
    code = (
        "import django.conf, django_strict_core.app_settings as a\n"
        "import django_strict_core.healthcheck.routes\n"
        "assert not django.conf.settings.configured\n"
        "assert a.DEFAULT_API_PREFIXES == ('/api/',)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env={})
