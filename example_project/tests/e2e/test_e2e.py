"""The example project through nginx, gunicorn and uvicorn, on PostgreSQL and Redis."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

import pytest

from tests.e2e.stack import request

if TYPE_CHECKING:
    from tests.e2e.stack import Stack

pytestmark = pytest.mark.integration
PASSWORD = "e2e-correct-horse-battery"


@pytest.fixture(scope="module")
def token(stack: Stack) -> str:
    """A registered user's API token, obtained through the API."""
    username = f"e2e{secrets.token_hex(3)}"
    created = request(
        f"{stack.https}/api/users/",
        "POST",
        body={
            "username": username,
            "email": f"{username}@example.com",
            "password": PASSWORD,
        },
    )
    assert created.status == 201, created.body
    issued = request(
        f"{stack.https}/api/auth/token/",
        "POST",
        body={"username": username, "password": PASSWORD},
    )
    assert issued.status == 200, issued.body
    return str(issued.json()["token"])


def authed(token: str) -> dict[str, str]:
    """Headers of a token-authenticated request."""
    return {"Authorization": f"Token {token}"}


def test_probe_over_plain_http_with_a_pod_ip_host_is_answered(stack: Stack) -> None:
    response = request(f"{stack.http}/api/health/", headers={"Host": "10.1.2.3"})

    assert response.status == 200
    assert response.json() == {"status": "healthy", "db": "ok", "cache": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_plain_http_outside_the_probes_moves_to_https(stack: Stack) -> None:
    response = request(f"{stack.http}/api/articles/")

    assert response.status == 301
    assert response.headers["Location"].startswith("https://")


def test_https_carries_the_production_security_headers(stack: Stack) -> None:
    response = request(f"{stack.https}/api/articles/")

    assert response.status == 200
    assert response.headers["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains; preload"
    )
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_static_files_are_served_by_nginx(stack: Stack) -> None:
    response = request(f"{stack.https}/static/admin/css/base.css")

    assert response.status == 200
    assert b"font" in response.body


def test_an_authenticated_request(stack: Stack, token: str) -> None:
    response = request(f"{stack.https}/api/users/me/", headers=authed(token))

    assert response.status == 200
    assert response.json()["username"].startswith("e2e")


def test_a_validation_error_answers_the_envelope(stack: Stack, token: str) -> None:
    response = request(
        f"{stack.https}/api/articles/",
        "POST",
        body={"title": ""},
        headers=authed(token),
    )

    assert response.status == 400
    assert response.json() == {
        "type": "validation_error",
        "errors": [
            {"code": "blank", "detail": "This field may not be blank.", "attr": "title"}
        ],
    }


def test_pagination_is_bounded(stack: Stack, token: str) -> None:
    for number in range(23):
        created = request(
            f"{stack.https}/api/articles/",
            "POST",
            body={"title": f"Article {number}"},
            headers=authed(token),
        )
        assert created.status == 201, created.body

    first = request(f"{stack.https}/api/articles/", headers=authed(token)).json()
    capped = request(
        f"{stack.https}/api/articles/?page_size=1000", headers=authed(token)
    ).json()
    past_end = request(f"{stack.https}/api/articles/?page=99", headers=authed(token))

    assert first["count"] >= 23
    assert len(first["results"]) == 20
    assert first["next"].startswith("https://127.0.0.1:")
    assert len(capped["results"]) == min(first["count"], 100)
    assert past_end.status == 404
    assert past_end.json()["errors"][0]["code"] == "not_found"


def test_request_ids_correlate_responses_and_json_logs(
    stack: Stack, token: str
) -> None:
    chosen = f"e2e-{secrets.token_hex(8)}"
    with_id = request(
        f"{stack.https}/api/users/me/",
        headers={**authed(token), "X-Request-ID": chosen},
    )
    generated = request(f"{stack.https}/api/users/me/", headers=authed(token))

    assert with_id.headers["X-Request-ID"] == chosen
    assert generated.headers["X-Request-ID"] not in ("", chosen)
    records = stack.log_records()
    access = [r for r in records if r.get("logger") == "django_strict_core.access"]
    mine = [r for r in access if r.get("request_id") == chosen]
    assert len(mine) == 1
    assert mine[0]["path"] == "/api/users/me/"
    assert mine[0]["status"] == 200
    assert mine[0]["user_id"] is not None
    assert any(r.get("request_id") == generated.headers["X-Request-ID"] for r in access)
    assert all(r["logger"] != "uvicorn.access" for r in records)
    assert {r["logger"] for r in records} >= {
        "gunicorn.error",
        "django_strict_core.access",
    }


def test_anonymous_throttling_answers_429_through_nginx(stack: Stack) -> None:
    # A client cannot escape its budget by varying X-Forwarded-For (one trusted proxy).
    statuses = [
        request(
            f"{stack.https}/api/articles/",
            headers={"X-Forwarded-For": f"198.51.100.{n}"},
        ).status
        for n in range(30)
    ]

    assert 429 in statuses
    first_refusal = statuses.index(429)
    assert set(statuses[first_refusal:]) == {429}
    assert first_refusal <= 20
