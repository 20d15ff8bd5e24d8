"""Root URLs: the API under /api/, its schema and docs, and the admin."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("django_strict_core.urls")),
    path("api/", include("django_strict_core.openapi.urls")),
    path("api/", include("apps.users.urls")),
    path("api/", include("apps.articles.urls")),
]

# Errors under /api/ answer with the library's JSON envelope; other paths keep HTML.
handler400 = "django_strict_core.views.bad_request"
handler403 = "django_strict_core.views.permission_denied"
handler404 = "django_strict_core.views.page_not_found"
handler500 = "django_strict_core.views.server_error"
