"""Project-wide pytest fixtures."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.users.tests.factories import UserFactory

if TYPE_CHECKING:
    from pytest_django import Settings

    from apps.users.models import User


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Settings) -> None:
    """Hash passwords cheaply: the default hasher dominates test time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _isolated_cache() -> None:
    """Start every test with no cached keys of this project, so throttles start at zero.

    On Redis only this project's keys (its ``KEY_PREFIX``) are deleted: ``clear()``
    would flush a database other services may share.
    """
    from django.core.cache import cache  # noqa: PLC0415

    if hasattr(cache, "delete_pattern"):
        cache.delete_pattern("*")
    else:
        cache.clear()


@pytest.fixture
def api_client() -> APIClient:
    """An anonymous API client."""
    return APIClient()


@pytest.fixture
def user(db: None) -> User:
    """A saved user whose password is ``correct-horse-battery``."""
    return UserFactory.create()


@pytest.fixture
def auth_client(user: User) -> APIClient:
    """An API client authenticated with the user's token."""
    token, _ = Token.objects.get_or_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client
