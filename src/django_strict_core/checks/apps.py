"""The apps the baseline relies on are installed.

- ``rest_framework`` and ``drf_spectacular`` (``strict_core.E020``): DRF's templates,
  static files and checks, and the schema this package's ``AutoSchema`` builds;
  ``drf_spectacular_sidecar`` too where the docs page of
  ``django_strict_core.openapi.urls`` is routed: it holds Swagger UI's files.
- ``rest_framework.authtoken`` wherever ``TokenAuthentication`` is used
  (``strict_core.E021``): it holds the ``Token`` model, and without it every request
  that carries an ``Authorization: Token …`` header fails with a 500. A
  ``TokenAuthentication`` subclass with its own ``model`` does not need it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.conf import settings
from django.core.checks import Error
from django.utils.module_loading import import_string
from rest_framework.authentication import TokenAuthentication

from django_strict_core.checks.exemptions import dotted_path, is_judged
from django_strict_core.checks.urls import api_routes
from django_strict_core.checks.views import declares

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from django.apps import AppConfig
    from django.core.checks import CheckMessage

REQUIRED_APPS = {
    "rest_framework": "Django REST framework",
    "drf_spectacular": "the OpenAPI schema (drf-spectacular)",
}
AUTHTOKEN_APP = "rest_framework.authtoken"
SIDECAR_APP = "drf_spectacular_sidecar"


def check_required_apps(**_kwargs: Any) -> list[CheckMessage]:
    """Report an app the baseline relies on missing from ``INSTALLED_APPS``.

    ``rest_framework`` and ``drf_spectacular`` always; ``drf_spectacular_sidecar``
    when a URL pattern routes to the docs page
    (:class:`~django_strict_core.openapi.views.DocsView`).

    Args:
        **_kwargs: What Django passes to every check.

    Returns:
        ``strict_core.E020`` errors, one per missing app.
    """
    required = dict(REQUIRED_APPS)
    if not apps.is_installed(SIDECAR_APP):
        docs = next((route for route in api_routes() if is_docs(route.view)), None)
        if docs is not None:
            required[SIDECAR_APP] = (
                f"Swagger UI's files, which the docs page at {docs.describe()} loads"
            )
    return [
        Error(
            f"INSTALLED_APPS does not include {app!r}, which the baseline needs for "
            f"{purpose}.",
            hint=f'Add "{app}" to INSTALLED_APPS, before "django_strict_core".',
            obj="INSTALLED_APPS",
            id="strict_core.E020",
        )
        for app, purpose in required.items()
        if not apps.is_installed(app)
    ]


def is_docs(view: type[Any]) -> bool:
    """Whether a routed view is this package's docs page or a subclass of it."""
    # Imported here: the views import drf-spectacular's, which read its settings.
    from django_strict_core.openapi.views import DocsView  # noqa: PLC0415

    return issubclass(view, DocsView)


def needs_token_model(entries: Iterable[Any]) -> list[str]:
    """Return the authentication classes among ``entries`` that use DRF's ``Token``.

    Args:
        entries: Dotted paths or classes; paths that cannot be imported are skipped.

    Returns:
        The dotted paths of ``TokenAuthentication`` classes without a ``model``.
    """
    found = []
    for entry in entries:
        try:
            cls = import_string(entry) if isinstance(entry, str) else entry
        except ImportError:
            continue
        if (
            isinstance(cls, type)
            and issubclass(cls, TokenAuthentication)
            and cls.model is None
        ):
            found.append(f"{cls.__module__}.{cls.__qualname__}")
    return found


def check_token_authentication(
    app_configs: Sequence[AppConfig] | None = None, **_kwargs: Any
) -> list[CheckMessage]:
    """Report ``TokenAuthentication`` used without ``rest_framework.authtoken`` installed.

    Checked: ``REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]`` and the
    ``authentication_classes`` that routed project views declare.

    Args:
        app_configs: Restrict the views checked to these apps.
        **_kwargs: What Django passes to every check.

    Returns:
        ``strict_core.E021`` errors: one for the setting, one per view.
    """
    if apps.is_installed(AUTHTOKEN_APP):
        return []
    config = getattr(settings, "REST_FRAMEWORK", None) or {}
    users: dict[str, list[str]] = {}
    defaults = needs_token_model(config.get("DEFAULT_AUTHENTICATION_CLASSES") or ())
    if defaults and app_configs is None:
        users["REST_FRAMEWORK['DEFAULT_AUTHENTICATION_CLASSES']"] = defaults
    for route in api_routes():
        where = f"View {dotted_path(route.view)}"
        if where in users or not is_judged(route.view, app_configs):
            continue
        if declares(route, "authentication_classes"):
            classes = route.initkwargs.get(
                "authentication_classes", route.view.authentication_classes
            )
            found = needs_token_model(classes)
            if found:
                users[where] = found
    return [
        Error(
            f"{where} uses {', '.join(classes)}, but {AUTHTOKEN_APP!r} is not in "
            "INSTALLED_APPS: every request with an 'Authorization: Token …' header "
            "fails with a server error.",
            hint=f'Add "{AUTHTOKEN_APP}" to INSTALLED_APPS and run migrate, or '
            "authenticate without DRF's Token model.",
            obj=where.removeprefix("View ").split("[")[0],
            id="strict_core.E021",
        )
        for where, classes in users.items()
    ]
