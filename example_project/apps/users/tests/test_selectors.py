"""Read queries of the users app."""

import pytest

from apps.users import selectors
from apps.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_get_user_by_username_finds_an_active_user() -> None:
    user = UserFactory.create(username="ada")

    assert selectors.get_user_by_username("ada") == user


def test_inactive_and_unknown_users_are_not_found() -> None:
    UserFactory.create(username="ada", is_active=False)

    assert selectors.get_user_by_username("ada") is None
    assert selectors.get_user_by_username("grace") is None
