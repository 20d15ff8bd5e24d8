"""The error envelope's test app."""

from django.apps import AppConfig


class ErrorsAppConfig(AppConfig):
    """Config of the app whose views raise every kind of API error."""

    name = "tests.errorsapp"
    label = "errorsapp"
    default_auto_field = "django.db.models.BigAutoField"
