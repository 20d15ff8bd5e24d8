"""The core app: where the project wires in django-strict-core."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Configuration of the core app."""

    name = "apps.core"
    label = "core"
