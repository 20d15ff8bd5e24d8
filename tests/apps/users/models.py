"""Models of the test project."""

from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """The test project's custom user model (a strict project never uses auth.User)."""

    class Meta:
        """Model options."""

        app_label = "users"
