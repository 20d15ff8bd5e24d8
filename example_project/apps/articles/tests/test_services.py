"""Business logic of the articles app."""

import pytest
from django.core.exceptions import ValidationError

from apps.articles import selectors, services
from apps.articles.models import Article
from apps.articles.tests.factories import ArticleFactory
from apps.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_create_article_saves_it_for_the_author() -> None:
    author = UserFactory()

    article = services.create_article(author=author, title="Hello", body="World")

    assert Article.objects.get(pk=article.pk).author == author


def test_a_title_is_unique_per_author() -> None:
    article = ArticleFactory(title="Same")

    with pytest.raises(ValidationError):
        services.create_article(author=article.author, title="Same")
    services.create_article(author=UserFactory(), title="Same")


def test_an_author_cannot_exceed_the_configured_limit(settings) -> None:
    settings.SETTINGS = settings.SETTINGS.model_copy(
        update={"articles_max_per_author": 1}
    )
    author = UserFactory()
    services.create_article(author=author, title="One")

    with pytest.raises(ValidationError) as caught:
        services.create_article(author=author, title="Two")

    assert caught.value.code == "limit_reached"


def test_update_and_delete() -> None:
    article = ArticleFactory(title="Old")

    services.update_article(article, title="New")
    assert Article.objects.get(pk=article.pk).title == "New"

    services.delete_article(article)
    assert not Article.objects.filter(pk=article.pk).exists()


def test_list_articles_is_newest_first_and_filters_by_author() -> None:
    first, second = ArticleFactory(), ArticleFactory()

    assert list(selectors.list_articles()) == [second, first]
    assert list(selectors.list_articles(author_id=first.author_id)) == [first]
