"""Root URLconf of the bad project: a nested include, a third-party view, an exemption."""

from django.urls import include, path
from rest_framework.authtoken.views import obtain_auth_token

from tests.projects.checks import views

urlpatterns = [
    path("api/", include("tests.projects.checks.api_urls")),
    # DRF's own view (it inherits DRF's default authentication): not blamed.
    path("token/", obtain_auth_token),
    # Listed in STRICT_CORE_CHECKS_EXEMPT.
    path("legacy/", views.legacy_report),
]
