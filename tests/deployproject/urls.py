"""URLs of the production-configured project: only code that obeys the strict rules."""

from django.contrib import admin
from django.urls import path

urlpatterns = [
    path("admin/", admin.site.urls),
]
