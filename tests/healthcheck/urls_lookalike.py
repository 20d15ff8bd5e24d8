"""A project with its own view at a path that ends like a health route."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpResponse
from django.urls import path

if TYPE_CHECKING:
    from django.http import HttpRequest


def own_health_page(request: HttpRequest) -> HttpResponse:
    """Not a probe: the project's own page."""
    return HttpResponse("the project's page")


urlpatterns = [
    path("status/health/", own_health_page),
]
