"""Business logic of the users app."""

import pytest
from django.core.exceptions import ValidationError

from apps.users import services
from apps.users.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


class TestRegisterUser:
    def test_creates_a_user_with_a_hashed_password(self) -> None:
        user = services.register_user(
            username="ada",
            email="Ada@Example.com",
            password=PASSWORD,
            display_name="Ada",
        )

        assert user.pk is not None
        assert user.email == "ada@example.com"
        assert user.check_password(PASSWORD)
        assert user.password != PASSWORD

    def test_weak_password_and_taken_username_are_reported_together(self) -> None:
        UserFactory.create(username="ada")

        with pytest.raises(ValidationError) as caught:
            services.register_user(
                username="ada", email="new@example.com", password="123"
            )

        assert set(caught.value.message_dict) == {"password", "username"}

    def test_invalid_email_is_reported(self) -> None:
        with pytest.raises(ValidationError) as caught:
            services.register_user(
                username="bob", email="not-an-email", password=PASSWORD
            )

        assert "email" in caught.value.message_dict


class TestIssueToken:
    def test_valid_credentials_get_a_stable_token(self) -> None:
        user = UserFactory.create()

        first = services.issue_token(username=user.username, password=PASSWORD)
        second = services.issue_token(username=user.username, password=PASSWORD)

        assert first.key == second.key
        assert first.user == user

    def test_wrong_password_is_refused(self) -> None:
        user = UserFactory.create()

        with pytest.raises(ValidationError):
            services.issue_token(username=user.username, password="wrong")


def test_update_profile_changes_the_display_name() -> None:
    user = UserFactory.create()

    services.update_profile(user, display_name="Grace")

    user.refresh_from_db()
    assert user.display_name == "Grace"
