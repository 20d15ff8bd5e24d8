"""Routes of the users app."""

from django.urls import path

from apps.users.views import MeView, RegistrationView, TokenView

app_name = "users"

urlpatterns = [
    path("users/", RegistrationView.as_view(), name="register"),
    path("users/me/", MeView.as_view(), name="me"),
    path("auth/token/", TokenView.as_view(), name="token"),
]
