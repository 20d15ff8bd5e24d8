"""The bad project's API routes, included under ``api/``."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from tests.projects.checks import views

# DefaultRouter adds DRF's API root view, which relies on the defaults: not blamed.
router = DefaultRouter()
router.register("groups", views.GroupViewSet, basename="group")
router.register("audited", views.AuditedViewSet, basename="audited")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("ping/", views.ping, name="ping"),
    path("status/", views.status, name="status"),
    path("reports/", views.ReportView.as_view(), name="reports"),
    path("export/", views.ExportView.as_view(), name="export"),
    path(
        "open/",
        views.OpenView.as_view(permission_classes=[], authentication_classes=[]),
        name="open",
    ),
    path("feed/", views.FeedView.as_view(), name="feed"),
    path("my-token/", views.TokenView.as_view(), name="my-token"),
    path("users/", views.UnorderedUserListView.as_view(), name="users"),
    path("users/ordered/", views.OrderedUserListView.as_view(), name="users-ordered"),
    path("users/per-request/", views.PerRequestUserListView.as_view()),
    path("probe/", views.probe, name="probe"),
]
