"""Routes of the logging test project."""

from django.urls import path

from tests.projects.logs import views

urlpatterns = [
    path("sync/", views.sync_view),
    path("async/", views.async_view),
    path("orm/", views.orm_view),
    path("user/", views.user_view),
    path("user/async/", views.async_user_view),
    path("file/", views.file_view),
    path("stream/sync/", views.sync_stream_view),
    path("stream/async/", views.async_stream_view),
    path("error/", views.error_view),
    path("hostile/", views.hostile_message_view),
    path("api/error/", views.FailingAPIView.as_view()),
    path("api/unordered/", views.UnorderedUserListView.as_view()),
    path("api/health/live/", views.health_view),
]
