"""URLs of django-strict-core: the health routes.

Mount them where the project wants them; ``api/`` gives ``/api/health/``::

    path("api/", include("django_strict_core.urls")),
"""

from django.urls import path

from django_strict_core.healthcheck.routes import LIVE, READY, READY_ALIAS
from django_strict_core.healthcheck.views import health, live

app_name = "strict_core"

urlpatterns = [
    path(READY, health, name="health"),
    path(READY_ALIAS, health, name="ready"),
    path(LIVE, live, name="live"),
]
