"""Pagination over a real PostgreSQL table: sizes, bounds, ordering and bad input."""

from __future__ import annotations

import datetime as dt
from base64 import b64encode
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory

from django_strict_core.pagination import (
    StandardCursorPagination,
    StandardPagination,
    ordering_problem,
    stable_ordering,
)
from tests.apps.notes.models import Note
from tests.apps.notes.views import CursorNoteList

if TYPE_CHECKING:
    from pytest_django.fixtures import SettingsWrapper

PAGES = "/notes/items/"
CURSOR = "/notes/cursor/"
ORDERED = "/notes/cursor-ordered/"
TOTAL = 45

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("postgres_url")]


@pytest.fixture
def notes() -> list[Note]:
    """45 notes; creation times come in groups of three equal values."""
    owner = get_user_model().objects.create_user("owner")
    start = timezone.now() - dt.timedelta(days=1)
    return Note.objects.bulk_create(
        Note(
            owner=owner,
            title=f"note {i % 4}",
            created_at=start + dt.timedelta(minutes=i // 3),
            rank=None if i % 2 else i,
        )
        for i in range(TOTAL)
    )


@pytest.fixture
def client() -> APIClient:
    """An anonymous API client."""
    return APIClient()


@pytest.fixture
def drf_errors(settings: SettingsWrapper) -> None:
    """Answer errors with DRF's own handler: these tests assert status codes only.

    The error envelope's handler is configured by build_settings and asserted in the
    tests that check bodies.
    """
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "EXCEPTION_HANDLER": "rest_framework.views.exception_handler",
    }


def ids(response: Any) -> list[int]:
    """The ids of a page's results."""
    return [item["id"] for item in response.json()["results"]]


def walk(client: APIClient, url: str, key: str = "next") -> list[list[int]]:
    """Follow ``next`` (or ``previous``) links from ``url``; return each page's ids."""
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        pages.append(ids(response))
        url = response.json()[key]
    return pages


@pytest.mark.usefixtures("notes")
class TestStandardPagination:
    def test_first_page_has_the_default_size_and_the_four_keys(
        self, client: APIClient, notes: list[Note]
    ) -> None:
        response = client.get(PAGES)

        assert response.status_code == 200
        body = response.json()
        assert list(body) == ["count", "next", "previous", "results"]
        assert body["count"] == TOTAL
        assert ids(response) == [note.pk for note in notes[:20]]
        assert body["previous"] is None
        assert parse_qs(urlsplit(body["next"]).query) == {"page": ["2"]}

    def test_page_size_parameter_selects_the_size(
        self, client: APIClient, notes: list[Note]
    ) -> None:
        response = client.get(PAGES, {"page": 2, "page_size": 5})

        assert ids(response) == [note.pk for note in notes[5:10]]
        assert parse_qs(urlsplit(response.json()["next"]).query) == {
            "page": ["3"],
            "page_size": ["5"],
        }

    def test_last_page(self, client: APIClient, notes: list[Note]) -> None:
        response = client.get(PAGES, {"page": "last"})

        assert ids(response) == [note.pk for note in notes[40:]]
        assert response.json()["next"] is None

    def test_page_size_above_the_maximum_is_cut_down(
        self, client: APIClient, settings: SettingsWrapper
    ) -> None:
        settings.STRICT_CORE_MAX_PAGE_SIZE = 10

        assert len(ids(client.get(PAGES, {"page_size": 1000}))) == 10
        assert len(ids(client.get(PAGES))) == 10

    def test_default_maximum_is_100(self, client: APIClient) -> None:
        Note.objects.bulk_create(
            Note(owner=Note.objects.first().owner, title="more")
            for _ in range(80)  # type: ignore[union-attr]
        )

        assert len(ids(client.get(PAGES, {"page_size": 500}))) == 100

    def test_page_size_setting_is_read_per_request(
        self, client: APIClient, settings: SettingsWrapper
    ) -> None:
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "PAGE_SIZE": 7}

        assert len(ids(client.get(PAGES))) == 7

    def test_empty_page_size_means_the_default(self, client: APIClient) -> None:
        assert len(ids(client.get(f"{PAGES}?page_size="))) == 20

    @pytest.mark.usefixtures("drf_errors")
    @pytest.mark.parametrize("page", ["0", "-1", "abc", "4", "1.5"])
    def test_a_page_that_does_not_exist_is_404(
        self, client: APIClient, page: str
    ) -> None:
        assert client.get(PAGES, {"page": page}).status_code == 404

    @pytest.mark.usefixtures("drf_errors")
    @pytest.mark.parametrize("size", ["0", "-5", "abc", "1.5", "1e3"])
    def test_a_page_size_that_is_not_a_positive_integer_is_400(
        self, client: APIClient, size: str
    ) -> None:
        assert client.get(PAGES, {"page_size": size}).status_code == 400


@pytest.mark.usefixtures("notes")
class TestStandardCursorPagination:
    def expected(self) -> list[int]:
        """All ids, newest first, ties on created_at broken by the primary key."""
        return list(
            Note.objects.order_by("-created_at", "-pk").values_list("pk", flat=True)
        )

    def test_walking_next_links_visits_every_row_once_in_order(
        self, client: APIClient
    ) -> None:
        pages = walk(client, f"{CURSOR}?page_size=7")

        assert [len(page) for page in pages] == [7, 7, 7, 7, 7, 7, 3]
        assert [pk for page in pages for pk in page] == self.expected()

    def test_walking_back_gives_the_same_pages(self, client: APIClient) -> None:
        forward = walk(client, f"{CURSOR}?page_size=7")
        last = client.get(f"{CURSOR}?page_size=7")
        for _ in range(len(forward) - 1):
            last = client.get(last.json()["next"])

        backward = walk(client, last.json()["previous"], key="previous")

        assert backward == list(reversed(forward[:-1]))

    def test_body_has_no_count_and_no_count_query_runs(self, client: APIClient) -> None:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(CURSOR)

        assert list(response.json()) == ["next", "previous", "results"]
        assert len(ids(response)) == 20
        assert queries.captured_queries
        assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]

    def test_client_chosen_ordering_gets_a_tie_breaker(self, client: APIClient) -> None:
        # Titles repeat every four notes: without a tie-breaker pages could overlap.
        pages = walk(client, f"{ORDERED}?ordering=title&page_size=4")

        flat = [pk for page in pages for pk in page]
        assert flat == list(
            Note.objects.order_by("title", "pk").values_list("pk", flat=True)
        )

    def test_page_size_is_bounded(
        self, client: APIClient, settings: SettingsWrapper
    ) -> None:
        settings.STRICT_CORE_MAX_PAGE_SIZE = 6

        assert len(ids(client.get(CURSOR, {"page_size": 50}))) == 6

    @pytest.mark.usefixtures("drf_errors")
    @pytest.mark.parametrize(
        "decoded",
        [
            None,  # not base64 at all
            "not a cursor",
            "o=-1",
            "x=1",
            "p=a&p=b",
            "p=yesterday",  # not a value of created_at
        ],
    )
    def test_a_cursor_it_did_not_issue_is_404(
        self, client: APIClient, decoded: str | None
    ) -> None:
        cursor = "%%%" if decoded is None else b64encode(decoded.encode()).decode()

        assert client.get(CURSOR, {"cursor": cursor}).status_code == 404

    @pytest.mark.usefixtures("drf_errors")
    def test_an_invalid_page_size_is_400(self, client: APIClient) -> None:
        assert client.get(CURSOR, {"page_size": "many"}).status_code == 400

    def test_an_unusable_ordering_is_refused_at_request_time(self) -> None:
        paginator = type("ByRank", (StandardCursorPagination,), {"ordering": "-rank"})()
        request = Request(APIRequestFactory().get(CURSOR))

        with pytest.raises(ImproperlyConfigured, match="'rank' is nullable"):
            paginator.paginate_queryset(Note.objects.all(), request, CursorNoteList())


class TestClassAttributes:
    """A subclass's own ``page_size`` and ``max_page_size`` win over the settings."""

    class Export(StandardPagination):
        page_size = 5
        max_page_size = 8

    @pytest.mark.parametrize(("query", "size"), [("", 5), ("?page_size=50", 8)])
    def test_class_sizes(self, query: str, size: int) -> None:
        request = Request(APIRequestFactory().get(f"{PAGES}{query}"))

        assert self.Export().get_page_size(request) == size

    def test_schema_shows_the_class_maximum(self) -> None:
        parameters = self.Export().get_schema_operation_parameters(CursorNoteList())

        assert parameters[1]["schema"] == {
            "type": "integer",
            "minimum": 1,
            "maximum": 8,
        }


class TestErrorEnvelope:
    """Bodies come from the package's exception handler (DESIGN §4)."""

    def test_invalid_page_size_is_a_validation_error_on_page_size(
        self, client: APIClient
    ) -> None:
        response = client.get(PAGES, {"page_size": "abc"})

        assert response.status_code == 400
        assert response.json() == {
            "type": "validation_error",
            "errors": [
                {
                    "code": "invalid",
                    "detail": "A positive integer is required.",
                    "attr": "page_size",
                }
            ],
        }

    def test_invalid_page_is_not_found(self, client: APIClient) -> None:
        response = client.get(PAGES, {"page": "99"})

        assert response.status_code == 404
        assert response.json() == {
            "type": "client_error",
            "errors": [{"code": "not_found", "detail": "Invalid page.", "attr": None}],
        }

    def test_invalid_cursor_is_not_found(self, client: APIClient) -> None:
        response = client.get(CURSOR, {"cursor": "%%%"})

        assert response.status_code == 404
        assert response.json()["errors"][0]["code"] == "not_found"


class TestOrdering:
    @pytest.mark.parametrize(
        ("ordering", "expected"),
        [
            (("-created_at",), ("-created_at", "-pk")),
            (("title",), ("title", "pk")),
            (("owner_id", "title"), ("owner_id", "title", "pk")),
            (("title", "id"), ("title", "id")),
            (("-pk",), ("-pk",)),
        ],
    )
    def test_primary_key_breaks_ties_when_nothing_is_unique(
        self, ordering: tuple[str, ...], expected: tuple[str, ...]
    ) -> None:
        assert stable_ordering(Note, ordering) == expected

    @pytest.mark.parametrize(
        ("ordering", "problem"),
        [
            ((), "the ordering is empty"),
            (("rank",), "its first field 'rank' is nullable"),
            (("-owner",), "its first field 'owner' is not a column"),
            (("owner__username",), "its first field 'owner__username' is not a field"),
            (("nope", "pk"), "its first field 'nope' is not a field of notes.Note"),
        ],
    )
    def test_unusable_first_fields(
        self, ordering: tuple[str, ...], problem: str
    ) -> None:
        assert (ordering_problem(Note, ordering) or "").startswith(problem)
        with pytest.raises(ImproperlyConfigured, match="needs a stable ordering"):
            stable_ordering(Note, ordering)

    def test_later_fields_may_follow_relations_and_never_count_as_unique(
        self,
    ) -> None:
        assert stable_ordering(Note, ("title", "owner__username")) == (
            "title",
            "owner__username",
            "pk",
        )

    def test_reverse_relations_are_not_columns(self) -> None:
        assert ordering_problem(get_user_model(), ("notes",)) is not None


class TestSchema:
    @pytest.fixture
    def schema(self) -> dict[str, Any]:
        GENERATOR_STATS.reset()
        generated: dict[str, Any] = SchemaGenerator().get_schema(
            request=None, public=True
        )
        return generated

    def test_schema_is_valid_and_generated_without_warnings(
        self, schema: dict[str, Any]
    ) -> None:
        validate_schema(schema)
        assert not GENERATOR_STATS

    def test_page_number_parameters_and_response(self, schema: dict[str, Any]) -> None:
        operation = schema["paths"][PAGES]["get"]

        assert {p["name"]: p["schema"] for p in operation["parameters"]} == {
            "page": {"type": "integer", "minimum": 1},
            "page_size": {"type": "integer", "minimum": 1, "maximum": 100},
        }
        page = component(schema, operation)
        assert page["required"] == ["count", "next", "previous", "results"]
        assert set(page["properties"]) == {"count", "next", "previous", "results"}

    def test_cursor_parameters_and_response(self, schema: dict[str, Any]) -> None:
        operation = schema["paths"][CURSOR]["get"]

        assert {p["name"]: p["schema"] for p in operation["parameters"]} == {
            "cursor": {"type": "string"},
            "page_size": {"type": "integer", "minimum": 1, "maximum": 100},
        }
        page = component(schema, operation)
        assert page["required"] == ["next", "previous", "results"]
        assert set(page["properties"]) == {"next", "previous", "results"}


def component(schema: dict[str, Any], operation: dict[str, Any]) -> dict[str, Any]:
    """The component a 200 response refers to."""
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    found: dict[str, Any] = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return found
