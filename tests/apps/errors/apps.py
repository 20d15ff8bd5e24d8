"""The error envelope's test app."""

from django.apps import AppConfig


class ErrorsConfig(AppConfig):
    """Config of the app whose views raise every kind of API error."""

    name = "tests.apps.errors"
    label = "errors"
    default_auto_field = "django.db.models.BigAutoField"
