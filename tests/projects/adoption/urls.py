"""URLs of the adopting project: the health routes."""

from django.urls import include, path

urlpatterns = [
    path("api/", include("django_strict_core.urls")),
]
