"""Root URLconf of the extended project: its API and the health routes elsewhere."""

from django.urls import include, path

from tests.apps.extended import views

urlpatterns = [
    path("api/numbers/", views.NumberList.as_view()),
    path("api/notes/", views.NoteWrite.as_view()),
    path("api/notes/<int:pk>/", views.NoteDetail.as_view()),
    path("ops/", include("django_strict_core.urls")),
]
