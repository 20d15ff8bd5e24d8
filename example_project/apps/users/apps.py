"""The users app: the project's custom user model and its API."""

from django.apps import AppConfig


class UsersConfig(AppConfig):
    """Configuration of the users app."""

    name = "apps.users"
    label = "users"
    default_auto_field = "django.db.models.BigAutoField"
