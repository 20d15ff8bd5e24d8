"""Settings checks: user model, REST_FRAMEWORK baseline, caches, async safety."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import pytest
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from django_strict_core.checks.settings import (
    check_async_unsafe,
    check_caches,
    check_rest_framework,
    check_user_model,
)
from django_strict_core.pagination import StandardCursorPagination, StandardPagination

if TYPE_CHECKING:
    from django.core.checks import CheckMessage
    from pytest_django.fixtures import SettingsWrapper

LOCMEM = "django.core.cache.backends.locmem.LocMemCache"
REDIS = "django_redis.cache.RedisCache"
THROTTLES = [
    "rest_framework.throttling.AnonRateThrottle",
    "rest_framework.throttling.UserRateThrottle",
]


def ids(messages: list[CheckMessage]) -> list[str]:
    """The ids of check messages, in order."""
    return [str(m.id) for m in messages]


class TestUserModel:
    def test_the_custom_user_passes(self) -> None:
        assert check_user_model() == []

    @pytest.mark.parametrize("label", ["auth.User", "auth.user"])
    def test_the_default_user_is_an_error(
        self, settings: SettingsWrapper, label: str
    ) -> None:
        settings.AUTH_USER_MODEL = label

        (error,) = check_user_model()
        assert error.id == "strict_core.E005"
        assert error.obj == "AUTH_USER_MODEL"
        assert error.hint is not None
        assert "AbstractUser" in error.hint


class PerMinute(SimpleRateThrottle):
    rate = "5/min"

    def get_cache_key(self, request: Any, view: Any) -> str:
        return "k"


class NoScope(SimpleRateThrottle):
    def get_cache_key(self, request: Any, view: Any) -> str:
        return "k"


class Custom(BaseThrottle):
    pass


@pytest.fixture
def rest_framework(settings: SettingsWrapper) -> dict[str, Any]:
    """A copy of the test project's REST_FRAMEWORK to edit and install."""
    return {**settings.REST_FRAMEWORK}


class TestRestFramework:
    def test_the_build_settings_baseline_passes(self) -> None:
        assert check_rest_framework() == []

    def test_no_rest_framework_setting_reports_each_missing_part(
        self, settings: SettingsWrapper
    ) -> None:
        del settings.REST_FRAMEWORK

        assert ids(check_rest_framework()) == [
            "strict_core.E006",
            "strict_core.E008",
            "strict_core.E009",
        ]

    def test_empty_throttle_classes(
        self, settings: SettingsWrapper, rest_framework: dict[str, Any]
    ) -> None:
        rest_framework["DEFAULT_THROTTLE_CLASSES"] = []
        settings.REST_FRAMEWORK = rest_framework

        (error,) = check_rest_framework()
        assert error.id == "strict_core.E006"
        assert error.obj == "REST_FRAMEWORK"

    @pytest.mark.parametrize(
        ("rates", "problem"),
        [
            ({"anon": "100/hour"}, "has no rate for its scope 'user'"),
            ({"anon": "100/hour", "user": None}, "has no rate for its scope 'user'"),
            (
                {"anon": "100/hour", "user": "lots"},
                "has an invalid rate 'lots' (expected e.g. '100/hour')",
            ),
            (
                {"anon": "100/hour", "user": "x/hour"},
                "has an invalid rate 'x/hour' (expected e.g. '100/hour')",
            ),
        ],
    )
    @pytest.mark.parametrize(
        "module", ["rest_framework.throttling", "django_strict_core.throttling"]
    )
    def test_each_scope_needs_a_valid_rate(
        self,
        settings: SettingsWrapper,
        rest_framework: dict[str, Any],
        rates: dict[str, Any],
        problem: str,
        module: str,
    ) -> None:
        rest_framework["DEFAULT_THROTTLE_CLASSES"] = [
            f"{module}.AnonRateThrottle",
            f"{module}.UserRateThrottle",
        ]
        rest_framework["DEFAULT_THROTTLE_RATES"] = rates
        settings.REST_FRAMEWORK = rest_framework

        (error,) = check_rest_framework()
        assert error.id == "strict_core.E007"
        assert error.msg == (
            f"Throttle class {module}.UserRateThrottle in "
            f"REST_FRAMEWORK['DEFAULT_THROTTLE_CLASSES'] {problem}."
        )

    def test_throttle_classes_may_be_classes_with_their_own_rate(
        self, settings: SettingsWrapper, rest_framework: dict[str, Any]
    ) -> None:
        rest_framework["DEFAULT_THROTTLE_CLASSES"] = [
            PerMinute,
            Custom,
            "rest_framework.throttling.ScopedRateThrottle",
        ]
        settings.REST_FRAMEWORK = rest_framework

        assert check_rest_framework() == []

    def test_unimportable_or_scopeless_throttles(
        self, settings: SettingsWrapper, rest_framework: dict[str, Any]
    ) -> None:
        rest_framework["DEFAULT_THROTTLE_CLASSES"] = ["no.such.Throttle", NoScope]
        settings.REST_FRAMEWORK = rest_framework

        assert [m.msg.rsplit("] ", 1)[1] for m in check_rest_framework()] == [
            "cannot be imported.",
            "has no scope.",
        ]

    @pytest.mark.parametrize(
        "handler", ["rest_framework.views.exception_handler", None]
    )
    def test_another_exception_handler_is_an_error(
        self,
        settings: SettingsWrapper,
        rest_framework: dict[str, Any],
        handler: str | None,
    ) -> None:
        rest_framework["EXCEPTION_HANDLER"] = handler
        settings.REST_FRAMEWORK = rest_framework

        (error,) = check_rest_framework()
        assert error.id == "strict_core.E008"
        assert error.hint == (
            'Set REST_FRAMEWORK["EXCEPTION_HANDLER"] = '
            '"django_strict_core.exceptions.exception_handler"; to change how errors '
            "are handled, subclass ExceptionHandler and name the subclass in "
            "STRICT_CORE_EXCEPTION_HANDLER_CLASS."
        )

    def test_the_handler_may_be_given_as_a_callable(
        self, settings: SettingsWrapper, rest_framework: dict[str, Any]
    ) -> None:
        # A stand-in with the handler's dotted path: the check never imports it.
        def exception_handler(exc: Exception, context: dict[str, Any]) -> None:
            return None

        exception_handler.__module__ = "django_strict_core.exceptions"
        exception_handler.__qualname__ = "exception_handler"
        rest_framework["EXCEPTION_HANDLER"] = exception_handler
        settings.REST_FRAMEWORK = rest_framework

        assert check_rest_framework() == []

    def test_a_handler_class_of_the_project_keeps_the_handler(
        self, settings: SettingsWrapper
    ) -> None:
        settings.STRICT_CORE_EXCEPTION_HANDLER_CLASS = (
            "tests.apps.extended.extensions.ShopExceptionHandler"
        )

        assert check_rest_framework() == []

    @pytest.mark.parametrize(
        ("handler_class", "problem"),
        [
            ("tests.apps.extended.extensions.Missing", "cannot import"),
            ("tests.apps.extended.extensions.Conflict", "must name a subclass"),
            (object, "must name a subclass"),
        ],
    )
    def test_a_handler_class_the_handler_cannot_run_is_an_error(
        self, settings: SettingsWrapper, handler_class: object, problem: str
    ) -> None:
        settings.STRICT_CORE_EXCEPTION_HANDLER_CLASS = handler_class

        (error,) = check_rest_framework()
        assert error.id == "strict_core.E023"
        assert error.obj == "STRICT_CORE_EXCEPTION_HANDLER_CLASS"
        assert problem in error.msg

    @pytest.mark.parametrize(
        "pagination",
        [
            "django_strict_core.pagination.StandardCursorPagination",
            StandardPagination,
            type("Mine", (StandardCursorPagination,), {}),
        ],
    )
    def test_this_packages_pagination_and_subclasses_pass(
        self,
        settings: SettingsWrapper,
        rest_framework: dict[str, Any],
        pagination: object,
    ) -> None:
        rest_framework["DEFAULT_PAGINATION_CLASS"] = pagination
        settings.REST_FRAMEWORK = rest_framework

        assert check_rest_framework() == []

    @pytest.mark.parametrize(
        ("pagination", "problem"),
        [
            (None, "is not set: list endpoints return every row"),
            (
                "rest_framework.pagination.LimitOffsetPagination",
                "is rest_framework.pagination.LimitOffsetPagination, not a bounded "
                "pagination class of this package",
            ),
            (
                "no.such.Pagination",
                "names no.such.Pagination, which cannot be imported",
            ),
        ],
    )
    def test_other_pagination_is_an_error(
        self,
        settings: SettingsWrapper,
        rest_framework: dict[str, Any],
        pagination: str | None,
        problem: str,
    ) -> None:
        rest_framework["DEFAULT_PAGINATION_CLASS"] = pagination
        settings.REST_FRAMEWORK = rest_framework

        (error,) = check_rest_framework()
        assert error.id == "strict_core.E009"
        assert error.msg == f"REST_FRAMEWORK['DEFAULT_PAGINATION_CLASS'] {problem}."


class TestCaches:
    @pytest.mark.parametrize("env", ["staging", "production"])
    def test_local_memory_cache_when_deployed_is_a_warning(
        self, settings: SettingsWrapper, env: str
    ) -> None:
        settings.STRICT_CORE_ENV = env
        settings.CACHES = {"default": {"BACKEND": LOCMEM}}

        (warning,) = check_caches()
        assert warning.id == "strict_core.W001"
        assert warning.msg == (
            f"CACHES['default'] uses LocMemCache in {env}: it keeps its data in each "
            "process, so throttling counts and cached sessions are per worker."
        )

    def test_dummy_cache_and_session_alias_are_checked(
        self, settings: SettingsWrapper
    ) -> None:
        settings.STRICT_CORE_ENV = "production"
        settings.SESSION_CACHE_ALIAS = "sessions"
        settings.CACHES = {
            "default": {"BACKEND": REDIS, "LOCATION": "redis://localhost:1/0"},
            "sessions": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
        }

        (warning,) = check_caches()
        assert warning.msg.startswith(
            "CACHES['sessions'] uses DummyCache in production"
        )

    @pytest.mark.parametrize("env", ["local", "test", None])
    def test_local_memory_cache_elsewhere_is_fine(
        self, settings: SettingsWrapper, env: str | None
    ) -> None:
        settings.STRICT_CORE_ENV = env
        settings.CACHES = {"default": {"BACKEND": LOCMEM}}

        assert check_caches() == []

    def test_a_shared_cache_in_production_is_fine(
        self, settings: SettingsWrapper
    ) -> None:
        settings.STRICT_CORE_ENV = "production"
        settings.CACHES = {"default": {"BACKEND": REDIS}}

        assert check_caches() == []


class TestAsyncUnsafe:
    ENV: ClassVar[str] = "DJANGO_ALLOW_ASYNC_UNSAFE"

    @pytest.mark.parametrize("env", ["local", "test"])
    def test_allowed_in_local_and_test(
        self,
        settings: SettingsWrapper,
        monkeypatch: pytest.MonkeyPatch,
        env: str,
    ) -> None:
        settings.STRICT_CORE_ENV = env
        monkeypatch.setenv(self.ENV, "true")

        assert check_async_unsafe() == []

    @pytest.mark.parametrize(
        ("env", "where"),
        [
            ("production", "STRICT_CORE_ENV is 'production'"),
            ("staging", "STRICT_CORE_ENV is 'staging'"),
            (None, "STRICT_CORE_ENV is not set"),
        ],
    )
    def test_an_error_anywhere_else_including_an_unknown_profile(
        self,
        settings: SettingsWrapper,
        monkeypatch: pytest.MonkeyPatch,
        env: str | None,
        where: str,
    ) -> None:
        if env is None:
            del settings.STRICT_CORE_ENV
        else:
            settings.STRICT_CORE_ENV = env
        monkeypatch.setenv(self.ENV, "1")

        (error,) = check_async_unsafe()
        assert error.id == "strict_core.E010"
        assert error.msg == (
            f"DJANGO_ALLOW_ASYNC_UNSAFE is set in the environment and {where}: "
            "synchronous ORM calls from async code are no longer refused."
        )

    def test_unset_or_empty_variable_is_fine(
        self, settings: SettingsWrapper, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        settings.STRICT_CORE_ENV = "production"
        monkeypatch.delenv(self.ENV, raising=False)
        assert check_async_unsafe() == []

        monkeypatch.setenv(self.ENV, "")
        assert check_async_unsafe() == []
