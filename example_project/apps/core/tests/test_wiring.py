"""The library wired into the project: health, errors, schema and checks."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from django.core.management import call_command
from rest_framework.throttling import SimpleRateThrottle

if TYPE_CHECKING:
    from rest_framework.test import APIClient


@pytest.mark.django_db(transaction=True)
def test_health_check_answers_the_seed_format(api_client: APIClient) -> None:
    response = api_client.get("/api/health/")

    assert response.status_code == 200
    assert response.json() == {"status": "healthy", "db": "ok", "cache": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_liveness_needs_no_backend(api_client: APIClient) -> None:
    assert api_client.get("/api/health/live/").status_code == 200


def test_unknown_api_route_answers_the_envelope(api_client: APIClient) -> None:
    response = api_client.get("/api/no-such-thing/")

    assert response.status_code == 404
    assert response.json()["type"] == "client_error"


def test_schema_and_docs_are_served(api_client: APIClient) -> None:
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/json")
    docs = api_client.get("/api/docs/")

    assert schema.status_code == 200
    assert "/api/users/me/" in schema.json()["paths"]
    assert "/api/articles/" in schema.json()["paths"]
    assert docs.status_code == 200


def test_anonymous_throttling_answers_429_with_retry_after(
    api_client: APIClient, monkeypatch: pytest.MonkeyPatch, db: None
) -> None:
    # DRF reads the rates once, into a class attribute, when it is imported.
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": "2/minute", "user": "5/minute"}
    )

    responses = [
        api_client.post("/api/auth/token/", {}, format="json") for _ in range(3)
    ]

    assert [r.status_code for r in responses] == [400, 400, 429]
    assert responses[-1].json()["errors"][0]["code"] == "throttled"
    assert 0 < int(responses[-1]["Retry-After"]) <= 60


def test_the_project_passes_the_strict_checks() -> None:
    call_command("check", fail_level="WARNING")
