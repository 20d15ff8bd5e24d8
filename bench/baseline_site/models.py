"""The rows the list endpoint serves."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Article(models.Model):
    """A published article."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    body = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    published_at = models.DateTimeField()

    class Meta:
        app_label = "baseline_site"

    def __str__(self) -> str:
        return self.title
