"""Views of the bad project: some break the strict rules, some show what passes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.http import JsonResponse
from rest_framework import generics, serializers, viewsets
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import (
    action,
    api_view,
    authentication_classes,
    permission_classes,
)
from rest_framework.filters import OrderingFilter
from rest_framework.permissions import AllowAny, IsAdminUser, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from django_strict_core.pagination import StandardCursorPagination

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.http import HttpRequest
    from rest_framework.request import Request


class RoutedGroupSerializer(serializers.ModelSerializer[Group]):
    """E003: every field; found because a routed view uses it."""

    class Meta:
        """Serializer options."""

        model = Group
        fields = "__all__"


class UserListSerializer(serializers.ModelSerializer[Any]):
    """Allowed: explicit fields."""

    class Meta:
        """Serializer options."""

        model = get_user_model()
        fields = ("id", "username", "last_login")


class GroupViewSet(viewsets.ModelViewSet[Group]):
    """E001 and E002: relies on DRF's defaults for both."""

    queryset = Group.objects.order_by("name")
    serializer_class = RoutedGroupSerializer


class ProjectBaseView(APIView):
    """A project base class that declares both: its subclasses pass."""

    authentication_classes: ClassVar[list[Any]] = [TokenAuthentication]
    permission_classes: ClassVar[list[Any]] = [IsAuthenticated]


class AuditedViewSet(ProjectBaseView, viewsets.ViewSet):
    """Passes through its base class; its action narrows permissions per route."""

    def list(self, request: Request) -> Response:
        """List nothing."""
        return Response([])

    @action(detail=False, permission_classes=[IsAdminUser])
    def summary(self, request: Request) -> Response:
        """An admin-only action."""
        return Response({})


@api_view(["GET"])
def ping(request: Request) -> Response:
    """E001 and E002: an @api_view function without the policy decorators."""
    return Response({"pong": True})


@api_view(["GET"])
@permission_classes([AllowAny])
@authentication_classes([])
def status(request: Request) -> Response:
    """Passes: both decorators given (an empty list is an explicit choice)."""
    return Response({"ok": True})


@api_view(["GET"])
def legacy_report(request: Request) -> Response:
    """Would fail, but STRICT_CORE_CHECKS_EXEMPT lists it."""
    return Response({})


class ReportView(APIView):
    """E002 only: declares permissions, inherits DRF's default authentication."""

    permission_classes: ClassVar[list[Any]] = [IsAuthenticated]

    def get(self, request: Request) -> Response:
        """Return nothing."""
        return Response({})


class ExportView(APIView):
    """Would fail, but is exempted by its class attribute."""

    strict_core_exempt = True

    def get(self, request: Request) -> Response:
        """Return nothing."""
        return Response({})


class OpenView(APIView):
    """Passes: its route gives both classes to ``as_view()``."""

    def get(self, request: Request) -> Response:
        """Return nothing."""
        return Response({})


class LastLoginCursorPagination(StandardCursorPagination):
    """Ordered by a nullable column: users who never logged in would be skipped."""

    ordering = "-last_login"


class FeedView(ProjectBaseView, generics.ListAPIView[Any]):
    """E013: cursor pagination over a nullable first field."""

    queryset = get_user_model().objects.all()
    serializer_class = UserListSerializer
    pagination_class = LastLoginCursorPagination


class UnorderedUserListView(ProjectBaseView, generics.ListAPIView[Any]):
    """E022: pages through users (no Meta.ordering) without ordering them."""

    queryset = get_user_model().objects.all()
    serializer_class = UserListSerializer


class OrderedUserListView(ProjectBaseView, generics.ListAPIView[Any]):
    """Passes: the ordering filter's default ordering orders every page."""

    queryset = get_user_model().objects.all()
    serializer_class = UserListSerializer
    filter_backends: ClassVar[list[Any]] = [OrderingFilter]
    ordering = ("username",)


class PerRequestUserListView(ProjectBaseView, generics.ListAPIView[Any]):
    """Not checked: its queryset is only known per request (Django warns then)."""

    serializer_class = UserListSerializer

    def get_queryset(self) -> QuerySet[Any]:
        """Every user."""
        return get_user_model().objects.all()


class TokenView(ObtainAuthToken):
    """E002: DRF's ObtainAuthToken declares permissions but not authentication."""


async def probe(request: HttpRequest) -> JsonResponse:
    """A plain async Django view: not DRF, not checked."""
    return JsonResponse({"ok": True})
