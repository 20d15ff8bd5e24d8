"""Routes of the notes test app."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from tests.apps.notes import views

router = SimpleRouter()
router.register("items", views.NoteViewSet, basename="note")

urlpatterns = [
    path("cursor/", views.CursorNoteList.as_view(), name="note-cursor"),
    path("cursor-ordered/", views.OrderedCursorNoteList.as_view(), name="note-ordered"),
    path("staff/", views.StaffNoteList.as_view(), name="note-staff"),
    path("board/", views.BoardNoteList.as_view(), name="note-board"),
    path(
        "by-owner-id/<int:pk>/", views.OwnerIdNoteDetail.as_view(), name="note-owner-id"
    ),
    *router.urls,
]
