"""URLs of django-strict-core: the health routes.

Mount them where the project wants them; ``api/`` gives the seed's ``/api/health/``::

    path("api/", include("django_strict_core.urls")),
"""

from django.urls import path

from django_strict_core.healthcheck.views import health, live

app_name = "strict_core"

urlpatterns = [
    path("health/", health, name="health"),
    path("health/ready/", health, name="ready"),
    path("health/live/", live, name="live"),
]
