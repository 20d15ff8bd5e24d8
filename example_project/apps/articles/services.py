"""Write operations of the articles app."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from apps.articles.models import Article

if TYPE_CHECKING:
    from apps.users.models import User


@transaction.atomic
def create_article(*, author: User, title: str, body: str = "") -> Article:
    """Publish an article.

    Args:
        author: The writer.
        title: The title; unique per author.
        body: The text.

    Raises:
        ValidationError: If the title is taken by the same author, or the author has
            reached ``ARTICLES_MAX_PER_AUTHOR``.

    Returns:
        The saved article.
    """
    limit: int = settings.SETTINGS.articles_max_per_author
    if Article.objects.filter(author=author).count() >= limit:
        raise ValidationError(
            f"An author may publish at most {limit} articles.", code="limit_reached"
        )
    article = Article(author=author, title=title, body=body)
    article.full_clean()
    article.save()
    return article


def update_article(
    article: Article, *, title: str | None = None, body: str | None = None
) -> Article:
    """Change an article's title and/or body.

    Args:
        article: The article to change.
        title: The new title, when given.
        body: The new body, when given.

    Raises:
        ValidationError: If the new title is taken by the same author.

    Returns:
        The updated article.
    """
    if title is not None:
        article.title = title
    if body is not None:
        article.body = body
    article.full_clean()
    article.save()
    return article


def delete_article(article: Article) -> None:
    """Delete an article.

    Args:
        article: The article to delete.
    """
    article.delete()
