"""Root URLconf of the bad project: a nested include, a third-party view, an exemption.

It also defines a view and the serializer it uses, as small projects do: the
serializer is no view's ``serializer_class``, and is found because a URLconf module
defines it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import Group
from django.urls import include, path
from rest_framework import serializers
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.decorators import (
    api_view,
    authentication_classes,
    permission_classes,
)
from rest_framework.permissions import IsAdminUser
from rest_framework.response import Response

from tests.projects.checks import views

if TYPE_CHECKING:
    from rest_framework.request import Request


class GroupImportSerializer(serializers.ModelSerializer[Group]):
    """E003: every field, in a URLconf module."""

    class Meta:
        """Serializer options."""

        model = Group
        fields = "__all__"


@api_view(["POST"])
@permission_classes([IsAdminUser])
@authentication_classes([])
def import_group(request: Request) -> Response:
    """Create a group from the request body."""
    serializer = GroupImportSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    serializer.save()
    return Response(serializer.data, status=201)


urlpatterns: list[Any] = [
    path("api/", include("tests.projects.checks.api_urls")),
    path("api/groups/import/", import_group),
    # DRF's own view (it inherits DRF's default authentication): not blamed.
    path("token/", obtain_auth_token),
    # Listed in STRICT_CORE_CHECKS_EXEMPT.
    path("legacy/", views.legacy_report),
]
