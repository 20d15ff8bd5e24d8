"""Routes of the OpenAPI schema and its docs page.

Mount them where the API lives; ``api/`` gives ``/api/schema/`` and ``/api/docs/``::

    path("api/", include("django_strict_core.openapi.urls")),

``STRICT_CORE_SCHEMA_ACCESS`` says who may read them (docs/api-docs.md). The docs
page needs ``"drf_spectacular_sidecar"`` in ``INSTALLED_APPS`` for Swagger UI's files.
"""

from django.urls import path

from django_strict_core.openapi.views import SCHEMA_URL_NAME, DocsView, SchemaView

app_name = "strict_core_openapi"

urlpatterns = [
    path("schema/", SchemaView.as_view(), name=SCHEMA_URL_NAME),
    path("docs/", DocsView.as_view(), name="docs"),
]
