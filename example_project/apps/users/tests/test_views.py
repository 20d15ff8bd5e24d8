"""The users API through real requests."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from django.urls import reverse

from apps.users.models import User
from apps.users.tests.factories import PASSWORD, UserFactory

if TYPE_CHECKING:
    from django.test import Client
    from pytest_django import Settings
    from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


class TestRegistration:
    def test_creates_an_account(self, api_client: APIClient) -> None:
        response = api_client.post(
            reverse("users:register"),
            {"username": "ada", "email": "ada@example.com", "password": PASSWORD},
            format="json",
        )

        assert response.status_code == 201
        assert response.json()["username"] == "ada"
        assert "password" not in response.json()
        assert User.objects.get(username="ada").check_password(PASSWORD)

    def test_missing_fields_answer_the_error_envelope(
        self, api_client: APIClient
    ) -> None:
        response = api_client.post(reverse("users:register"), {}, format="json")

        assert response.status_code == 400
        body = response.json()
        assert body["type"] == "validation_error"
        assert {(e["attr"], e["code"]) for e in body["errors"]} == {
            ("username", "required"),
            ("email", "required"),
            ("password", "required"),
        }

    def test_service_validation_errors_are_reported_per_field(
        self, api_client: APIClient
    ) -> None:
        UserFactory.create(username="ada")

        response = api_client.post(
            reverse("users:register"),
            {"username": "ada", "email": "new@example.com", "password": "123"},
            format="json",
        )

        assert response.status_code == 400
        assert {e["attr"] for e in response.json()["errors"]} == {
            "username",
            "password",
        }

    def test_signed_in_users_cannot_register_again(
        self, auth_client: APIClient
    ) -> None:
        response = auth_client.post(
            reverse("users:register"),
            {"username": "x", "email": "x@example.com", "password": PASSWORD},
            format="json",
        )

        assert response.status_code == 403
        assert response.json()["errors"][0]["code"] == "permission_denied"


class TestToken:
    def test_valid_credentials_return_a_token_that_authenticates(
        self, api_client: APIClient, user: User
    ) -> None:
        response = api_client.post(
            reverse("users:token"),
            {"username": user.username, "password": PASSWORD},
            format="json",
        )

        assert response.status_code == 200
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
        assert api_client.get(reverse("users:me")).json()["username"] == user.username

    def test_wrong_password_is_a_validation_error(
        self, api_client: APIClient, user: User
    ) -> None:
        response = api_client.post(
            reverse("users:token"),
            {"username": user.username, "password": "wrong"},
            format="json",
        )

        assert response.status_code == 400
        assert response.json()["errors"][0]["code"] == "authorization"

    def test_the_right_password_is_refused_once_failures_spent_the_budget(
        self, api_client: APIClient, user: User, settings: Settings
    ) -> None:
        limit = _login_budget(settings, 3)
        url = reverse("users:token")
        guess = {"username": user.username, "password": "wrong"}

        wrong = [
            api_client.post(url, guess, format="json").status_code for _ in range(limit)
        ]
        right = api_client.post(
            url, {"username": user.username, "password": PASSWORD}, format="json"
        )

        assert wrong == [400] * limit
        assert right.status_code == 429
        assert right.json()["errors"][0]["code"] == "throttled"
        assert int(right["Retry-After"]) > 0


class TestAdminLogin:
    def test_the_right_password_is_refused_once_failures_spent_the_budget(
        self, client: Client, settings: Settings
    ) -> None:
        limit = _login_budget(settings, 3)
        User.objects.create_superuser("root", "root@example.com", PASSWORD)

        def sign_in(password: str) -> int:
            return client.post(
                "/admin/login/",
                {"username": "root", "password": password, "next": "/admin/"},
            ).status_code

        wrong = [sign_in("wrong") for _ in range(limit)]

        assert wrong == [200] * limit
        assert sign_in(PASSWORD) == 429


def _login_budget(settings: Settings, limit: int) -> int:
    """Allow ``limit`` failed password checks per client and hour."""
    rates = {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
        "login": f"{limit}/hour",
    }
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": rates,
    }
    return limit


class TestMe:
    def test_anonymous_requests_are_refused_with_a_challenge(
        self, api_client: APIClient
    ) -> None:
        response = api_client.get(reverse("users:me"))

        assert response.status_code == 401
        assert response.json()["errors"][0]["code"] == "not_authenticated"
        assert response["WWW-Authenticate"] == "Token"

    def test_returns_the_profile(self, auth_client: APIClient, user: User) -> None:
        body = auth_client.get(reverse("users:me")).json()

        assert body == {
            "id": user.pk,
            "username": user.username,
            "email": user.email,
            "display_name": user.display_name,
            "date_joined": body["date_joined"],
        }

    def test_updates_the_display_name(self, auth_client: APIClient, user: User) -> None:
        response = auth_client.patch(
            reverse("users:me"), {"display_name": "Grace"}, format="json"
        )

        assert response.status_code == 200
        user.refresh_from_db()
        assert user.display_name == "Grace"

    def test_an_empty_patch_changes_nothing(
        self, auth_client: APIClient, user: User
    ) -> None:
        before = user.display_name

        response = auth_client.patch(reverse("users:me"), {}, format="json")

        assert response.status_code == 200
        user.refresh_from_db()
        assert user.display_name == before
        assert response.json()["display_name"] == before

    def test_too_long_display_name_is_refused(self, auth_client: APIClient) -> None:
        response = auth_client.patch(
            reverse("users:me"), {"display_name": "x" * 81}, format="json"
        )

        assert response.status_code == 400
        assert response.json()["errors"][0] == {
            "code": "max_length",
            "detail": "Ensure this field has no more than 80 characters.",
            "attr": "display_name",
        }
