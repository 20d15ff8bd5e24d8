"""strict_core.E013: cursor-paginated views start their ordering with a usable column."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.urls import path
from rest_framework.filters import OrderingFilter
from rest_framework.generics import ListAPIView
from rest_framework.pagination import CursorPagination

from django_strict_core.checks.pagination import check_cursor_ordering, cursor_ordering
from django_strict_core.pagination import StandardCursorPagination
from tests.apps.notes.models import Note
from tests.apps.notes.serializers import NoteSerializer

if TYPE_CHECKING:
    from pytest_django.fixtures import SettingsWrapper


class ByRank(StandardCursorPagination):
    ordering = ("rank", "pk")


class NoteList(ListAPIView[Note]):
    permission_classes: ClassVar[list[Any]] = []
    authentication_classes: ClassVar[list[Any]] = []
    queryset = Note.objects.all()
    serializer_class = NoteSerializer
    pagination_class = ByRank


class FilteredNoteList(NoteList):
    filter_backends: ClassVar[list[Any]] = [OrderingFilter]
    ordering = "-created_at"


class DrfDefaultNoteList(NoteList):
    pagination_class = CursorPagination  # DRF's default ordering is "-created"


class DynamicNoteList(NoteList):
    queryset = None  # type: ignore[assignment]

    def get_queryset(self) -> Any:
        return Note.objects.all()


urlpatterns = [
    path("rank/", NoteList.as_view(), name="rank"),
    path("rank-again/", NoteList.as_view()),
    path("filtered/", FilteredNoteList.as_view()),
    path("drf/", DrfDefaultNoteList.as_view()),
    path("dynamic/", DynamicNoteList.as_view()),
]


def test_cursor_ordering_prefers_the_views_ordering_with_an_ordering_filter() -> None:
    assert cursor_ordering(NoteList) == ("rank", "pk")
    assert cursor_ordering(FilteredNoteList) == ("-created_at",)
    assert cursor_ordering(DrfDefaultNoteList) == ("-created",)


def test_views_without_cursor_pagination_are_not_cursor_ordered() -> None:
    from tests.apps.notes.views import NoteViewSet  # noqa: PLC0415

    assert cursor_ordering(NoteViewSet) is None


def test_reports_unusable_orderings_once_per_view(settings: SettingsWrapper) -> None:
    settings.ROOT_URLCONF = __name__

    messages = {str(m.obj): m.msg for m in check_cursor_ordering()}

    assert set(messages) == {f"{__name__}.NoteList", f"{__name__}.DrfDefaultNoteList"}
    assert messages[f"{__name__}.NoteList"] == (
        f"View {__name__}.NoteList at URL pattern 'rank/' (name 'rank') uses cursor "
        "pagination ordered by ('rank', 'pk'), but its first field 'rank' is nullable, "
        "so rows with NULL would be skipped."
    )
    assert (
        "'created' is not a field of notes.Note"
        in messages[f"{__name__}.DrfDefaultNoteList"]
    )
    assert {m.id for m in check_cursor_ordering()} == {"strict_core.E013"}


def test_the_test_project_is_clean() -> None:
    assert check_cursor_ordering() == []
