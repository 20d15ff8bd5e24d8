"""The article model."""

from django.conf import settings
from django.db import models


class Article(models.Model):
    """A short text published by a user.

    Attributes:
        author: The user who wrote it.
        title: A non-empty title, unique per author.
        body: The text.
        created_at: When it was published.
        updated_at: When it last changed.
    """

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="articles"
    )
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        """Model options."""

        ordering = ("-created_at", "-id")
        constraints = (
            models.UniqueConstraint(
                fields=("author", "title"), name="unique_title_per_author"
            ),
        )

    def __str__(self) -> str:
        """Return the title."""
        return self.title
