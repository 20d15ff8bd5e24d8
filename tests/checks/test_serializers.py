"""strict_core.E003 / E004: model serializers list their fields explicitly."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from django.apps import AppConfig

from django_strict_core.checks.serializers import check_serializers

if TYPE_CHECKING:
    from django.core.checks import CheckMessage
    from pytest_django.fixtures import SettingsWrapper

BAD_APP = "tests.projects.checks.badapp"
SERIALIZERS = f"{BAD_APP}.serializers"


def found(messages: list[CheckMessage]) -> list[tuple[str, str]]:
    """The (id, object) pairs of check messages, in order."""
    return [(str(m.id), str(m.obj)) for m in messages]


@pytest.fixture
def bad_app() -> AppConfig:
    """The bad project's app, created but not installed in the test project."""
    return AppConfig.create(BAD_APP)


def test_reports_all_fields_and_exclude_in_an_apps_serializers_module(
    bad_app: AppConfig,
) -> None:
    assert found(check_serializers(app_configs=[bad_app])) == [
        ("strict_core.E003", f"{SERIALIZERS}.GroupSerializer"),
        ("strict_core.E004", f"{SERIALIZERS}.PermissionSerializer"),
    ]


def test_message_names_serializer_and_module(bad_app: AppConfig) -> None:
    message = check_serializers(app_configs=[bad_app])[0]

    assert message.msg == (
        f"Serializer GroupSerializer in module {SERIALIZERS} sets "
        'Meta.fields = "__all__": every model field, including ones added later, '
        "becomes writable."
    )
    assert message.hint is not None
    assert "List the fields explicitly" in message.hint


def test_exempt_setting_silences_one_serializer(
    bad_app: AppConfig, settings: SettingsWrapper
) -> None:
    settings.STRICT_CORE_CHECKS_EXEMPT = [f"{SERIALIZERS}.GroupSerializer"]

    assert found(check_serializers(app_configs=[bad_app])) == [
        ("strict_core.E004", f"{SERIALIZERS}.PermissionSerializer"),
    ]


def test_serializers_of_the_urlconfs_and_their_imports_are_checked(
    settings: SettingsWrapper,
) -> None:
    settings.ROOT_URLCONF = "tests.projects.checks.urls"

    assert found(check_serializers()) == [
        # Defined in the root URLconf and used by an @api_view function there.
        ("strict_core.E003", "tests.projects.checks.urls.GroupImportSerializer"),
        # Defined in the views module the URLconfs import.
        ("strict_core.E003", "tests.projects.checks.views.RoutedGroupSerializer"),
    ]


def test_serializers_of_routed_views_are_checked_wherever_they_live(
    settings: SettingsWrapper,
) -> None:
    settings.ROOT_URLCONF = "tests.checks.urls_routed_serializer"

    assert found(check_serializers()) == [
        ("strict_core.E003", "tests.checks.routed_serializer.RoutedOnlySerializer"),
    ]


def test_apps_outside_the_check_are_not_reported(settings: SettingsWrapper) -> None:
    settings.ROOT_URLCONF = "tests.projects.checks.urls"

    assert check_serializers(app_configs=[AppConfig.create("tests.apps.notes")]) == []


def test_the_test_project_is_clean() -> None:
    assert check_serializers() == []


def test_third_party_apps_are_not_blamed() -> None:
    # Its package lives in site-packages, so it is not one of the project's apps.
    config = AppConfig.create("rest_framework.authtoken")

    assert check_serializers(app_configs=[config]) == []
