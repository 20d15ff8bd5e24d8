"""Views of the notes test app; they obey the strict rules (explicit classes)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rest_framework import generics, viewsets
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.filters import OrderingFilter
from rest_framework.permissions import AllowAny, IsAuthenticated

from django_strict_core.pagination import StandardCursorPagination, StandardPagination
from django_strict_core.permissions import (
    IsOwnerOrStaff,
    IsStaff,
    IsStaffOrReadOnly,
    ReadOnly,
)
from tests.apps.notes.models import Note
from tests.apps.notes.serializers import CursorNoteSerializer, NoteSerializer

if TYPE_CHECKING:
    from rest_framework.serializers import BaseSerializer


class NotesAPIView(generics.GenericAPIView[Note]):
    """The project base class: it declares the security attributes once."""

    # Token first: its WWW-Authenticate header makes anonymous requests a 401.
    authentication_classes: ClassVar[list[Any]] = [
        TokenAuthentication,
        SessionAuthentication,
    ]
    permission_classes: ClassVar[list[Any]] = [IsAuthenticated]
    # Tests send many anonymous requests; throttling is not what they exercise.
    throttle_classes: ClassVar[list[Any]] = []
    queryset = Note.objects.order_by("pk")
    serializer_class = NoteSerializer
    pagination_class = StandardPagination


class NoteViewSet(NotesAPIView, viewsets.ModelViewSet[Note]):
    """Anyone reads; signed-in users create; owners and staff change their notes."""

    permission_classes: ClassVar[list[Any]] = [ReadOnly | IsOwnerOrStaff]

    def perform_create(self, serializer: BaseSerializer[Note]) -> None:
        """Save the note as the requesting user's."""
        serializer.save(owner=self.request.user)


class CursorNoteList(NotesAPIView, generics.ListAPIView[Note]):
    """Newest notes first, by cursor; ties on ``created_at`` broken by the key."""

    permission_classes: ClassVar[list[Any]] = [AllowAny]
    serializer_class = CursorNoteSerializer
    pagination_class = type(
        "CreatedCursorPagination",
        (StandardCursorPagination,),
        {"ordering": ("-created_at",)},
    )


class OrderedCursorNoteList(CursorNoteList):
    """Cursor pagination whose ordering the client chooses among ``title`` and ``id``."""

    filter_backends: ClassVar[list[Any]] = [OrderingFilter]
    ordering_fields: ClassVar[list[str]] = ["title", "id"]
    ordering = ("-created_at",)


class StaffNoteList(NotesAPIView, generics.ListAPIView[Note]):
    """Staff only."""

    permission_classes: ClassVar[list[Any]] = [IsStaff]


class BoardNoteList(NotesAPIView, generics.ListCreateAPIView[Note]):
    """Everyone reads, staff writes."""

    permission_classes: ClassVar[list[Any]] = [IsStaffOrReadOnly]

    def perform_create(self, serializer: BaseSerializer[Note]) -> None:
        """Save the note as the requesting user's."""
        serializer.save(owner=self.request.user)


class OwnerIdNoteDetail(NotesAPIView, generics.RetrieveUpdateAPIView[Note]):
    """Owner or staff, the owner found through the ``owner_id`` column."""

    permission_classes: ClassVar[list[Any]] = [
        IsOwnerOrStaff.with_owner_field("owner_id")
    ]
