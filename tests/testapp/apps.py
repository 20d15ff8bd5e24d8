"""The test project's main app."""

from django.apps import AppConfig


class TestAppConfig(AppConfig):
    """Config of the app holding the test project's custom user."""

    name = "tests.testapp"
    label = "testapp"
    default_auto_field = "django.db.models.BigAutoField"
