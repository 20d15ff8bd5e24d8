"""URLs of the production-configured project: only code that obeys the strict rules."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("django_strict_core.urls")),
]
