"""Both stacks' list endpoints and health checks."""

from __future__ import annotations

from django.urls import include, path
from health_check.views import HealthCheckView

from baseline_site.views import OurArticles, TheirArticles

urlpatterns = [
    path("api/", include("django_strict_core.urls")),
    path("api/ours/articles/", OurArticles.as_view()),
    path("api/theirs/articles/", TheirArticles.as_view()),
    path(
        "ht/",
        HealthCheckView.as_view(checks=["health_check.Database", "health_check.Cache"]),
    ),
]
