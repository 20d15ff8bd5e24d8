"""A URLconf that imports a view, not the module of the view's serializer."""

from django.urls import path

from tests.checks.routed_view import GroupListView

urlpatterns = [path("groups/", GroupListView.as_view())]
