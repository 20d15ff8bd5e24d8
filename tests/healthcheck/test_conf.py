"""Which checks a probe runs: every alias, the selection settings, project checks."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from django_strict_core.healthcheck import Cache, Database
from django_strict_core.healthcheck.conf import (
    cache_seconds,
    registered_checks,
    timeout,
)
from tests.healthcheck import sample_checks

LOCMEM = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
DUMMY = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}


def keys() -> list[str]:
    return [check.key for check in registered_checks()]


def one(key: str) -> Any:
    return next(check for check in registered_checks() if check.key == key)


class TestBuiltinChecks:
    def test_the_default_aliases_keep_the_seed_keys(self) -> None:
        assert keys()[:2] == ["db", "cache"]
        assert one("db").check == Database("default")
        assert one("cache").check == Cache("default")

    @override_settings(
        CACHES={"default": LOCMEM, "sessions": LOCMEM, "off": DUMMY},
        STRICT_CORE_HEALTH_TIMEOUT=0.25,
    )
    def test_every_other_alias_appears_as_kind_colon_alias(self) -> None:
        assert keys() == ["db", "cache", "cache:sessions"]
        assert one("cache:sessions").check == Cache("sessions")
        assert {c.timeout for c in registered_checks()} == {0.25}
        assert all(c.critical and not c.is_async for c in registered_checks())

    @override_settings(
        CACHES={"default": LOCMEM, "sessions": LOCMEM},
        STRICT_CORE_HEALTH_DATABASES=[],
        STRICT_CORE_HEALTH_CACHES=["sessions"],
    )
    def test_the_aliases_to_check_can_be_chosen(self) -> None:
        assert keys() == ["cache:sessions"]

    @pytest.mark.parametrize(
        ("setting", "value", "message"),
        [
            ("STRICT_CORE_HEALTH_CACHES", ["nope"], "not configured: nope"),
            ("STRICT_CORE_HEALTH_DATABASES", "default", "None or a list"),
            ("STRICT_CORE_HEALTH_TIMEOUT", 0, "STRICT_CORE_HEALTH_TIMEOUT must be"),
            ("STRICT_CORE_HEALTH_TIMEOUT", True, "STRICT_CORE_HEALTH_TIMEOUT must be"),
        ],
    )
    def test_invalid_selections_are_refused(
        self, setting: str, value: object, message: str
    ) -> None:
        with (
            override_settings(**{setting: value}),
            pytest.raises(ImproperlyConfigured, match=message),
        ):
            registered_checks()


class TestOptions:
    def test_defaults(self) -> None:
        assert timeout() == 0.5
        assert cache_seconds() == 0.0

    @override_settings(STRICT_CORE_HEALTH_CACHE_SECONDS=-1)
    def test_a_negative_cache_duration_is_refused(self) -> None:
        with pytest.raises(ImproperlyConfigured, match="CACHE_SECONDS"):
            cache_seconds()


class TestProjectChecks:
    @override_settings(
        STRICT_CORE_HEALTH_CHECKS={
            "queue": "tests.healthcheck.sample_checks.passing",
            "search": {
                "CHECK": "tests.healthcheck.sample_checks.Search",
                "OPTIONS": {"url": "https://search.internal", "token": "s3cret"},
                "CRITICAL": False,
                "TIMEOUT": 0.8,
            },
            "mail": sample_checks.passing_async,
            "slow": {"CHECK": sample_checks.sleeping, "OPTIONS": {"seconds": 0}},
            "instance": sample_checks.Counter(),
            "callable": sample_checks.AsyncCallable(),
        }
    )
    def test_functions_classes_and_instances_register_under_their_keys(self) -> None:
        assert keys()[2:] == ["queue", "search", "mail", "slow", "instance", "callable"]
        search = one("search")
        assert (search.critical, search.timeout, search.is_async) == (False, 0.8, True)
        assert (
            repr(search.check) == "Search(url='https://search.internal', healthy=True)"
        )
        assert (one("queue").is_async, one("mail").is_async) == (False, True)
        assert (one("slow").is_async, one("instance").is_async) == (False, False)
        assert one("callable").is_async
        assert one("queue").critical
        assert one("queue").timeout == 0.5

    def test_project_checks_are_built_once_until_a_setting_changes(self) -> None:
        specs = {"instance": {"CHECK": "tests.healthcheck.sample_checks.Counter"}}
        with override_settings(STRICT_CORE_HEALTH_CHECKS=specs):
            first = one("instance").check
            assert one("instance").check is first
        with override_settings(STRICT_CORE_HEALTH_CHECKS=specs):
            assert one("instance").check is not first

    @pytest.mark.parametrize(
        ("checks", "message"),
        [
            ({"status": sample_checks.passing}, "other than 'status'"),
            ({"": sample_checks.passing}, "non-empty string"),
            ({"db": sample_checks.passing}, "key of a built-in check"),
            ({"x": {"OPTIONS": {}}}, "needs CHECK"),
            (
                {"x": {"CHECK": sample_checks.passing, "RETRIES": 2}},
                "unknown: RETRIES",
            ),
            ({"x": "tests.healthcheck.sample_checks.missing"}, "cannot import"),
            (
                {"x": {"CHECK": sample_checks.passing, "OPTIONS": [1]}},
                "must be a dict",
            ),
            (
                {"x": {"CHECK": sample_checks.Counter(), "OPTIONS": {"hold": 1}}},
                "not an instance",
            ),
            (
                {"x": {"CHECK": sample_checks.Search, "OPTIONS": {"nope": 1}}},
                "check OPTIONS against the class",
            ),
            (
                {"x": {"CHECK": sample_checks.passing, "CRITICAL": "no"}},
                "True or False",
            ),
            ({"x": {"CHECK": sample_checks.passing, "TIMEOUT": -1}}, "TIMEOUT"),
            ({"x": 42}, "expected a function, a class"),
            (["x"], "must be a dict"),
        ],
    )
    def test_invalid_registrations_name_the_entry(
        self, checks: object, message: str
    ) -> None:
        with (
            override_settings(STRICT_CORE_HEALTH_CHECKS=checks),
            pytest.raises(ImproperlyConfigured, match=message),
        ):
            registered_checks()
