"""factory-boy factories of the articles app."""

from __future__ import annotations

import factory

from apps.articles.models import Article
from apps.users.tests.factories import UserFactory


class ArticleFactory(factory.django.DjangoModelFactory[Article]):
    """A saved article by a new author."""

    class Meta:
        """Factory options."""

        model = Article

    author = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Article {n}")
    body = factory.Faker("paragraph")
