"""Routes of the server test project."""

from django.urls import path

from tests.projects.server import views

urlpatterns = [
    path("api/client/", views.ClientView.as_view()),
    path("api/echo/", views.EchoView.as_view()),
    path("echo/", views.echo),
]
