"""URLs of the test project."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("notes/", include("tests.apps.notes.urls")),
    path("api/errors/", include("tests.apps.errors.urls")),
    path("api/", include("django_strict_core.urls")),
]
