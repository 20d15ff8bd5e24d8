"""strict_core.E020 and E021: the apps the baseline and token authentication need."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import pytest
from django.urls import path
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.response import Response
from rest_framework.views import APIView

from django_strict_core.checks.apps import (
    check_required_apps,
    check_token_authentication,
    needs_token_model,
)
from tests.apps.users.models import User

if TYPE_CHECKING:
    from pytest_django.fixtures import SettingsWrapper
    from rest_framework.request import Request

TOKEN = "rest_framework.authentication.TokenAuthentication"


class OwnToken(TokenAuthentication):
    """Tokens of the project's own model: DRF's token app is not needed."""

    model = User


class TokenView(APIView):
    authentication_classes: ClassVar[list[Any]] = [
        SessionAuthentication,
        TokenAuthentication,
    ]
    permission_classes: ClassVar[list[Any]] = []

    def get(self, request: Request) -> Response:
        return Response({})


class OwnTokenView(TokenView):
    authentication_classes: ClassVar[list[Any]] = [OwnToken]


class SessionView(TokenView):
    authentication_classes: ClassVar[list[Any]] = [SessionAuthentication]


urlpatterns = [
    path("token/", TokenView.as_view()),
    path("token-again/", TokenView.as_view()),
    path("own-token/", OwnTokenView.as_view()),
    path("session/", SessionView.as_view()),
    path(
        "token-by-route/",
        SessionView.as_view(authentication_classes=[TokenAuthentication]),
    ),
]


@pytest.fixture
def without_token_app(settings: SettingsWrapper) -> SettingsWrapper:
    """The test project without ``rest_framework.authtoken``, routing this module."""
    settings.INSTALLED_APPS = [
        app for app in settings.INSTALLED_APPS if app != "rest_framework.authtoken"
    ]
    settings.ROOT_URLCONF = __name__
    return settings


def test_the_test_project_has_the_apps() -> None:
    assert check_required_apps() == []
    assert check_token_authentication() == []


@pytest.mark.parametrize("app", ["rest_framework", "drf_spectacular"])
def test_a_missing_required_app_is_named(settings: SettingsWrapper, app: str) -> None:
    settings.INSTALLED_APPS = [
        entry for entry in settings.INSTALLED_APPS if entry != app
    ]

    (message,) = check_required_apps()

    assert message.id == "strict_core.E020"
    assert message.msg.startswith(f"INSTALLED_APPS does not include {app!r}")
    assert (
        message.hint == f'Add "{app}" to INSTALLED_APPS, before "django_strict_core".'
    )


def test_token_authentication_without_the_token_app_is_reported_where_it_is_used(
    without_token_app: SettingsWrapper,
) -> None:
    messages = {str(m.obj): m for m in check_token_authentication()}

    assert set(messages) == {
        "REST_FRAMEWORK",
        f"{__name__}.TokenView",
        f"{__name__}.SessionView",
    }
    assert {m.id for m in messages.values()} == {"strict_core.E021"}
    assert messages["REST_FRAMEWORK"].msg == (
        "REST_FRAMEWORK['DEFAULT_AUTHENTICATION_CLASSES'] uses "
        f"{TOKEN}, but 'rest_framework.authtoken' is not in "
        "INSTALLED_APPS: every request with an 'Authorization: Token …' header fails "
        "with a server error."
    )
    assert messages[f"{__name__}.TokenView"].hint == (
        'Add "rest_framework.authtoken" to INSTALLED_APPS and run migrate, or '
        "authenticate without DRF's Token model."
    )


def test_the_setting_alone_when_views_use_their_own_token_model(
    without_token_app: SettingsWrapper,
) -> None:
    without_token_app.ROOT_URLCONF = "tests.projects.deploy.urls"

    assert [str(m.obj) for m in check_token_authentication()] == ["REST_FRAMEWORK"]

    without_token_app.REST_FRAMEWORK = {
        **without_token_app.REST_FRAMEWORK,
        "DEFAULT_AUTHENTICATION_CLASSES": [f"{__name__}.OwnToken", "not.importable"],
    }

    assert check_token_authentication() == []


def test_only_token_classes_without_their_own_model_need_the_app() -> None:
    assert needs_token_model([TOKEN, OwnToken, SessionAuthentication, "nowhere.X"]) == [
        TOKEN
    ]
