"""A root URLconf as a project adopting the library writes it: the error handlers."""

from django.urls import include, path

from tests.apps.errors import plain

urlpatterns = [
    path("", include("tests.urls")),
    path("site/fail/<str:kind>/", plain.fail),
    path("site/submit/", plain.submit),
    path("site/remember/", plain.remember),
]

handler400 = "django_strict_core.views.bad_request"
handler403 = "django_strict_core.views.permission_denied"
handler404 = "django_strict_core.views.page_not_found"
handler500 = "django_strict_core.views.server_error"
