"""System checks that turn the strict rules into ``manage.py check`` errors.

Ids are stable: ``strict_core.E001``… for errors and ``strict_core.W001``… for
warnings (docs/checks.md lists them all). :class:`~django_strict_core.apps.StrictCoreConfig`
registers them when Django starts; every check carries the ``strict_core`` tag, so
``manage.py check --tag strict_core`` runs only these. Silence one id with Django's
``SILENCED_SYSTEM_CHECKS``; exempt one view or serializer as described in
:mod:`django_strict_core.checks.exemptions`.
"""

from __future__ import annotations

from django.core.checks import Tags, register

from django_strict_core.checks.apps import (
    check_required_apps,
    check_token_authentication,
)
from django_strict_core.checks.built import (
    check_baseline_kept,
    check_environment_settings,
    check_project_settings_kept,
)
from django_strict_core.checks.database import check_database_url
from django_strict_core.checks.exemptions import check_exempt_setting
from django_strict_core.checks.middleware import check_middleware
from django_strict_core.checks.page_ordering import check_page_ordering
from django_strict_core.checks.pagination import check_cursor_ordering
from django_strict_core.checks.serializers import check_serializers
from django_strict_core.checks.settings import (
    check_async_unsafe,
    check_caches,
    check_rest_framework,
    check_user_model,
)
from django_strict_core.checks.views import check_views

__all__ = [
    "TAG",
    "check_async_unsafe",
    "check_baseline_kept",
    "check_caches",
    "check_cursor_ordering",
    "check_database_url",
    "check_environment_settings",
    "check_exempt_setting",
    "check_middleware",
    "check_page_ordering",
    "check_project_settings_kept",
    "check_required_apps",
    "check_rest_framework",
    "check_serializers",
    "check_token_authentication",
    "check_user_model",
    "check_views",
    "register_checks",
]

TAG = "strict_core"


def register_checks() -> None:
    """Register every strict check with Django's check framework.

    Registering twice is harmless: the registry is a set of functions.
    """
    register(check_views, TAG, Tags.security, Tags.urls)
    register(check_serializers, TAG, Tags.security)
    register(check_cursor_ordering, TAG, Tags.urls)
    register(check_user_model, TAG, Tags.models)
    register(check_rest_framework, TAG, Tags.security)
    register(check_caches, TAG, Tags.caches)
    register(check_async_unsafe, TAG, Tags.async_support)
    register(check_middleware, TAG)
    register(check_exempt_setting, TAG)
    register(check_environment_settings, TAG, Tags.security)
    register(check_baseline_kept, TAG, Tags.security)
    register(check_project_settings_kept, TAG)
    # Not Tags.database: Django 6.1 runs those only with --database, and this check
    # reads settings, never a connection.
    register(check_database_url, TAG, Tags.security)
    register(check_required_apps, TAG)
    register(check_token_authentication, TAG, Tags.security)
    register(check_page_ordering, TAG, Tags.urls)
