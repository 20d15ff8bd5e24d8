"""The articles app: a small resource with a paginated list."""

from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    """Configuration of the articles app."""

    name = "apps.articles"
    label = "articles"
    default_auto_field = "django.db.models.BigAutoField"
