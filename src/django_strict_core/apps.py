"""Django application configuration for django-strict-core."""

from django.apps import AppConfig


class StrictCoreConfig(AppConfig):
    """Application config registered as ``django_strict_core`` in ``INSTALLED_APPS``.

    The label is ``strict_core``; system checks are registered in :meth:`ready`.
    """

    name = "django_strict_core"
    label = "strict_core"
    verbose_name = "Django strict core"

    def ready(self) -> None:
        """Register the strict system checks (docs/checks.md)."""
        # Imported here: the checks import DRF, which needs the app registry.
        from django_strict_core.checks import register_checks  # noqa: PLC0415

        register_checks()
