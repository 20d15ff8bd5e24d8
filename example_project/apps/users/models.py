"""The custom user model (a strict project never uses ``auth.User``)."""

from typing import ClassVar

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A user identified by a unique e-mail address.

    Attributes:
        email: Unique, required; used to sign in together with the username.
        display_name: How the user appears to other users.
    """

    email = models.EmailField("email address", unique=True)
    display_name = models.CharField(max_length=80, blank=True)

    REQUIRED_FIELDS: ClassVar[list[str]] = ["email"]

    class Meta:
        """Model options."""

        ordering = ("id",)

    def __str__(self) -> str:
        """Return the username."""
        return self.username
