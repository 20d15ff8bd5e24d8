"""Read queries of the articles app."""

from __future__ import annotations

from typing import TYPE_CHECKING

from apps.articles.models import Article

if TYPE_CHECKING:
    from django.db.models import QuerySet


def list_articles(*, author_id: int | None = None) -> QuerySet[Article]:
    """Return articles newest first, with their authors loaded in the same query.

    Args:
        author_id: Only this author's articles, when given.

    Returns:
        The queryset; pagination slices it.
    """
    queryset = Article.objects.select_related("author").order_by("-created_at", "-id")
    if author_id is not None:
        queryset = queryset.filter(author_id=author_id)
    return queryset
