"""Every DRF view declares ``permission_classes`` and ``authentication_classes``.

The rule and its rationale are in docs/rules.md.

"Declares" means the view class, a project base class it inherits from, the
``@permission_classes`` / ``@authentication_classes`` decorators of an ``@api_view``
function, or the route's ``as_view(...)`` / ``@action(...)`` arguments set the value.
Falling through to ``APIView``'s attributes, which are DRF's ``DEFAULT_*`` settings,
does not count.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.checks import Error
from rest_framework.views import APIView

from django_strict_core.checks.exemptions import EXEMPT_SETTING, dotted_path, is_judged
from django_strict_core.checks.urls import api_routes

if TYPE_CHECKING:
    from collections.abc import Sequence

    from django.apps import AppConfig
    from django.core.checks import CheckMessage

    from django_strict_core.checks.urls import Route


@dataclass(frozen=True)
class Declaration:
    """One attribute a DRF view must declare.

    Attributes:
        attribute: The view attribute, e.g. ``permission_classes``.
        default_setting: The ``REST_FRAMEWORK`` key DRF falls back to.
        check_id: The id reported when a view relies on the fallback.
    """

    attribute: str
    default_setting: str
    check_id: str


DECLARATIONS = (
    Declaration("permission_classes", "DEFAULT_PERMISSION_CLASSES", "strict_core.E001"),
    Declaration(
        "authentication_classes", "DEFAULT_AUTHENTICATION_CLASSES", "strict_core.E002"
    ),
)


def declares(route: Route, attribute: str) -> bool:
    """Whether a route's view sets ``attribute`` itself rather than inheriting DRF's default.

    ``@api_view`` always copies the attribute onto the class it generates, but it
    copies DRF's very default object unless the matching decorator was used; so
    the value is compared by identity with the one ``APIView`` holds.

    Returns:
        True when the value is declared by the project.
    """
    if attribute in route.initkwargs:
        return True
    return getattr(route.view, attribute) is not vars(APIView)[attribute]


def is_api_view_function(view: type[APIView]) -> bool:
    """Whether ``view`` is the class DRF's ``@api_view`` generated for a function."""
    return view.__qualname__ == "WrappedAPIView" and view.__bases__ == (APIView,)


def check_views(
    app_configs: Sequence[AppConfig] | None = None, **_kwargs: Any
) -> list[CheckMessage]:
    """Report DRF views that rely on DRF's default permission or authentication classes.

    One message per view and attribute, naming the first URL pattern that routes to
    it (and how many others do).

    Returns:
        ``strict_core.E001`` and ``strict_core.E002`` errors.
    """
    failing: dict[tuple[Declaration, type[APIView]], list[Route]] = {}
    for route in api_routes():
        if not is_judged(route.view, app_configs):
            continue
        for declaration in DECLARATIONS:
            if not declares(route, declaration.attribute):
                failing.setdefault((declaration, route.view), []).append(route)
    return [
        missing_declaration(declaration, view, routes)
        for (declaration, view), routes in failing.items()
    ]


def missing_declaration(
    declaration: Declaration, view: type[APIView], routes: list[Route]
) -> Error:
    """Build the error for a view that does not declare one attribute."""
    path = dotted_path(view)
    where = f"URL pattern {routes[0].describe()}"
    if len(routes) > 1:
        where += f" and {len(routes) - 1} more"
    attribute = declaration.attribute
    if is_api_view_function(view):
        subject = f"@api_view function {path}"
        fix = f"Decorate {view.__name__} with @{attribute}([...]) below @api_view"
    else:
        subject = f"View {path}"
        fix = f"Set {attribute} on {view.__name__} or on a project base class it inherits from"
    return Error(
        f"{subject} at {where} does not declare {attribute}; it falls back to "
        f"REST_FRAMEWORK['{declaration.default_setting}'].",
        hint=f"{fix} (an empty list is an explicit choice too), or list {path!r} in {EXEMPT_SETTING}.",
        obj=path,
        id=declaration.check_id,
    )
