"""Models of the notes test app."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Note(models.Model):
    """A note owned by a user, with columns for ordering tests."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notes"
    )
    title = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    rank = models.IntegerField(null=True, blank=True)

    class Meta:
        """Model options."""

        app_label = "notes"

    def __str__(self) -> str:
        """Return the title."""
        return self.title
