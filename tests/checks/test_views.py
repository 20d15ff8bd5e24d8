"""strict_core.E001 / E002: DRF views declare permission and authentication classes."""

from __future__ import annotations

from inspect import iscoroutinefunction
from typing import TYPE_CHECKING, Any, ClassVar

import pytest
from django.apps import AppConfig, apps
from django.test import override_settings
from django.urls import path
from rest_framework.decorators import api_view, authentication_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.viewsets import ViewSet

from django_strict_core import urls as health_urls
from django_strict_core.checks.urls import iter_routes
from django_strict_core.checks.views import check_views, declares

if TYPE_CHECKING:
    from django.core.checks import CheckMessage
    from pytest_django.fixtures import SettingsWrapper
    from rest_framework.request import Request

    from django_strict_core.checks.urls import Route

BAD_URLS = "tests.projects.checks.urls"


def found(messages: list[CheckMessage]) -> set[tuple[str, str]]:
    """The (id, object) pairs of check messages."""
    return {(str(m.id), str(m.obj)) for m in messages}


class Undeclared(APIView):
    pass


class Declared(APIView):
    permission_classes: ClassVar[list[Any]] = [AllowAny]
    authentication_classes: ClassVar[list[Any]] = []


class InheritsDeclared(Declared):
    pass


class RestatesDefault(APIView):
    permission_classes = APIView.permission_classes


@api_view(["GET"])
def bare(request: Request) -> Response:
    return Response({})


@api_view(["GET"])
@authentication_classes([])
def authenticated_only(request: Request) -> Response:
    return Response({})


def route(view: Any) -> Route:
    (only,) = iter_routes([path("x/", view)])
    return only


class TestDeclares:
    def test_a_class_relying_on_drf_defaults_does_not_declare(self) -> None:
        assert not declares(route(Undeclared.as_view()), "permission_classes")
        assert not declares(route(Undeclared.as_view()), "authentication_classes")

    def test_a_class_declaring_both_declares(self) -> None:
        assert declares(route(Declared.as_view()), "permission_classes")
        assert declares(route(Declared.as_view()), "authentication_classes")

    def test_a_project_base_class_declaring_counts_for_subclasses(self) -> None:
        assert declares(route(InheritsDeclared.as_view()), "permission_classes")

    def test_restating_drfs_default_object_does_not_count(self) -> None:
        assert not declares(route(RestatesDefault.as_view()), "permission_classes")

    def test_api_view_counts_only_the_decorators_that_were_used(self) -> None:
        # @api_view sets both attributes on its class in every case.
        assert "permission_classes" in vars(bare.cls)

        assert not declares(route(bare), "permission_classes")
        assert not declares(route(bare), "authentication_classes")
        assert declares(route(authenticated_only), "authentication_classes")
        assert not declares(route(authenticated_only), "permission_classes")

    def test_as_view_arguments_count_for_that_route(self) -> None:
        view = Undeclared.as_view(permission_classes=[AllowAny])

        assert declares(route(view), "permission_classes")
        assert not declares(route(view), "authentication_classes")

    def test_action_arguments_count_for_the_action_route(self) -> None:
        view = ViewSet.as_view({"get": "list"}, permission_classes=[AllowAny])

        assert declares(route(view), "permission_classes")


@pytest.fixture
def bad_project(settings: SettingsWrapper) -> SettingsWrapper:
    """The deliberately bad URLconf, with one view exempted by the setting."""
    settings.ROOT_URLCONF = BAD_URLS
    settings.STRICT_CORE_CHECKS_EXEMPT = ["tests.projects.checks.views.legacy_report"]
    return settings


@pytest.mark.usefixtures("bad_project")
class TestCheckViews:
    def test_reports_exactly_the_views_that_rely_on_defaults(self) -> None:
        assert found(check_views()) == {
            ("strict_core.E001", "tests.projects.checks.views.GroupViewSet"),
            ("strict_core.E002", "tests.projects.checks.views.GroupViewSet"),
            ("strict_core.E001", "tests.projects.checks.views.ping"),
            ("strict_core.E002", "tests.projects.checks.views.ping"),
            ("strict_core.E002", "tests.projects.checks.views.ReportView"),
            ("strict_core.E002", "tests.projects.checks.views.TokenView"),
        }

    def test_message_names_view_pattern_and_fallback_setting(self) -> None:
        (message,) = [
            m
            for m in check_views()
            if m.obj == "tests.projects.checks.views.ReportView"
        ]

        assert message.msg == (
            "View tests.projects.checks.views.ReportView at URL pattern 'api/reports/' "
            "(name 'reports') does not declare authentication_classes; it falls back "
            "to REST_FRAMEWORK['DEFAULT_AUTHENTICATION_CLASSES']."
        )
        assert message.hint is not None
        assert "Set authentication_classes on ReportView" in message.hint

    def test_a_viewset_is_reported_once_per_attribute_with_its_route_count(
        self,
    ) -> None:
        messages = [
            m
            for m in check_views()
            if m.obj == "tests.projects.checks.views.GroupViewSet"
        ]

        assert len(messages) == 2
        assert "'api/v1/groups/' (name 'group-list') and 3 more" in messages[0].msg

    def test_api_view_function_hint_names_the_decorator(self) -> None:
        message = next(
            m for m in check_views() if m.obj == "tests.projects.checks.views.ping"
        )

        assert message.msg.startswith(
            "@api_view function tests.projects.checks.views.ping"
        )
        assert message.hint is not None
        assert "@permission_classes([...]) below @api_view" in message.hint

    def test_third_party_views_are_not_blamed(self) -> None:
        objects = {str(m.obj) for m in check_views()}

        # DRF's obtain_auth_token and DefaultRouter's API root inherit the defaults.
        assert not any(obj.startswith("rest_framework.") for obj in objects)

    def test_exempt_setting_is_read_when_the_check_runs(
        self, bad_project: SettingsWrapper
    ) -> None:
        bad_project.STRICT_CORE_CHECKS_EXEMPT = []

        assert (
            "strict_core.E001",
            "tests.projects.checks.views.legacy_report",
        ) in found(check_views())

    def test_class_attribute_exempts_the_class_only(self) -> None:
        objects = {str(m.obj) for m in check_views()}

        assert "tests.projects.checks.views.ExportView" not in objects

    def test_restricting_to_other_apps_reports_nothing(self) -> None:
        assert check_views(app_configs=[apps.get_app_config("notes")]) == []

    def test_restricting_to_the_views_app_reports_them(self) -> None:
        config = AppConfig.create("tests.projects.checks")

        assert len(check_views(app_configs=[config])) == 6


@pytest.mark.parametrize("urlconf", ["tests.urls", "tests.projects.deploy.urls"])
def test_the_test_projects_are_clean(urlconf: str) -> None:
    with override_settings(ROOT_URLCONF=urlconf):
        assert check_views() == []


def test_the_librarys_own_health_views_pass() -> None:
    with override_settings(ROOT_URLCONF="django_strict_core.urls"):
        assert check_views() == []

    # They pass because they are plain async Django views that DRF's defaults never
    # reach; should one become a DRF view, it must declare both attributes.
    assert [p.name for p in health_urls.urlpatterns] == ["health", "ready", "live"]
    assert all(iscoroutinefunction(p.callback) for p in health_urls.urlpatterns)
    for health_route in iter_routes(health_urls.urlpatterns):
        assert declares(health_route, "permission_classes"), health_route
        assert declares(health_route, "authentication_classes"), health_route
