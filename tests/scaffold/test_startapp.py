"""``startapp``: the app it renders, its registration, and what it refuses."""

from __future__ import annotations

import ast
import sys
from typing import TYPE_CHECKING

import pytest
from django.core.management.base import CommandError

from django_strict_core.scaffold import startapp
from tests.scaffold.test_startproject import UNFINISHED, files_of

if TYPE_CHECKING:
    from pathlib import Path

APP_FILES = {
    "__init__.py",
    "admin.py",
    "apps.py",
    "migrations/0001_initial.py",
    "migrations/__init__.py",
    "models.py",
    "permissions.py",
    "selectors.py",
    "serializers.py",
    "services.py",
    "tests/__init__.py",
    "tests/factories.py",
    "tests/test_selectors.py",
    "tests/test_services.py",
    "tests/test_views.py",
    "urls.py",
    "views.py",
}


def run_startapp(*arguments: str) -> None:
    """Run the command as the command line does, with its argument parsing."""
    command = startapp.Command()
    parser = command.create_parser("django_strict_core", "startapp")
    command.execute(**vars(parser.parse_args(arguments)))


@pytest.fixture
def without_ruff(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No Ruff beside the interpreter or on PATH."""
    empty = tmp_path / "no-tools"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setattr(sys, "executable", str(empty / "python"))


@pytest.mark.usefixtures("without_ruff")
class TestRendering:
    def test_the_app_has_every_layer(self, in_project: Path) -> None:
        run_startapp("orders")

        assert files_of(in_project / "apps" / "orders") == APP_FILES

    def test_no_file_carries_template_syntax_or_text_to_fill_in(
        self, in_project: Path
    ) -> None:
        run_startapp("orders")

        app = in_project / "apps" / "orders"
        for name in APP_FILES:
            text = (app / name).read_text(encoding="utf-8")
            assert not UNFINISHED.search(text), name
            ast.parse(text, filename=name)

    def test_names_follow_the_app_and_model(self, in_project: Path) -> None:
        run_startapp("purchase_orders")

        app = in_project / "apps" / "purchase_orders"
        assert "class PurchaseOrder(models.Model):" in (app / "models.py").read_text()
        assert "class PurchaseOrdersConfig(AppConfig):" in (app / "apps.py").read_text()
        urls = (app / "urls.py").read_text()
        assert 'app_name = "purchase_orders"' in urls
        assert (
            'router.register("purchase-orders", PurchaseOrderViewSet, '
            'basename="purchase_order")'
        ) in urls
        assert "def create_purchase_order(" in (app / "services.py").read_text()
        migration = (app / "migrations" / "0001_initial.py").read_text()
        assert 'name="purchase_orders_purchaseorder_unique_name"' in migration

    def test_the_model_can_be_named(self, in_project: Path) -> None:
        run_startapp("people", "--model", "Person")

        models = (in_project / "apps" / "people" / "models.py").read_text()
        assert "class Person(models.Model):" in models

    def test_the_app_is_registered_in_settings_and_urls(
        self, in_project: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        run_startapp("orders")

        settings = (in_project / "config" / "settings.py").read_text()
        urls = (in_project / "config" / "urls.py").read_text()
        assert '    "apps.users",\n    "apps.orders",\n]' in settings
        assert (
            '    path("api/", include("apps.users.urls")),\n'
            '    path("api/", include("apps.orders.urls")),\n'
        ) in urls
        out = capsys.readouterr().out
        assert "routed at /api/orders/" in out
        assert "Ruff was not found" in out

    def test_it_runs_from_a_subdirectory_of_the_project(
        self, in_project: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.chdir(in_project / "apps" / "users")

        run_startapp("orders")

        assert (in_project / "apps" / "orders" / "views.py").exists()


class TestModelNames:
    @pytest.mark.parametrize(
        ("app_name", "model"),
        [
            ("orders", "Order"),
            ("purchase_orders", "PurchaseOrder"),
            ("categories", "Category"),
            ("addresses", "Address"),
            ("status", "Status"),
            ("analysis", "Analysis"),
            ("inventory", "Inventory"),
            ("glass", "Glass"),
            ("v2_items", "V2Item"),
        ],
    )
    def test_the_default_model_is_the_name_in_the_singular(
        self, app_name: str, model: str
    ) -> None:
        assert startapp.model_name_for(app_name) == model

    @pytest.mark.parametrize("model", ["order", "Order_Line", "None", "2Order"])
    def test_a_model_name_that_is_not_capwords_is_refused(self, model: str) -> None:
        with pytest.raises(CommandError, match="not a valid model name"):
            startapp.check_model_name(model)

    @pytest.mark.parametrize("model", ["Response", "User", "TestRun"])
    def test_a_model_name_that_clashes_is_refused(self, model: str) -> None:
        with pytest.raises(CommandError, match="would clash"):
            startapp.check_model_name(model)

    @pytest.mark.usefixtures("without_ruff")
    def test_the_reserved_names_are_every_class_the_app_uses(
        self, in_project: Path
    ) -> None:
        run_startapp("orders")

        used: set[str] = set()
        for path in (in_project / "apps" / "orders").rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.ImportFrom):
                    used.update(alias.asname or alias.name for alias in node.names)
                elif isinstance(node, ast.ClassDef):
                    used.add(node.name)
        classes = {name for name in used if startapp.MODEL_NAME.fullmatch(name)}
        own = {name for name in classes if name.startswith(("Order", "Test"))}
        assert classes - own == startapp.RESERVED_MODEL_NAMES


class TestRefusals:
    @pytest.mark.parametrize("name", ["Orders", "my-orders", "_orders", "class"])
    def test_an_unusable_name_is_refused(self, in_project: Path, name: str) -> None:
        with pytest.raises(CommandError, match=r"not a valid app name|is taken"):
            run_startapp(name)

        assert sorted(p.name for p in (in_project / "apps").iterdir()) == [
            "__init__.py",
            "core",
            "users",
        ]

    @pytest.mark.parametrize("name", ["users", "auth", "health", "config"])
    def test_a_name_the_project_uses_is_refused(
        self, in_project: Path, name: str
    ) -> None:
        with pytest.raises(CommandError, match="is taken"):
            run_startapp(name)

    def test_outside_a_project_it_says_where_to_run(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.chdir(tmp_path)

        with pytest.raises(CommandError, match="No project found"):
            run_startapp("orders")

    @pytest.mark.usefixtures("without_ruff")
    def test_an_existing_app_is_refused(self, in_project: Path) -> None:
        run_startapp("orders")

        with pytest.raises(CommandError, match="exists already"):
            run_startapp("orders")

    def test_unregistrable_settings_leave_the_project_untouched(
        self, in_project: Path
    ) -> None:
        settings = in_project / "config" / "settings.py"
        settings.write_text("INSTALLED_APPS = get_apps()\n")
        urls_before = (in_project / "config" / "urls.py").read_text()

        with pytest.raises(CommandError, match="Nothing was written"):
            run_startapp("orders")

        assert not (in_project / "apps" / "orders").exists()
        assert settings.read_text() == "INSTALLED_APPS = get_apps()\n"
        assert (in_project / "config" / "urls.py").read_text() == urls_before
