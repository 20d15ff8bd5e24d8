"""Serializers of the articles app."""

from rest_framework import serializers

from apps.articles.models import Article


class ArticleSerializer(serializers.ModelSerializer[Article]):
    """An article as clients see it."""

    author = serializers.CharField(source="author.username", read_only=True)

    class Meta:
        """Serializer options."""

        model = Article
        fields = ("id", "title", "body", "author", "created_at", "updated_at")
        read_only_fields = ("id", "author", "created_at", "updated_at")


class ArticleInputSerializer(serializers.Serializer[Article]):
    """Input for creating or changing an article."""

    title = serializers.CharField(max_length=200)
    body = serializers.CharField(allow_blank=True, required=False, default="")
