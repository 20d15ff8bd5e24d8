"""The shared permission classes, through real requests with token authentication."""

from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from django_strict_core.permissions import IsOwnerOrStaff, owner_key
from tests.apps.notes.models import Note

if TYPE_CHECKING:
    from pytest_django.fixtures import SettingsWrapper

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("postgres_url", "drf_errors"),
]


@pytest.fixture
def drf_errors(settings: SettingsWrapper) -> None:
    """Answer errors with DRF's own handler: these tests assert status codes only."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "EXCEPTION_HANDLER": "rest_framework.views.exception_handler",
    }


def client_for(user: Any | None) -> APIClient:
    """A client sending ``user``'s token, or an anonymous one."""
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def owner() -> Any:
    return get_user_model().objects.create_user("owner")


@pytest.fixture
def other() -> Any:
    return get_user_model().objects.create_user("other")


@pytest.fixture
def staff() -> Any:
    return get_user_model().objects.create_user("staff", is_staff=True)


@pytest.fixture
def note(owner: Any) -> Note:
    return Note.objects.create(owner=owner, title="mine")


class TestReadOnlyOrOwnerOrStaff:
    """``NoteViewSet``: ``ReadOnly | IsOwnerOrStaff``."""

    def test_anonymous_users_read(self, note: Note) -> None:
        client = client_for(None)

        assert client.get("/notes/items/").status_code == 200
        assert client.get(f"/notes/items/{note.pk}/").status_code == 200

    def test_anonymous_users_cannot_write(self, note: Note) -> None:
        client = client_for(None)

        assert client.post("/notes/items/", {"title": "x"}).status_code == 401
        assert client.delete(f"/notes/items/{note.pk}/").status_code == 401

    def test_signed_in_users_create_their_own(self, other: Any) -> None:
        response = client_for(other).post("/notes/items/", {"title": "new"})

        assert response.status_code == 201
        assert response.json()["owner"] == other.pk

    def test_the_owner_changes_the_note(self, owner: Any, note: Note) -> None:
        response = client_for(owner).patch(f"/notes/items/{note.pk}/", {"title": "t"})

        assert response.status_code == 200
        note.refresh_from_db()
        assert note.title == "t"

    def test_another_user_may_read_but_not_change(self, other: Any, note: Note) -> None:
        client = client_for(other)

        assert client.get(f"/notes/items/{note.pk}/").status_code == 200
        assert (
            client.patch(f"/notes/items/{note.pk}/", {"title": "t"}).status_code == 403
        )
        assert client.delete(f"/notes/items/{note.pk}/").status_code == 403
        assert Note.objects.filter(pk=note.pk).exists()

    def test_staff_change_anyones_note(self, staff: Any, note: Note) -> None:
        assert client_for(staff).delete(f"/notes/items/{note.pk}/").status_code == 204

    def test_inactive_staff_are_not_staff(self, staff: Any, note: Note) -> None:
        client = client_for(staff)
        staff.is_active = False
        staff.save()

        # DRF's token authentication refuses inactive users before permissions run.
        assert client.delete(f"/notes/items/{note.pk}/").status_code == 401


class TestOwnerField:
    """``OwnerIdNoteDetail``: ``IsOwnerOrStaff.with_owner_field("owner_id")``."""

    def test_owner_found_through_the_configured_field(
        self, owner: Any, other: Any, note: Note
    ) -> None:
        url = f"/notes/by-owner-id/{note.pk}/"

        assert client_for(owner).get(url).status_code == 200
        assert client_for(other).get(url).status_code == 403
        assert client_for(None).get(url).status_code == 401

    def test_with_owner_field_returns_a_configured_subclass(self) -> None:
        permission = IsOwnerOrStaff.with_owner_field("author")

        assert issubclass(permission, IsOwnerOrStaff)
        assert permission.owner_field == "author"
        assert IsOwnerOrStaff.owner_field == "owner"


class TestStaffOnly:
    def test_only_staff(self, owner: Any, staff: Any) -> None:
        assert client_for(staff).get("/notes/staff/").status_code == 200
        assert client_for(owner).get("/notes/staff/").status_code == 403
        assert client_for(None).get("/notes/staff/").status_code == 401


class TestStaffOrReadOnly:
    def test_everyone_reads(self, owner: Any) -> None:
        assert client_for(None).get("/notes/board/").status_code == 200
        assert client_for(owner).get("/notes/board/").status_code == 200

    def test_only_staff_write(self, owner: Any, staff: Any) -> None:
        assert client_for(None).post("/notes/board/", {"title": "x"}).status_code == 401
        assert (
            client_for(owner).post("/notes/board/", {"title": "x"}).status_code == 403
        )
        assert (
            client_for(staff).post("/notes/board/", {"title": "x"}).status_code == 201
        )


class TestOwnerKey:
    def test_foreign_key_is_read_from_its_column_without_a_query(
        self, note: Note, django_assert_num_queries: Any
    ) -> None:
        fetched = Note.objects.get(pk=note.pk)

        with django_assert_num_queries(0):
            assert owner_key(fetched, "owner") == note.owner_id

    def test_relations_are_followed(self, note: Note) -> None:
        comment = SimpleNamespace(note=note)

        assert owner_key(comment, "note__owner") == note.owner_id

    def test_a_path_may_end_at_a_non_field_attribute(self, note: Note) -> None:
        assert owner_key(note, "owner__pk") == note.owner_id

    def test_plain_attributes_and_model_values(self, owner: Any) -> None:
        assert owner_key(SimpleNamespace(owner=owner), "owner") == owner.pk
        assert owner_key(SimpleNamespace(user_id=7), "user_id") == 7

    def test_an_empty_step_means_no_owner(self) -> None:
        assert owner_key(SimpleNamespace(note=None), "note__owner") is None

    def test_a_missing_one_to_one_target_means_no_owner(self, owner: Any) -> None:
        # The reverse side of a one-to-one raises RelatedObjectDoesNotExist, which is
        # an AttributeError; no such relation exists here, so emulate its class.
        class Missing:
            @property
            def profile(self) -> Any:
                raise Note.DoesNotExist

        assert owner_key(Missing(), "profile__owner") is None

    def test_a_wrong_path_names_itself(self, note: Note) -> None:
        with pytest.raises(
            ImproperlyConfigured, match="'author__id': Note has no attribute 'author'"
        ):
            owner_key(note, "author__id")
