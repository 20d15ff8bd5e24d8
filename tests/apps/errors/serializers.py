"""Serializers with nested, list and dict fields, for the flattening of real errors."""

from __future__ import annotations

from typing import Any, ClassVar

from rest_framework import serializers

from tests.apps.errors.models import Widget


class AddressSerializer(serializers.Serializer[dict[str, Any]]):
    """A nested serializer."""

    city = serializers.CharField(max_length=30)
    zip_code = serializers.RegexField(r"^\d{5}$")


class ItemSerializer(serializers.Serializer[dict[str, Any]]):
    """One order line; used with ``many=True``."""

    name = serializers.CharField(max_length=10)
    quantity = serializers.IntegerField(min_value=1)


class OrderSerializer(serializers.Serializer[dict[str, Any]]):
    """An order: nested serializer, list serializer, list field and dict field."""

    default_error_messages: ClassVar[dict[str, str]] = {
        "blocked_domain": "Orders from this domain are blocked.",
    }

    email = serializers.EmailField()
    address = AddressSerializer()
    items = ItemSerializer(many=True)
    tags = serializers.ListField(child=serializers.CharField(max_length=5))
    meta = serializers.DictField(child=serializers.IntegerField())

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """Refuse one e-mail domain with a serializer-level error of its own code.

        Args:
            attrs: The validated fields.

        Returns:
            The same attributes.
        """
        if str(attrs["email"]).endswith("@blocked.example"):
            self.fail("blocked_domain")
        return attrs


class WidgetInputSerializer(serializers.Serializer[dict[str, Any]]):
    """Input of the widget service: validation is left to the model."""

    name = serializers.CharField()
    quantity = serializers.IntegerField()
    then = serializers.ChoiceField(choices=["commit", "invalid", "crash"])


class WidgetSerializer(serializers.ModelSerializer[Widget]):
    """A widget as listed."""

    class Meta:
        """Serializer options."""

        model = Widget
        fields = ("id", "name", "quantity")


class MessageSerializer(serializers.Serializer[dict[str, Any]]):
    """A free-form answer of the test views."""

    message = serializers.CharField(read_only=True)


class RaiseSerializer(serializers.Serializer[dict[str, Any]]):
    """What ``/raise/`` raises: an exception kind and message, or a detail tree."""

    kind = serializers.CharField(required=False)
    message = serializers.CharField(required=False)
    detail = serializers.JSONField(required=False)
    status = serializers.IntegerField(required=False)
    code = serializers.CharField(required=False)


class EchoSerializer(serializers.Serializer[dict[str, Any]]):
    """A short text, as JSON, a form or multipart (``/upload/``) or JSON only."""

    text = serializers.CharField(max_length=20)
