"""A project's credential endpoints: the admin, Django's and DRF's login views, its own."""

from django.contrib import admin
from django.contrib.auth.views import LoginView
from django.urls import path
from rest_framework.authtoken.views import ObtainAuthToken

from tests.apps.logins import views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/login/", LoginView.as_view(template_name="admin/login.html")),
    path("api/token/", ObtainAuthToken.as_view()),
    path("api/sign-in/", views.SignInView.as_view()),
    path("api/me/", views.ProtectedView.as_view()),
    path("api/open/", views.UnthrottledView.as_view()),
]
