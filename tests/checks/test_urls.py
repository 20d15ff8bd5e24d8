"""Walking the URLconf: every DRF route is found, with its full pattern."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpResponse
from django.test import override_settings
from django.urls import include, path, re_path
from django.views import View
from django.views.decorators.cache import never_cache
from rest_framework.decorators import api_view
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView
from rest_framework.viewsets import ViewSet

from django_strict_core.checks.urls import Route, api_routes, iter_routes

if TYPE_CHECKING:
    from django.http import HttpRequest
    from pytest_django.fixtures import SettingsWrapper
    from rest_framework.request import Request


class ThingView(APIView):
    def get(self, request: Request) -> Response:
        return Response({})


class ThingViewSet(ViewSet):
    def list(self, request: Request) -> Response:
        return Response([])


class PlainView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse()


@api_view(["GET"])
def thing_function(request: Request) -> Response:
    return Response({})


def plain_function(request: HttpRequest) -> HttpResponse:
    return HttpResponse()


def test_finds_views_in_nested_includes_with_full_patterns() -> None:
    inner = [path("thing/", ThingView.as_view(), name="thing")]
    patterns = [path("api/", include([path("v1/", include(inner))]))]

    assert list(iter_routes(patterns)) == [
        Route(view=ThingView, pattern="api/v1/thing/", name="thing")
    ]


def test_router_regexes_lose_their_anchors_and_keep_actions() -> None:
    router = SimpleRouter()
    router.register("things", ThingViewSet, basename="thing")

    routes = list(iter_routes([path("api/", include(router.urls))]))

    assert [(r.view, r.pattern, r.name) for r in routes] == [
        (ThingViewSet, "api/things/", "thing-list")
    ]
    assert routes[0].initkwargs["basename"] == "thing"


def test_api_view_functions_are_found_and_plain_django_views_are_not() -> None:
    patterns = [
        path("function/", thing_function),
        path("plain-class/", PlainView.as_view()),
        path("plain-function/", plain_function),
        re_path(r"^regex/$", thing_function),
    ]

    routes = list(iter_routes(patterns))

    assert [r.pattern for r in routes] == ["function/", "regex/"]
    assert routes[0].view is thing_function.cls


def test_views_wrapped_by_django_decorators_are_found() -> None:
    routes = list(iter_routes([path("cached/", never_cache(ThingView.as_view()))]))

    assert [r.view for r in routes] == [ThingView]


def test_as_view_arguments_are_kept() -> None:
    view = ThingView.as_view(permission_classes=[])

    (route,) = iter_routes([path("t/", view)])

    assert route.initkwargs == {"permission_classes": []}


def test_describe_names_the_pattern_and_the_url_name() -> None:
    assert Route(ThingView, "api/t/", "t").describe() == "'api/t/' (name 't')"
    assert Route(ThingView, "api/t/").describe() == "'api/t/'"


@override_settings(ROOT_URLCONF="tests.projects.checks.urls")
def test_api_routes_walks_root_urlconf() -> None:
    patterns = {route.pattern for route in api_routes()}

    assert {"api/v1/groups/", "api/ping/", "token/", "legacy/"} <= patterns
    assert "api/probe/" not in patterns


def test_api_routes_is_empty_without_root_urlconf(settings: SettingsWrapper) -> None:
    del settings.ROOT_URLCONF

    assert api_routes() == []
