"""HTTP layer of the articles app: permissions, parsing and responses only."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django_strict_core.pagination import StandardPagination
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from apps.articles import selectors, services
from apps.articles.permissions import ArticleAccess
from apps.articles.serializers import ArticleInputSerializer, ArticleSerializer

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from rest_framework.request import Request

    from apps.articles.models import Article
    from apps.users.models import User


INTEGER = re.compile(r"-?[0-9]{1,20}")


class ArticleViewSet(viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Articles: a public, paginated list; writes by their authors."""

    # Token first: DRF answers 401 with its WWW-Authenticate challenge.
    authentication_classes = (TokenAuthentication, SessionAuthentication)
    permission_classes = (ArticleAccess,)
    pagination_class = StandardPagination
    serializer_class = ArticleSerializer

    def get_queryset(self) -> QuerySet[Article]:
        """Return the articles this request may list, newest first.

        Raises:
            ValidationError: If ``?author=`` is not an integer id.

        Returns:
            All articles, or one author's when ``?author=<id>`` is given.
        """
        author = self.request.query_params.get("author")
        # Any integer the schema allows; ASCII digits only: str.isdigit() accepts
        # "²", which int() refuses.
        if author is not None and not INTEGER.fullmatch(author):
            raise ValidationError(
                {"author": ["A valid integer is required."]}, code="invalid"
            )
        return selectors.list_articles(author_id=int(author) if author else None)

    @extend_schema(
        parameters=[
            OpenApiParameter("author", int, description="Only this author's articles.")
        ]
    )
    def list(self, request: Request) -> Response:  # noqa: ARG002
        """List articles, 20 per page by default.

        Args:
            request: May carry ``page``, ``page_size`` and ``author``.

        Returns:
            ``{"count", "next", "previous", "results"}``.
        """
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ArticleSerializer(page, many=True).data)

    @extend_schema(request=ArticleInputSerializer, responses={201: ArticleSerializer})
    def create(self, request: Request) -> Response:
        """Publish an article as the signed-in user.

        Args:
            request: Carries ``title`` and ``body``.

        Returns:
            The article, with status 201.
        """
        serializer = ArticleInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        author: User = request.user  # type: ignore[assignment]
        article = services.create_article(author=author, **serializer.validated_data)
        return Response(ArticleSerializer(article).data, status=status.HTTP_201_CREATED)

    def retrieve(self, request: Request, pk: str) -> Response:  # noqa: ARG002
        """Return one article.

        Args:
            request: The request.
            pk: The article's id.

        Returns:
            The article.
        """
        return Response(ArticleSerializer(self.get_object()).data)

    @extend_schema(
        request=ArticleInputSerializer(partial=True), responses={200: ArticleSerializer}
    )
    def partial_update(self, request: Request, pk: str) -> Response:  # noqa: ARG002
        """Change an article's title and/or body (its author or staff only).

        Args:
            request: Carries the fields to change.
            pk: The article's id.

        Returns:
            The updated article.
        """
        article = self.get_object()
        serializer = ArticleInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.update_article(article, **serializer.validated_data)
        return Response(ArticleSerializer(article).data)

    def destroy(self, request: Request, pk: str) -> Response:  # noqa: ARG002
        """Delete an article (its author or staff only).

        Args:
            request: The request.
            pk: The article's id.

        Returns:
            An empty 204 response.
        """
        services.delete_article(self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
