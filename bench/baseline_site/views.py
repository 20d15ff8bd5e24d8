"""The list endpoint, once per stack: the same queryset, serializer and page size.

Both views declare their authentication and permission classes, as the baseline's
checks require of every view. Ours takes everything else from ``REST_FRAMEWORK``
(``build_settings``'); theirs takes it from ``THEIRS_REST_FRAMEWORK``, read by DRF's
own settings class exactly as DRF reads ``REST_FRAMEWORK``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework import generics, serializers
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.settings import DEFAULTS, IMPORT_STRINGS, APISettings

from baseline_site.models import Article

THEIRS = APISettings(settings.THEIRS_REST_FRAMEWORK, DEFAULTS, IMPORT_STRINGS)


class ArticleSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = Article
        fields = ("id", "title", "slug", "body", "author", "published_at")


class OurArticles(generics.ListAPIView):
    authentication_classes = (SessionAuthentication, TokenAuthentication)
    permission_classes = (IsAuthenticated,)
    queryset = Article.objects.order_by("-published_at", "-id")
    serializer_class = ArticleSerializer


class TheirArticles(generics.ListAPIView):
    authentication_classes = THEIRS.DEFAULT_AUTHENTICATION_CLASSES
    permission_classes = THEIRS.DEFAULT_PERMISSION_CLASSES
    throttle_classes = THEIRS.DEFAULT_THROTTLE_CLASSES
    pagination_class = THEIRS.DEFAULT_PAGINATION_CLASS
    renderer_classes = THEIRS.DEFAULT_RENDERER_CLASSES
    schema = THEIRS.DEFAULT_SCHEMA_CLASS()
    queryset = Article.objects.order_by("-published_at", "-id")
    serializer_class = ArticleSerializer

    def get_exception_handler(self) -> Any:
        return THEIRS.EXCEPTION_HANDLER
