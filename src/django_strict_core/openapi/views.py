"""The OpenAPI schema and its Swagger UI page, for ``django_strict_core.openapi.urls``.

- :class:`SchemaView` serves the schema drf-spectacular generates (YAML, or JSON for
  ``Accept: application/json`` or ``?format=json``).
- :class:`DocsView` serves Swagger UI from the project's own static files
  (drf-spectacular-sidecar's copy, gathered by ``collectstatic``): no CDN, and no
  inline script or style, so the page carries a strict ``Content-Security-Policy``.

Who may read them is ``STRICT_CORE_SCHEMA_ACCESS``: ``public``, ``staff`` (active
staff users, authenticated by the project's ``DEFAULT_AUTHENTICATION_CLASSES``) or
``off`` (both answer 404). The default is ``public`` in the ``local`` and ``test``
profiles and ``staff`` in every other. Errors answer with the error envelope as JSON,
whatever the route renders on success.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import set_query_parameters
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import exceptions
from rest_framework.permissions import BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from django_strict_core.app_settings import app_settings
from django_strict_core.permissions import is_active_staff

if TYPE_CHECKING:
    from rest_framework.request import Request

__all__ = [
    "DocsView",
    "SchemaAccess",
    "SchemaView",
    "csrf_header_name",
    "schema_access",
]

SCHEMA_URL_NAME = "schema"
# Every resource from this origin; images also as data: URIs (Swagger UI's icons).
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
# Swagger UI calls a public validator for a badge unless told not to.
SWAGGER_UI_DEFAULTS = {"validatorUrl": None}


def schema_access() -> str:
    """Return who may read the schema routes: ``public``, ``staff`` or ``off``.

    Returns:
        ``STRICT_CORE_SCHEMA_ACCESS``, or its default for the profile.
    """
    return app_settings.STRICT_CORE_SCHEMA_ACCESS


class SchemaAccess(BasePermission):
    """Everyone when the schema routes are public, active staff users otherwise."""

    def has_permission(self, request: Request, view: APIView) -> bool:  # noqa: ARG002
        """Allow the request as ``STRICT_CORE_SCHEMA_ACCESS`` says.

        Returns:
            True when the routes are public or the user is active staff.
        """
        return schema_access() == "public" or is_active_staff(request)


class _SchemaRoute(APIView):
    """What both routes share: access, authentication and JSON error envelopes."""

    permission_classes = (SchemaAccess,)
    # The project's own, so that staff sign in as they do everywhere else.
    authentication_classes = tuple(APIView.authentication_classes)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        """Answer 404, like an unknown route, when the routes are off.

        Raises:
            NotFound: When ``STRICT_CORE_SCHEMA_ACCESS`` is ``off``.
        """
        if schema_access() == "off":
            raise exceptions.NotFound
        super().initial(request, *args, **kwargs)

    def handle_exception(self, exc: Exception) -> Response:
        """Answer the error envelope as JSON, not as YAML or HTML.

        Returns:
            The exception handler's response, rendered by ``JSONRenderer``.
        """
        response = super().handle_exception(exc)
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response


class SchemaView(_SchemaRoute, SpectacularAPIView):
    """The OpenAPI schema of the project's API."""


class DocsView(_SchemaRoute, SpectacularSwaggerSplitView):
    """Swagger UI for the schema, from the project's static files.

    The page loads Swagger UI's files from drf-spectacular-sidecar (through
    ``{% static %}``) and its start-up script from this route itself
    (``?script``), so it needs no CDN and no inline code. ``SWAGGER_UI_SETTINGS``
    applies; the online validator badge is off unless it sets ``validatorUrl``.
    """

    template_name = "django_strict_core/openapi/swagger_ui.html"

    @extend_schema(exclude=True)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:  # noqa: ARG002
        """Answer the page, or its start-up script for ``?script``.

        Returns:
            The HTML page or the JavaScript, each with a strict
            ``Content-Security-Policy`` and a same-origin resource policy.
        """
        headers = {
            "Content-Security-Policy": CONTENT_SECURITY_POLICY,
            # The script holds a CSRF token: no other site may load it.
            "Cross-Origin-Resource-Policy": "same-origin",
        }
        if request.GET.get("script") is not None:
            return Response(
                data={
                    "schema_url": self.schema_url(request),
                    "settings": self.swagger_settings(),
                    "oauth2_config": _javascript(
                        spectacular_settings.SWAGGER_UI_OAUTH2_CONFIG
                    ),
                    "csrf_header_name": csrf_header_name(),
                    "schema_auth_names": _javascript(self.schema_auth_names()),
                },
                template_name=self.template_name_js,
                content_type="application/javascript",
                headers=headers,
            )
        return Response(
            data={
                "title": spectacular_settings.TITLE,
                "swagger_ui_css": self.sidecar("swagger-ui.css"),
                "swagger_ui_bundle": self.sidecar("swagger-ui-bundle.js"),
                "swagger_ui_standalone": self.sidecar(
                    "swagger-ui-standalone-preset.js"
                ),
                "favicon_href": self.sidecar("favicon-32x32.png"),
                "script_url": set_query_parameters(
                    url=request.path, lang=request.GET.get("lang"), script=""
                ),
            },
            template_name=self.template_name,
            headers=headers,
        )

    def schema_url(self, request: Request) -> str:
        """Return the URL of the schema route mounted beside this one.

        Returns:
            The path, with the page's ``lang`` and ``version`` passed on.
        """
        match = request.resolver_match
        namespace = match.namespace if match is not None else ""
        name = f"{namespace}:{SCHEMA_URL_NAME}" if namespace else SCHEMA_URL_NAME
        return str(
            set_query_parameters(
                url=reverse(name),
                lang=request.GET.get("lang"),
                version=request.GET.get("version"),
            )
        )

    def schema_auth_names(self) -> list[str]:
        """Return the schema's names of this route's authentication methods.

        Swagger UI sends the credentials entered for them with its request for a
        schema that is not public.

        Returns:
            The security scheme names; none when ``SERVE_PUBLIC`` is set.
        """
        if spectacular_settings.SERVE_PUBLIC:
            return []
        matches = (
            OpenApiAuthenticationExtension.get_match(cls)
            for cls in self.authentication_classes
        )
        return [str(match.name) for match in matches if match]

    @staticmethod
    def swagger_settings() -> str:
        """Return ``SWAGGER_UI_SETTINGS`` as JavaScript, without the validator badge."""
        configured = spectacular_settings.SWAGGER_UI_SETTINGS
        if isinstance(configured, str):
            return configured
        return _javascript({**SWAGGER_UI_DEFAULTS, **configured})

    @staticmethod
    def sidecar(filename: str) -> str:
        """Return the static URL of one of Swagger UI's files."""
        return static(f"drf_spectacular_sidecar/swagger-ui-dist/{filename}")


def csrf_header_name() -> str:
    """Return the header Django reads the CSRF token from, as a client writes it.

    Returns:
        ``CSRF_HEADER_NAME`` without Django's ``HTTP_`` prefix, e.g. ``X-CSRFTOKEN``.
    """
    return settings.CSRF_HEADER_NAME.removeprefix("HTTP_").replace("_", "-")


def _javascript(value: object) -> str:
    """Return a setting as a JavaScript literal; a string is JavaScript already."""
    return value if isinstance(value, str) else json.dumps(value, indent=2)
