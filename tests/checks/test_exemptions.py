"""What the checks judge: project code only, minus explicit exemptions."""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING

import pytest
from rest_framework.views import APIView

from django_strict_core.checks.exemptions import (
    check_exempt_setting,
    dotted_path,
    exempt_paths,
    is_judged,
    is_third_party,
    library_roots,
)
from tests.projects.checks import views

if TYPE_CHECKING:
    from pathlib import Path

    from pytest_django.fixtures import SettingsWrapper


class Outer:
    class Inner(APIView):
        pass


class TestIsThirdParty:
    @pytest.mark.parametrize(
        "module", ["rest_framework.views", "django.views.generic", "json", "sys"]
    )
    def test_installed_and_standard_modules_are_third_party(self, module: str) -> None:
        assert is_third_party(module)

    def test_the_projects_modules_are_not(self) -> None:
        assert not is_third_party("tests.projects.checks.views")

    def test_an_unknown_module_is_not_project_code(self) -> None:
        assert is_third_party("tests.no_such_module")

    def test_packages_of_a_layered_environment_are_third_party(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # uv run --with: the project's packages come from another environment's
        # site-packages, put on sys.path by a .pth file.
        packages = tmp_path / "base" / "lib" / "site-packages"
        (packages / "layered_vendor").mkdir(parents=True)
        (packages / "layered_vendor" / "__init__.py").write_text("")
        monkeypatch.syspath_prepend(str(packages))
        library_roots.cache_clear()
        importlib.import_module("layered_vendor")
        try:
            assert is_third_party("layered_vendor")
        finally:
            sys.modules.pop("layered_vendor", None)
            library_roots.cache_clear()


class TestDottedPath:
    def test_names_a_class_by_its_qualified_name(self) -> None:
        assert dotted_path(Outer.Inner) == f"{__name__}.Outer.Inner"

    def test_names_an_api_view_by_its_function(self) -> None:
        assert dotted_path(views.ping.cls) == "tests.projects.checks.views.ping"


class TestIsJudged:
    def test_project_views_are_judged(self) -> None:
        assert is_judged(views.ReportView, None)

    def test_the_class_attribute_exempts(self) -> None:
        assert not is_judged(views.ExportView, None)

    def test_the_attribute_is_not_inherited(self) -> None:
        subclass = type("ExportSubclass", (views.ExportView,), {"__module__": __name__})

        assert is_judged(subclass, None)

    def test_the_setting_exempts_by_dotted_path(
        self, settings: SettingsWrapper
    ) -> None:
        settings.STRICT_CORE_CHECKS_EXEMPT = ["tests.projects.checks.views.ReportView"]

        assert not is_judged(views.ReportView, None)

    def test_third_party_classes_are_not_judged(self) -> None:
        assert not is_judged(APIView, None)


class TestExemptSetting:
    def test_absent_setting_is_fine(self) -> None:
        assert exempt_paths() == frozenset()
        assert check_exempt_setting() == []

    @pytest.mark.parametrize("value", ["tests.views.Legacy", 3, ["ok", 4]])
    def test_malformed_setting_is_reported_and_ignored(
        self, settings: SettingsWrapper, value: object
    ) -> None:
        settings.STRICT_CORE_CHECKS_EXEMPT = value

        (error,) = check_exempt_setting()
        assert error.id == "strict_core.E014"
        assert error.obj == "STRICT_CORE_CHECKS_EXEMPT"
        assert exempt_paths() == frozenset()

    def test_a_tuple_of_paths_is_accepted(self, settings: SettingsWrapper) -> None:
        settings.STRICT_CORE_CHECKS_EXEMPT = ("a.B",)

        assert check_exempt_setting() == []
        assert exempt_paths() == frozenset({"a.B"})
