"""strict_core.E022: page-number and offset pagination over an ordered queryset only."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.db.models import Count
from django.urls import path
from rest_framework.filters import OrderingFilter
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.pagination import CursorPagination, LimitOffsetPagination

from django_strict_core.checks.page_ordering import (
    check_page_ordering,
    unordered_queryset,
)
from django_strict_core.pagination import StandardPagination
from tests.apps.notes.models import Note
from tests.apps.notes.serializers import NoteSerializer

if TYPE_CHECKING:
    from pytest_django.fixtures import SettingsWrapper


class Unordered(ListAPIView[Note]):
    permission_classes: ClassVar[list[Any]] = []
    authentication_classes: ClassVar[list[Any]] = []
    queryset = Note.objects.all()
    serializer_class = NoteSerializer
    pagination_class = StandardPagination


class OffsetUnordered(Unordered):
    pagination_class = LimitOffsetPagination


class Grouped(Unordered):
    queryset = Note.objects.values("owner").annotate(n=Count("pk"))  # type: ignore[assignment]


class OrderedByQuery(Unordered):
    queryset = Note.objects.order_by("-created_at", "-pk")


class OrderedByFilter(Unordered):
    filter_backends: ClassVar[list[Any]] = [OrderingFilter]
    ordering = ("title",)


class FilterWithoutDefault(Unordered):
    filter_backends: ClassVar[list[Any]] = [OrderingFilter]


class Cursor(Unordered):
    pagination_class = CursorPagination


class NotPaginated(Unordered):
    pagination_class = None


class Detail(RetrieveAPIView[Note]):
    permission_classes: ClassVar[list[Any]] = []
    authentication_classes: ClassVar[list[Any]] = []
    queryset = Note.objects.all()
    serializer_class = NoteSerializer


class PerRequest(Unordered):
    queryset = None  # type: ignore[assignment]

    def get_queryset(self) -> Any:
        return Note.objects.all()


urlpatterns = [
    path("unordered/", Unordered.as_view(), name="unordered"),
    path("unordered-again/", Unordered.as_view()),
    path("offset/", OffsetUnordered.as_view()),
    path("grouped/", Grouped.as_view()),
    path("ordered/", OrderedByQuery.as_view()),
    path("filtered/", OrderedByFilter.as_view()),
    path("filter-without-default/", FilterWithoutDefault.as_view()),
    path("cursor/", Cursor.as_view()),
    path("not-paginated/", NotPaginated.as_view()),
    path("detail/<int:pk>/", Detail.as_view()),
    path("per-request/", PerRequest.as_view()),
]


def test_reports_each_unordered_paginated_list_once(
    settings: SettingsWrapper,
) -> None:
    settings.ROOT_URLCONF = __name__

    messages = {str(m.obj): m for m in check_page_ordering()}

    assert set(messages) == {
        f"{__name__}.{name}"
        for name in ("Unordered", "OffsetUnordered", "Grouped", "FilterWithoutDefault")
    }
    message = messages[f"{__name__}.Unordered"]
    assert message.id == "strict_core.E022"
    assert message.msg == (
        f"View {__name__}.Unordered at URL pattern 'unordered/' (name 'unordered') "
        "pages through Note rows with StandardPagination but its queryset has no "
        "ordering: pages may repeat or skip rows."
    )
    assert message.hint == (
        'Order the queryset: queryset = Note.objects.order_by("-pk") (or a field '
        "and then pk), or give notes.Note a Meta.ordering."
    )


def test_a_model_ordering_counts() -> None:
    class ByName(Unordered):
        queryset = Note.objects.all()

    original = Note._meta.ordering
    Note._meta.ordering = ["title"]
    try:
        assert unordered_queryset(ByName) is None
    finally:
        Note._meta.ordering = original
    assert unordered_queryset(ByName) is not None


def test_a_manager_as_queryset_is_checked_like_its_queryset() -> None:
    class ManagerQueryset(Unordered):
        queryset = Note.objects  # type: ignore[assignment]

    assert unordered_queryset(ManagerQueryset) is not None


def test_the_test_project_is_clean() -> None:
    assert check_page_ordering() == []
