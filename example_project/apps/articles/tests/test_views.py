"""The articles API through real requests."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.articles.models import Article
from apps.articles.tests.factories import ArticleFactory
from apps.users.tests.factories import UserFactory

if TYPE_CHECKING:
    from apps.users.models import User

pytestmark = pytest.mark.django_db
LIST = reverse("articles:article-list")


def detail(article: Article) -> str:
    """The URL of one article."""
    return reverse("articles:article-detail", args=[article.pk])


def client_for(user: User) -> APIClient:
    """An API client authenticated as ``user``."""
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}"
    )
    return client


class TestList:
    def test_anyone_reads_a_bounded_page(self, api_client: APIClient) -> None:
        ArticleFactory.create_batch(25)

        body = api_client.get(LIST).json()

        assert body["count"] == 25
        assert len(body["results"]) == 20
        assert body["next"].endswith("?page=2")
        assert body["previous"] is None

    def test_page_size_is_capped(self, api_client: APIClient) -> None:
        ArticleFactory.create_batch(3)

        body = api_client.get(LIST, {"page_size": 1}).json()

        assert len(body["results"]) == 1

    def test_a_page_past_the_end_is_not_found(self, api_client: APIClient) -> None:
        response = api_client.get(LIST, {"page": 99})

        assert response.status_code == 404
        assert response.json()["type"] == "client_error"

    def test_bad_page_size_is_a_validation_error(self, api_client: APIClient) -> None:
        response = api_client.get(LIST, {"page_size": "zero"})

        assert response.status_code == 400
        assert response.json()["errors"][0]["attr"] == "page_size"

    def test_filters_by_author(self, api_client: APIClient) -> None:
        mine = ArticleFactory()
        ArticleFactory()

        body = api_client.get(LIST, {"author": mine.author_id}).json()

        assert [a["id"] for a in body["results"]] == [mine.pk]

    def test_a_non_numeric_author_is_a_validation_error(
        self, api_client: APIClient
    ) -> None:
        response = api_client.get(LIST, {"author": "ada"})

        assert response.status_code == 400
        assert response.json()["errors"][0]["attr"] == "author"

    def test_a_negative_author_lists_nothing(self, api_client: APIClient) -> None:
        ArticleFactory()

        response = api_client.get(LIST, {"author": "-3"})

        assert response.status_code == 200
        assert response.json()["results"] == []

    def test_a_unicode_digit_author_is_a_validation_error(
        self, api_client: APIClient
    ) -> None:
        response = api_client.get(LIST, {"author": "\u00b2"})

        assert response.status_code == 400
        assert response.json()["errors"][0] == {
            "code": "invalid",
            "detail": "A valid integer is required.",
            "attr": "author",
        }


class TestWrite:
    def test_anonymous_users_cannot_publish(self, api_client: APIClient) -> None:
        response = api_client.post(LIST, {"title": "Hi"}, format="json")

        assert response.status_code == 401

    def test_signed_in_users_publish(self, auth_client: APIClient, user: User) -> None:
        response = auth_client.post(
            LIST, {"title": "Hi", "body": "There"}, format="json"
        )

        assert response.status_code == 201
        assert response.json()["author"] == user.username

    def test_duplicate_title_is_a_validation_error(
        self, auth_client: APIClient, user: User
    ) -> None:
        ArticleFactory(author=user, title="Hi")

        response = auth_client.post(LIST, {"title": "Hi"}, format="json")

        assert response.status_code == 400
        assert response.json()["type"] == "validation_error"

    def test_the_author_edits_and_deletes(self, user: User) -> None:
        article = ArticleFactory(author=user)
        client = client_for(user)

        edited = client.patch(detail(article), {"title": "Edited"}, format="json")
        deleted = client.delete(detail(article))

        assert edited.status_code == 200
        assert edited.json()["title"] == "Edited"
        assert deleted.status_code == 204

    def test_others_cannot_edit(self) -> None:
        article = ArticleFactory()

        response = client_for(UserFactory()).patch(
            detail(article), {"title": "Mine now"}, format="json"
        )

        assert response.status_code == 403
        assert Article.objects.get(pk=article.pk).title != "Mine now"

    def test_staff_may_edit(self) -> None:
        article = ArticleFactory()

        response = client_for(UserFactory(is_staff=True)).delete(detail(article))

        assert response.status_code == 204

    def test_unknown_article_is_not_found(self, auth_client: APIClient) -> None:
        response = auth_client.get(reverse("articles:article-detail", args=[999999]))

        assert response.status_code == 404
        assert response.json()["errors"][0]["code"] == "not_found"
