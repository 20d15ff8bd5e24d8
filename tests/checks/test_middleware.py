"""strict_core.E011 / E012: this package's middleware is present and in order."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from django_strict_core.checks.middleware import (
    DEBUG_ENVELOPE,
    HEALTH_CHECK,
    REQUEST_ID,
    check_middleware,
)

if TYPE_CHECKING:
    from pytest_django.fixtures import SettingsWrapper

SECURITY = "django.middleware.security.SecurityMiddleware"
SESSIONS = "django.contrib.sessions.middleware.SessionMiddleware"
COMMON = "django.middleware.common.CommonMiddleware"
DJANGOS = [
    SECURITY,
    SESSIONS,
    COMMON,
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
CONTRACT = [REQUEST_ID, HEALTH_CHECK, DEBUG_ENVELOPE, *DJANGOS]


def run(settings: SettingsWrapper, middleware: list[str]) -> list[tuple[str, str]]:
    """Run the check on ``middleware``; return (id, message) pairs."""
    settings.MIDDLEWARE = middleware
    return [(str(m.id), m.msg) for m in check_middleware()]


def test_the_documented_order_passes(settings: SettingsWrapper) -> None:
    assert run(settings, CONTRACT) == []


def test_health_check_right_after_request_id_is_not_required(
    settings: SettingsWrapper,
) -> None:
    # Only "before SecurityMiddleware and CommonMiddleware" is required.
    assert run(settings, [REQUEST_ID, SESSIONS, HEALTH_CHECK, SECURITY, COMMON]) == []


def test_missing_middleware_is_reported_by_name(settings: SettingsWrapper) -> None:
    assert run(settings, DJANGOS) == [
        (
            "strict_core.E011",
            f"MIDDLEWARE does not include {REQUEST_ID}, which gives each request an "
            "id for the logs and the X-Request-ID header.",
        ),
        (
            "strict_core.E011",
            f"MIDDLEWARE does not include {HEALTH_CHECK}, which answers container "
            "probes before host and SSL checks.",
        ),
    ]


def test_request_id_must_come_first(settings: SettingsWrapper) -> None:
    assert run(settings, [HEALTH_CHECK, REQUEST_ID, *DJANGOS]) == [
        (
            "strict_core.E012",
            f"{REQUEST_ID} in MIDDLEWARE must come first, but comes after {HEALTH_CHECK}.",
        )
    ]


@pytest.mark.parametrize(
    ("middleware", "before"),
    [
        ([REQUEST_ID, SECURITY, HEALTH_CHECK, SESSIONS, COMMON], [SECURITY]),
        ([REQUEST_ID, SECURITY, COMMON, HEALTH_CHECK], [SECURITY, COMMON]),
        ([REQUEST_ID, *DJANGOS, HEALTH_CHECK], [SECURITY, COMMON]),
    ],
)
def test_health_check_must_precede_security_and_common(
    settings: SettingsWrapper, middleware: list[str], before: list[str]
) -> None:
    assert run(settings, middleware) == [
        ("strict_core.E012", f"{HEALTH_CHECK} in MIDDLEWARE must come before {other}.")
        for other in before
    ]


def test_entries_are_compared_without_importing(settings: SettingsWrapper) -> None:
    # The entries name modules that need not exist for the check to run.
    assert run(settings, [REQUEST_ID, HEALTH_CHECK, "no.such.Middleware"]) == []


def test_empty_middleware_reports_both(settings: SettingsWrapper) -> None:
    assert [check_id for check_id, _ in run(settings, [])] == ["strict_core.E011"] * 2


def test_the_debug_envelope_is_required_while_debug_is_on(
    settings: SettingsWrapper,
) -> None:
    settings.DEBUG = True

    assert run(settings, [REQUEST_ID, HEALTH_CHECK, *DJANGOS]) == [
        (
            "strict_core.E011",
            f"MIDDLEWARE does not include {DEBUG_ENVELOPE}, which answers API errors "
            "with the envelope while DEBUG is on.",
        )
    ]
    assert run(settings, CONTRACT) == []


def test_the_debug_envelope_may_go_anywhere(settings: SettingsWrapper) -> None:
    settings.DEBUG = True

    assert run(settings, [REQUEST_ID, HEALTH_CHECK, *DJANGOS, DEBUG_ENVELOPE]) == []


def test_without_debug_the_debug_envelope_is_not_required(
    settings: SettingsWrapper,
) -> None:
    settings.DEBUG = False

    assert run(settings, [REQUEST_ID, HEALTH_CHECK, *DJANGOS]) == []
