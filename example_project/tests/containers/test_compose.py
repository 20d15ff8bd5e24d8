"""The compose stack: PostgreSQL, Redis, migrations, the application and nginx.

Started once for the module with podman-compose from ``docker-compose.yml``; the
tests run in file order, as the later ones stop the database and rebuild the images.
"""

from __future__ import annotations

import json
import secrets
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.containers import podman
from tests.containers.compose import Compose
from tests.e2e.stack import request

if TYPE_CHECKING:
    from collections.abc import Iterator

pytestmark = pytest.mark.integration
PASSWORD = "containers-correct-horse-battery"
REQUEST_ID = f"containers-{secrets.token_hex(8)}"


@pytest.fixture(scope="module")
def stack(
    base_images: list[str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Compose]:
    """The stack, up and serving through nginx."""
    compose = Compose(podman.copy_sources(tmp_path_factory.mktemp("compose")))
    built = {compose.images["app"], compose.images["nginx"]}
    try:
        with podman.HealthTicker(compose.name):
            started = time.monotonic()
            compose.build()
            podman.FIGURES["compose build (app and nginx images)"] = (
                f"{time.monotonic() - started:.1f} s"
            )
            started = time.monotonic()
            compose.up()
            compose.wait_healthy("app")
            compose.wait_serving()
            podman.FIGURES["compose up until healthy through nginx"] = (
                f"{time.monotonic() - started:.1f} s"
            )
            yield compose
    finally:
        try:
            compose.run("down", "--volumes", "--timeout=10")
        finally:
            podman.remove_images(
                {i for name in built for i in podman.image_ids(f"reference={name}")}
            )


def _time(value: str) -> datetime:
    """Parse podman's timestamps (nanoseconds, a zone name at the end)."""
    stamp, _, _ = value.partition(" +")
    whole, _, fraction = stamp.partition(".")
    return datetime.fromisoformat(f"{whole}.{fraction[:6] or '0'}")


def test_migrations_complete_before_the_application_starts(stack: Compose) -> None:
    migrate, app = stack.state("migrate"), stack.state("app")
    declared = dict(stack.dependencies())

    assert declared["app"]["migrate"] == "service_completed_successfully"
    assert declared["migrate"]["db"] == "service_healthy"
    assert migrate["Status"] == "exited"
    assert migrate["ExitCode"] == 0
    assert _time(migrate["FinishedAt"]) <= _time(app["StartedAt"])
    output = "".join(line for _, line in stack.logs("migrate"))
    assert "Applying users.0001_initial... OK" in output


def test_https_answers_the_api_with_hsts(stack: Compose) -> None:
    username = f"c{secrets.token_hex(4)}"
    created = request(
        f"{stack.https}/api/users/", "POST",
        body={"username": username, "email": f"{username}@example.com", "password": PASSWORD},
        headers={"X-Request-ID": REQUEST_ID},
    )  # fmt: skip
    token = request(
        f"{stack.https}/api/auth/token/", "POST",
        body={"username": username, "password": PASSWORD},
    ).json()["token"]  # fmt: skip
    articles = request(
        f"{stack.https}/api/articles/", headers={"Authorization": f"Token {token}"}
    )
    missing = request(f"{stack.https}/api/no-such-route/")

    assert created.status == 201, created.body
    assert created.headers["X-Request-ID"] == REQUEST_ID
    assert articles.status == 200
    assert articles.json()["results"] == []
    assert articles.headers["Strict-Transport-Security"].startswith("max-age=")
    assert missing.status == 404
    assert missing.json()["type"] == "client_error"


def test_plain_http_redirects_to_https_except_probes(stack: Compose) -> None:
    redirected = request(f"{stack.http}/api/articles/", headers={"Host": "localhost"})
    probe = stack.probe()
    live = stack.probe("/api/health/live/")

    assert redirected.status == 301
    assert redirected.headers["Location"] == "https://localhost/api/articles/"
    assert probe.status == 200
    assert probe.json() == {"status": "healthy", "db": "ok", "cache": "ok"}
    assert live.status == 200


def test_static_files_come_from_nginx(stack: Compose) -> None:
    css = request(f"{stack.https}/static/rest_framework/css/bootstrap.min.css")

    assert css.status == 200
    assert css.headers["Content-Type"] == "text/css"
    assert css.headers.get_all("Cache-Control") == ["public, max-age=604800"]
    assert len(css.body) > 1000
    # The application logs every request it serves; it never saw this one.
    assert not any("bootstrap.min.css" in line for _, line in stack.logs("app"))


def test_the_environment_file_and_tls_key_stay_out_of_the_images(
    stack: Compose,
) -> None:
    assert (stack.project_dir / ".env").is_file()
    assert (stack.project_dir / "nginx" / "certs" / "tls.key").is_file()
    for service in ("app", "nginx"):
        image = stack.images[service]
        root = Path(podman.podman("image", "mount", image).stdout.strip())
        try:
            leaked = [
                str(path.relative_to(root))
                for pattern in ("**/.env", "**/tls.key", "**/certs/tls.crt")
                for path in root.glob(pattern)
            ]
        finally:
            podman.podman("image", "unmount", image, check=False)
        assert leaked == [], service


def test_health_is_503_within_a_second_of_the_database_stopping_and_200_after(
    stack: Compose,
) -> None:
    assert stack.probe().status == 200
    stack.run("stop", "--timeout=10", "db")
    stopped = time.monotonic()
    during = []
    while time.monotonic() - stopped < 3:
        sent = time.monotonic()
        answer = stack.probe(timeout=5)
        during.append(
            (sent - stopped, answer.status, time.monotonic() - sent, answer.json())
        )
        time.sleep(0.2)
    stack.run("start", "db")
    restarted = time.monotonic()
    while (answer := stack.probe(timeout=5)).status != 200:
        assert time.monotonic() - restarted < 60, answer.json()
        time.sleep(0.2)
    recovery = time.monotonic() - restarted

    podman.FIGURES["health while the db container is stopped (at s: status in s)"] = (
        ", ".join(f"{at:.1f}: {status} in {took:.2f}" for at, status, took, _ in during)
    )
    podman.FIGURES["health 200 again after the db container started"] = (
        f"{recovery:.1f} s"
    )
    assert all(status == 503 for _, status, _, _ in during), during
    assert all(took < 1.0 for _, _, took, _ in during), during
    assert during[0][3]["db"].startswith("error")
    assert during[0][3]["cache"] == "ok"


def test_static_files_of_a_new_image_reach_nginx(stack: Compose) -> None:
    marker = secrets.token_hex(8)
    static = stack.project_dir / "apps" / "core" / "static" / "containers"
    static.mkdir(parents=True)
    (static / f"{marker}.txt").write_text(marker)
    previous = podman.image_ids(f"reference={stack.images['nginx']}")

    stack.build()
    # docker compose recreates the containers whose image changed; podman-compose
    # compares configuration only, so the containers are made anew (the volumes stay).
    stack.run("down", "--timeout=10")
    stack.up()
    stack.wait_healthy("app")
    stack.wait_serving()
    podman.remove_images(
        previous - podman.image_ids(f"reference={stack.images['nginx']}")
    )
    answer = request(f"{stack.https}/static/containers/{marker}.txt")

    assert answer.status == 200
    assert answer.body.decode() == marker


def test_every_app_container_logs_json_lines_with_request_ids(stack: Compose) -> None:
    request(f"{stack.https}/api/no-such-route/", headers={"X-Request-ID": REQUEST_ID})
    lines = stack.logs("app")
    containers = {container for container, _ in lines}
    records = [json.loads(line) for _, line in lines]
    access = [
        record
        for record in records
        if record.get("logger") == "django_strict_core.access"
    ]

    assert containers == set(stack.containers("app"))
    assert all("request_id" in record for record in records)
    assert any(record["request_id"] == REQUEST_ID for record in access)
    assert all(record["request_id"] for record in access)
