"""A view whose serializer lives in a module no URLconf imports."""

from typing import Any, ClassVar

from django.contrib.auth.models import Group
from rest_framework import generics

from tests.checks.routed_serializer import RoutedOnlySerializer


class GroupListView(generics.ListAPIView[Group]):
    """Lists groups, ordered, with an explicit policy."""

    queryset = Group.objects.order_by("name")
    serializer_class = RoutedOnlySerializer
    authentication_classes: ClassVar[list[Any]] = []
    permission_classes: ClassVar[list[Any]] = []
