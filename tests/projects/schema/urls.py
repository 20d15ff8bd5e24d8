"""The test project's routes plus the schema routes, under ``api/`` and ``internal/``."""

from django.urls import include, path

urlpatterns = [
    path("", include("tests.urls")),
    path("api/", include("django_strict_core.openapi.urls")),
    path(
        "internal/",
        include("django_strict_core.openapi.urls", namespace="internal"),
    ),
]
