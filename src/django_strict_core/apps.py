"""Django application configuration for django-strict-core."""

from django.apps import AppConfig


class StrictCoreConfig(AppConfig):
    """Application config registered as ``django_strict_core`` in ``INSTALLED_APPS``.

    The label is ``strict_core``; system checks and the counting of failed logins
    are registered in :meth:`ready`.
    """

    name = "django_strict_core"
    label = "strict_core"
    verbose_name = "Django strict core"

    def ready(self) -> None:
        """Register the strict system checks (docs/checks.md) and count failed logins.

        Every ``user_login_failed`` counts against its client's ``login`` rate
        (docs/throttling.md).
        """
        # Imported here: the checks import DRF, which needs the app registry.
        from django.contrib.auth.signals import user_login_failed  # noqa: PLC0415

        from django_strict_core.checks import register_checks  # noqa: PLC0415
        from django_strict_core.logins import count_failed_login  # noqa: PLC0415

        register_checks()
        user_login_failed.connect(
            count_failed_login, dispatch_uid="django_strict_core.logins"
        )
