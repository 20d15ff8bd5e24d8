"""django_strict_core.openapi.urls: the schema and a docs page with no CDN."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured
from drf_spectacular.settings import patched_settings, spectacular_settings
from rest_framework.test import APIClient
from rest_framework.views import APIView

from django_strict_core.openapi.views import (
    CONTENT_SECURITY_POLICY,
    DocsView,
    SchemaView,
    _SchemaRoute,
    schema_access,
)

if TYPE_CHECKING:
    from django.http import HttpResponse

pytestmark = pytest.mark.urls("tests.projects.schema.urls")

SIDECAR = "/static/drf_spectacular_sidecar/swagger-ui-dist/"


@pytest.fixture(autouse=True)
def unthrottled(monkeypatch: pytest.MonkeyPatch) -> None:
    """No throttling: the suite's shared cache counts every run's requests."""
    monkeypatch.setattr(_SchemaRoute, "throttle_classes", ())


@pytest.fixture
def client() -> APIClient:
    return APIClient()


def envelope_code(response: HttpResponse) -> str:
    assert response["Content-Type"] == "application/json"
    return str(response.json()["errors"][0]["code"])


class TestTheSchema:
    def test_it_is_yaml_by_default(self, client: APIClient) -> None:
        response = client.get("/api/schema/")

        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.oai.openapi")
        assert yaml.safe_load(response.content)["openapi"].startswith("3.")

    def test_it_is_json_on_request(self, client: APIClient) -> None:
        response = client.get("/api/schema/", HTTP_ACCEPT="application/json")

        paths = response.json()["paths"]
        assert "/api/errors/orders/" in paths
        assert not [path for path in paths if path.endswith(("/schema/", "/docs/"))]

    def test_an_unacceptable_type_is_a_json_envelope(self, client: APIClient) -> None:
        response = client.get("/api/schema/", HTTP_ACCEPT="text/html")

        assert response.status_code == 406
        assert envelope_code(response) == "not_acceptable"


class TestTheDocsPage:
    def test_it_loads_swagger_ui_from_the_projects_static_files(
        self, client: APIClient
    ) -> None:
        response = client.get("/api/docs/")
        html = response.content.decode()

        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")
        for asset in ("swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png"):
            assert f'"{SIDECAR}{asset}"' in html
        assert not re.findall(r"https?://", html)

    def test_it_has_no_inline_script_or_style(self, client: APIClient) -> None:
        html = client.get("/api/docs/").content.decode()

        scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.DOTALL)
        assert scripts
        assert all(
            "src=" in attributes and not body.strip() for attributes, body in scripts
        )
        assert '<script src="/api/docs/?script="></script>' in html
        assert "<style" not in html
        assert " style=" not in html

    def test_it_carries_a_strict_content_security_policy(
        self, client: APIClient
    ) -> None:
        page = client.get("/api/docs/")
        script = client.get("/api/docs/?script=")

        for response in (page, script):
            assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
            assert response["Cross-Origin-Resource-Policy"] == "same-origin"
        assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
        assert "'unsafe-eval'" not in CONTENT_SECURITY_POLICY

    def test_its_script_points_at_the_schema_beside_it(self, client: APIClient) -> None:
        script = client.get("/api/docs/?script=")
        internal = client.get("/internal/docs/?script=&lang=en")

        assert script["Content-Type"] == "application/javascript"
        assert 'url: "/api/schema/",' in script.content.decode()
        assert 'url: "/internal/schema/?lang\\u003Den",' in internal.content.decode()

    def test_the_online_validator_badge_is_off(self, client: APIClient) -> None:
        script = client.get("/api/docs/?script=").content.decode()

        assert '"validatorUrl": null' in script

    def test_a_project_may_turn_the_validator_back_on(self, client: APIClient) -> None:
        # drf-spectacular reads its settings once; this is its way to change them.
        with patched_settings(
            {"SWAGGER_UI_SETTINGS": {"validatorUrl": "https://validator.example/"}}
        ):
            script = client.get("/api/docs/?script=").content.decode()

        assert '"validatorUrl": "https://validator.example/"' in script

    def test_settings_given_as_javascript_are_passed_as_they_are(
        self, client: APIClient
    ) -> None:
        with patched_settings({"SWAGGER_UI_SETTINGS": '{"deepLinking": false}'}):
            script = client.get("/api/docs/?script=").content.decode()

        assert 'const swaggerSettings = {"deepLinking": false};' in script

    def test_a_schema_that_is_not_public_is_fetched_with_the_credentials(
        self, client: APIClient, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(spectacular_settings, "SERVE_PUBLIC", False)

        script = client.get("/api/docs/?script=").content.decode()

        assert re.search(
            r'const schemaAuthNames = \[\s*"cookieAuth",\s*"tokenAuth"', script
        )

    def test_an_unacceptable_type_is_a_json_envelope(self, client: APIClient) -> None:
        response = client.get("/api/docs/", HTTP_ACCEPT="application/json")

        assert response.status_code == 406
        assert envelope_code(response) == "not_acceptable"

    def test_the_files_it_loads_are_found_by_collectstatic(self) -> None:
        for path in (
            "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
            "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-standalone-preset.js",
            "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css",
            "django_strict_core/openapi/swagger_ui.css",
        ):
            assert finders.find(path), path


ROUTES = ("/api/schema/", "/api/docs/", "/api/docs/?script=")


class TestAccess:
    @pytest.mark.parametrize("profile", ["local", "test"])
    def test_public_by_default_where_nothing_is_deployed(
        self, settings: Any, client: APIClient, profile: str
    ) -> None:
        settings.STRICT_CORE_ENV = profile

        assert schema_access() == "public"
        assert [client.get(route).status_code for route in ROUTES] == [200] * 3

    @pytest.mark.parametrize("profile", ["staging", "production"])
    def test_staff_only_by_default_when_deployed(
        self, settings: Any, client: APIClient, profile: str
    ) -> None:
        settings.STRICT_CORE_ENV = profile

        for route in ROUTES:
            response = client.get(route)
            assert response.status_code == 403, route
            assert envelope_code(response) == "not_authenticated"

    def test_a_project_without_a_profile_is_staff_only(self, settings: Any) -> None:
        del settings.STRICT_CORE_ENV

        assert schema_access() == "staff"

    @pytest.mark.django_db
    def test_staff_read_them(
        self, settings: Any, client: APIClient, django_user_model: Any
    ) -> None:
        settings.STRICT_CORE_ENV = "production"
        client.force_login(django_user_model.objects.create_user("ops", is_staff=True))

        assert [client.get(route).status_code for route in ROUTES] == [200] * 3

    @pytest.mark.django_db
    def test_other_users_do_not(
        self, settings: Any, client: APIClient, django_user_model: Any
    ) -> None:
        settings.STRICT_CORE_SCHEMA_ACCESS = "staff"
        client.force_login(django_user_model.objects.create_user("ann"))

        for route in ROUTES:
            response = client.get(route)
            assert response.status_code == 403
            assert envelope_code(response) == "permission_denied"

    @pytest.mark.django_db
    def test_off_is_not_found_for_everyone(
        self, settings: Any, client: APIClient, django_user_model: Any
    ) -> None:
        settings.STRICT_CORE_SCHEMA_ACCESS = "off"
        client.force_login(django_user_model.objects.create_user("root", is_staff=True))

        for route in ROUTES:
            response = client.get(route)
            assert response.status_code == 404
            assert envelope_code(response) == "not_found"

    def test_public_in_production_when_the_project_says_so(
        self, settings: Any, client: APIClient
    ) -> None:
        settings.STRICT_CORE_ENV = "production"
        settings.STRICT_CORE_SCHEMA_ACCESS = "public"

        assert [client.get(route).status_code for route in ROUTES] == [200] * 3

    def test_an_unknown_value_is_refused(self, settings: Any) -> None:
        settings.STRICT_CORE_SCHEMA_ACCESS = "everyone"

        with pytest.raises(ImproperlyConfigured, match="STRICT_CORE_SCHEMA_ACCESS"):
            schema_access()


def test_the_projects_throttles_apply(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.undo()

    for view in (SchemaView, DocsView):
        assert view.throttle_classes == APIView.throttle_classes
        assert view.throttle_classes


class TestChecks:
    def test_the_routes_pass_the_strict_checks(self) -> None:
        assert [
            f"{message.id}: {message.msg}"
            for message in run_checks()
            if message.is_serious() or str(message.id).startswith("strict_core")
        ] == []

    def test_the_docs_page_needs_the_sidecar_app(self, settings: Any) -> None:
        settings.INSTALLED_APPS = [
            app for app in settings.INSTALLED_APPS if app != "drf_spectacular_sidecar"
        ]

        assert [
            message.msg for message in run_checks() if message.id == "strict_core.E020"
        ] == [
            "INSTALLED_APPS does not include 'drf_spectacular_sidecar', which the "
            "baseline needs for Swagger UI's files, which the docs page at "
            "'api/docs/' (name 'docs') loads."
        ]

    @pytest.mark.urls("tests.urls")
    def test_without_the_docs_page_the_sidecar_is_not_needed(
        self, settings: Any
    ) -> None:
        settings.INSTALLED_APPS = [
            app for app in settings.INSTALLED_APPS if app != "drf_spectacular_sidecar"
        ]

        assert [m for m in run_checks() if m.id == "strict_core.E020"] == []
