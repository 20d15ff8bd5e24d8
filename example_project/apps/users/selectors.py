"""Read queries of the users app."""

from __future__ import annotations

from apps.users.models import User


def get_user_by_username(username: str) -> User | None:
    """Return the active user with ``username``, or ``None``.

    Args:
        username: The exact username.

    Returns:
        The user, or ``None`` when no active user has that name.
    """
    return User.objects.filter(username=username, is_active=True).first()
