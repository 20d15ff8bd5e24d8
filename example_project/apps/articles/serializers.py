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
    """Input for creating or changing an article.

    ``services`` refuse a title the author already used and an author over the
    limit with the codes below; declaring them here documents them in the API schema.
    """

    default_error_messages = {  # noqa: RUF012 - DRF merges the class attribute
        "unique_together": "Article with this Author and Title already exists.",
        "limit_reached": "An author may publish at most this many articles.",
    }

    title = serializers.CharField(max_length=200)
    body = serializers.CharField(allow_blank=True, required=False, default="")
