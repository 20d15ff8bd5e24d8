"""The notes test app."""

from django.apps import AppConfig


class NotesConfig(AppConfig):
    """Config of the app whose table the pagination and permission tests use."""

    name = "tests.apps.notes"
    label = "notes"
    default_auto_field = "django.db.models.BigAutoField"
