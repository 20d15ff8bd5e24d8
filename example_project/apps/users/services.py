"""Write operations of the users app."""

from __future__ import annotations

from django.contrib.auth import authenticate, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from rest_framework.authtoken.models import Token

from apps.users.models import User


@transaction.atomic
def register_user(
    *, username: str, email: str, password: str, display_name: str = ""
) -> User:
    """Create a user after validating the password with the configured validators.

    Args:
        username: The new, unique username.
        email: The new, unique e-mail address.
        password: The clear-text password; it is validated and hashed.
        display_name: Optional name shown to other users.

    Raises:
        ValidationError: If the password fails a validator or the username or e-mail
            is taken (reported per field).

    Returns:
        The saved user.
    """
    user = User(username=username, email=email.lower(), display_name=display_name)
    errors: dict[str, list[str]] = {}
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    user.save()
    return user


def update_profile(user: User, *, display_name: str | None = None) -> User:
    """Change the user's display name.

    Args:
        user: The user to update.
        display_name: The new display name; unchanged when ``None``.

    Returns:
        The updated user.
    """
    if display_name is not None:
        user.display_name = display_name
    user.full_clean()
    user.save(update_fields=["display_name"])
    return user


def issue_token(*, username: str, password: str) -> Token:
    """Return the API token of a user whose credentials are valid.

    Args:
        username: The user's username.
        password: The user's password.

    Raises:
        ValidationError: If the credentials do not match an active user.

    Returns:
        The user's token, created on first use.
    """
    user = authenticate(username=username, password=password)
    if user is None:
        raise ValidationError(
            "Unable to sign in with the given credentials.", code="authorization"
        )
    token, _ = Token.objects.get_or_create(user=user)
    return token
