"""The test project's main app."""

from django.apps import AppConfig


class UsersConfig(AppConfig):
    """Config of the app holding the test project's custom user."""

    name = "tests.apps.users"
    label = "users"
    default_auto_field = "django.db.models.BigAutoField"
