"""A serializer that only a routed view's ``serializer_class`` leads to."""

from django.contrib.auth.models import Group
from rest_framework import serializers


class RoutedOnlySerializer(serializers.ModelSerializer[Group]):
    """E003: every field."""

    class Meta:
        """Serializer options."""

        model = Group
        fields = "__all__"
