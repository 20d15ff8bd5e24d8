"""A project that mounts the health routes at two other places."""

from django.urls import include, path

urlpatterns = [
    path("ops/", include("django_strict_core.urls")),
    path("", include("django_strict_core.urls", namespace="root")),
]
