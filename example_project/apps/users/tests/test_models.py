"""The custom user model."""

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError

from apps.users.models import User
from apps.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_project_uses_the_custom_user_model() -> None:
    assert get_user_model() is User


def test_email_is_unique() -> None:
    UserFactory.create(email="a@example.com")

    with pytest.raises(IntegrityError):
        UserFactory.create(email="a@example.com")


def test_str_is_the_username() -> None:
    assert str(UserFactory.create(username="ada")) == "ada"
