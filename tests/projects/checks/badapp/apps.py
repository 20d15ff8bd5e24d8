"""Config of the bad project's app."""

from django.apps import AppConfig


class BadAppConfig(AppConfig):
    """The bad project's only app of its own."""

    name = "tests.projects.checks.badapp"
    label = "badapp"
