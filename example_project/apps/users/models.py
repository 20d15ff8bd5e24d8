"""The custom user model (a strict project never uses ``auth.User``)."""

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A user identified by a unique e-mail address.

    Attributes:
        email: Unique, required; used to sign in together with the username.
        display_name: How the user appears next to their articles.
    """

    email = models.EmailField("email address", unique=True)
    display_name = models.CharField(max_length=80, blank=True)

    REQUIRED_FIELDS = ("email",)

    class Meta:
        """Model options."""

        ordering = ("id",)

    def __str__(self) -> str:
        """Return the username."""
        return self.username
