"""Adding an app to the settings and URL modules' source text."""

from __future__ import annotations

import pytest

from django_strict_core.scaffold.registration import (
    RegistrationError,
    add_api_route,
    add_installed_app,
)

URLS_HEAD = "from django.urls import include, path\n\n"


class TestInstalledApps:
    def test_one_entry_per_line_gets_a_line_of_its_own(self) -> None:
        source = 'INSTALLED_APPS = [\n    "a",\n    "apps.users",  # the users\n]\n'

        assert add_installed_app(source, "apps.orders") == (
            'INSTALLED_APPS = [\n    "a",\n    "apps.users",  # the users\n'
            '    "apps.orders",\n]\n'
        )

    def test_a_last_entry_without_a_comma_gets_one(self) -> None:
        source = 'INSTALLED_APPS = (\n    "a",\n    "b"\n)\n'

        assert add_installed_app(source, "c") == (
            'INSTALLED_APPS = (\n    "a",\n    "b",\n    "c",\n)\n'
        )

    def test_a_list_on_one_line_stays_on_one_line(self) -> None:
        source = 'X = 1\nINSTALLED_APPS = ["a", "b"]  # short\n'

        assert add_installed_app(source, "c") == (
            'X = 1\nINSTALLED_APPS = ["a", "b", "c"]  # short\n'
        )

    def test_a_single_entry_on_its_own_line(self) -> None:
        source = 'INSTALLED_APPS = [\n    "a",\n]\n'

        assert (
            add_installed_app(source, "b")
            == 'INSTALLED_APPS = [\n    "a",\n    "b",\n]\n'
        )

    def test_the_last_assignment_counts(self) -> None:
        source = 'INSTALLED_APPS = ["x"]\nINSTALLED_APPS: list[str] = [\n    "a",\n]\n'

        assert add_installed_app(source, "b").endswith('    "a",\n    "b",\n]\n')

    def test_columns_are_counted_in_characters_after_non_ascii_text(self) -> None:
        source = 'INSTALLED_APPS = ["é", "ü"]\n'

        assert add_installed_app(source, "b") == 'INSTALLED_APPS = ["é", "ü", "b"]\n'

    def test_crlf_line_endings_are_kept(self) -> None:
        source = 'INSTALLED_APPS = [\r\n    "a",\r\n]\r\n'

        assert add_installed_app(source, "b") == (
            'INSTALLED_APPS = [\r\n    "a",\r\n    "b",\r\n]\r\n'
        )

    @pytest.mark.parametrize(
        "source", ["", "INSTALLED_APPS = []\n", "INSTALLED_APPS = base + ['a']\n"]
    )
    def test_no_list_to_extend_is_an_error(self, source: str) -> None:
        with pytest.raises(RegistrationError, match="no list or tuple"):
            add_installed_app(source, "b")

    def test_an_app_already_there_is_an_error(self) -> None:
        with pytest.raises(RegistrationError, match="already"):
            add_installed_app('INSTALLED_APPS = ["b"]\n', "b")


class TestApiRoute:
    def test_the_route_follows_the_last_project_app(self) -> None:
        source = URLS_HEAD + (
            "urlpatterns = [\n"
            '    path("api/", include("django_strict_core.urls")),\n'
            '    path("api/", include("apps.users.urls")),\n'
            '    path("api/docs/", docs, name="docs"),\n'
            "]\n"
        )

        assert add_api_route(source, "apps.orders") == URLS_HEAD + (
            "urlpatterns = [\n"
            '    path("api/", include("django_strict_core.urls")),\n'
            '    path("api/", include("apps.users.urls")),\n'
            '    path("api/", include("apps.orders.urls")),\n'
            '    path("api/docs/", docs, name="docs"),\n'
            "]\n"
        )

    def test_without_a_project_app_the_route_comes_last(self) -> None:
        source = URLS_HEAD + 'urlpatterns = [\n    path("admin/", site.urls),\n]\n'

        assert add_api_route(source, "apps.orders").endswith(
            '    path("admin/", site.urls),\n'
            '    path("api/", include("apps.orders.urls")),\n]\n'
        )

    def test_a_route_written_over_several_lines_is_followed(self) -> None:
        source = URLS_HEAD + (
            "urlpatterns = [\n"
            "    path(\n"
            '        "api/",\n'
            '        include("apps.users.urls"),\n'
            "    ),\n"
            "]\n"
        )

        assert add_api_route(source, "apps.orders").endswith(
            '    ),\n    path("api/", include("apps.orders.urls")),\n]\n'
        )

    def test_path_and_include_must_be_imported(self) -> None:
        source = (
            'from django.urls import path\n\nurlpatterns = [\n    path("a/", v),\n]\n'
        )

        with pytest.raises(RegistrationError, match="does not import include"):
            add_api_route(source, "apps.orders")

    def test_no_urlpatterns_is_an_error(self) -> None:
        with pytest.raises(RegistrationError, match="no list to urlpatterns"):
            add_api_route(URLS_HEAD + "urlpatterns = router.urls\n", "apps.orders")

    def test_an_included_app_is_an_error(self) -> None:
        source = (
            URLS_HEAD + 'urlpatterns = [path("api/", include("apps.orders.urls"))]\n'
        )

        with pytest.raises(RegistrationError, match="already"):
            add_api_route(source, "apps.orders")
