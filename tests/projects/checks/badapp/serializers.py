"""Serializers of the bad project's app: two forbidden, three allowed.

No view imports this module: the check finds it by importing each app's ``serializers``.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from rest_framework import serializers


class GroupSerializer(serializers.ModelSerializer[Group]):
    """E003: every field."""

    class Meta:
        """Serializer options."""

        model = Group
        fields = "__all__"


class PermissionSerializer(serializers.ModelSerializer[Permission]):
    """E004: every field but one."""

    class Meta:
        """Serializer options."""

        model = Permission
        exclude = ("content_type",)


class UserSerializer(serializers.ModelSerializer[Any]):
    """Allowed: explicit fields."""

    class Meta:
        """Serializer options."""

        model = get_user_model()
        fields = ("id", "username", "last_login")


class ExemptGroupSerializer(serializers.ModelSerializer[Group]):
    """Would fail, but is exempted by its class attribute."""

    strict_core_exempt = True

    class Meta:
        """Serializer options."""

        model = Group
        fields = "__all__"


class AbstractSerializer(serializers.ModelSerializer[Any]):
    """Allowed: a base without a model is never used to save anything."""

    class Meta:
        """Serializer options."""

        fields = "__all__"
