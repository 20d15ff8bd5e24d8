"""The adoption recipes of README.md and docs/getting-started.md, run as they are written.

Each settings block is appended to the ``settings.py`` that ``django-admin
startproject`` writes, as the documentation says to, and the module is run; each URL
block is served.
"""

from __future__ import annotations

import re
import runpy
import textwrap
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.core.checks import run_checks
from django.core.management import call_command
from django.test import Client
from django.utils.module_loading import import_string

from django_strict_core.conf import StrictSettings
from django_strict_core.conf.build import MIDDLEWARE
from django_strict_core.openapi.views import _SchemaRoute

if TYPE_CHECKING:
    from collections.abc import Callable

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
GETTING_STARTED = ROOT / "docs" / "getting-started.md"
INDEX = ROOT / "docs" / "index.md"
OWN_MIDDLEWARE = [entry for entry in MIDDLEWARE if entry.startswith("django_strict")]
BASELINE_APPS = [
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_strict_core",
    "users",
]


def python_blocks(path: Path, heading: str) -> list[str]:
    """Return the Python code blocks of one ``## heading`` section, dedented."""
    text = path.read_text()
    start = text.index(f"## {heading}\n")
    end = text.find("\n## ", start + 1)
    section = text[start : end if end != -1 else None]
    return [
        textwrap.dedent(block)
        for _indent, block in re.findall(
            r"^( *)```python\n(.*?)^\1```", section, re.MULTILINE | re.DOTALL
        )
    ]


def settings_block(path: Path, heading: str) -> str:
    return next(b for b in python_blocks(path, heading) if "build_settings(" in b)


def urls_block(path: Path, heading: str) -> str:
    return next(b for b in python_blocks(path, heading) if "handler404" in b)


@pytest.fixture
def project(tmp_path: Path, clean_environ: pytest.MonkeyPatch) -> Path:
    """A project as ``django-admin startproject mysite .`` writes it."""
    call_command("startproject", "mysite", str(tmp_path))
    return tmp_path


@pytest.fixture
def run_settings(project: Path) -> Callable[..., dict[str, Any]]:
    settings_py = project / "mysite" / "settings.py"
    generated = settings_py.read_text()

    def run(*blocks: str) -> dict[str, Any]:
        settings_py.write_text("\n".join([generated, *blocks]))
        return runpy.run_path(str(settings_py))

    return run


RECIPES = [
    pytest.param(README, "Adopt it", id="README"),
    pytest.param(GETTING_STARTED, "Adopt it in a project", id="getting-started"),
    pytest.param(INDEX, "Adopt it", id="index"),
]


@pytest.mark.parametrize(("path", "heading"), RECIPES)
class TestTheSettingsRecipe:
    def test_it_builds_on_a_startproject_settings_module(
        self,
        path: Path,
        heading: str,
        project: Path,
        run_settings: Callable[..., dict[str, Any]],
    ) -> None:
        generated = run_settings()
        settings = run_settings(settings_block(path, heading))

        assert isinstance(settings["SETTINGS"], StrictSettings)
        assert settings["SETTINGS"].env == "local"
        assert settings["DEBUG"] is True
        assert settings["AUTH_USER_MODEL"] == "users.User"
        assert settings["DATABASES"]["default"]["NAME"] == str(project / "db.sqlite3")
        # The environment's (here the development key), not startproject's own.
        assert settings["SECRET_KEY"] != generated["SECRET_KEY"]

    def test_the_projects_own_settings_are_kept(
        self, path: Path, heading: str, run_settings: Callable[..., dict[str, Any]]
    ) -> None:
        generated = run_settings()
        settings = run_settings(settings_block(path, heading))

        assert settings["MIDDLEWARE"] == [*OWN_MIDDLEWARE, *generated["MIDDLEWARE"]]
        assert (
            settings["INSTALLED_APPS"][: len(generated["INSTALLED_APPS"])]
            == (generated["INSTALLED_APPS"])
        )
        assert sorted(
            settings["INSTALLED_APPS"][len(generated["INSTALLED_APPS"]) :]
        ) == (sorted(BASELINE_APPS))
        assert settings["TEMPLATES"] == generated["TEMPLATES"]
        assert settings["ROOT_URLCONF"] == "mysite.urls"


def test_every_recipe_is_the_same() -> None:
    recipes = [(README, "Adopt it"), (GETTING_STARTED, "Adopt it in a project")]
    settings = {settings_block(*recipe) for recipe in [*recipes, (INDEX, "Adopt it")]}

    assert len(settings) == 1
    assert len({urls_block(*recipe) for recipe in recipes}) == 1


class TestTheBrowsableApiRecipe:
    RENDERER = "rest_framework.renderers.BrowsableAPIRenderer"

    def recipe(self) -> str:
        return next(
            block
            for block in python_blocks(GETTING_STARTED, "What changes from plain DRF")
            if "BrowsableAPIRenderer" in block
        )

    def test_local_gets_the_browsable_api(
        self, run_settings: Callable[..., dict[str, Any]]
    ) -> None:
        adoption = settings_block(GETTING_STARTED, "Adopt it in a project")

        settings = run_settings(adoption, self.recipe())

        assert settings["REST_FRAMEWORK"]["DEFAULT_RENDERER_CLASSES"] == [
            "rest_framework.renderers.JSONRenderer",
            self.RENDERER,
        ]

    def test_production_stays_json_only(
        self,
        clean_environ: pytest.MonkeyPatch,
        run_settings: Callable[..., dict[str, Any]],
    ) -> None:
        clean_environ.setenv("DJANGO_ENV", "production")
        clean_environ.setenv("DJANGO_SECRET_KEY", "k3y-" + "x1y2z3" * 10)
        clean_environ.setenv("DJANGO_ALLOWED_HOSTS", "api.example.com")
        clean_environ.setenv("DATABASE_URL", "sqlite:////srv/app/db.sqlite3")
        adoption = settings_block(GETTING_STARTED, "Adopt it in a project")

        settings = run_settings(adoption, self.recipe())

        assert (
            self.RENDERER not in settings["REST_FRAMEWORK"]["DEFAULT_RENDERER_CLASSES"]
        )


@pytest.fixture
def unthrottled(monkeypatch: pytest.MonkeyPatch) -> None:
    """No throttling: the suite's shared cache counts every run's requests."""
    monkeypatch.setattr(_SchemaRoute, "throttle_classes", ())


@pytest.mark.usefixtures("unthrottled")
class TestTheUrlsRecipe:
    @pytest.mark.parametrize(("path", "heading"), RECIPES)
    def test_it_serves_the_api_with_the_librarys_handlers(
        self,
        path: Path,
        heading: str,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
        settings: Any,
    ) -> None:
        module = f"recipe_urls_{path.stem.replace('-', '_')}"
        (tmp_path / f"{module}.py").write_text(urls_block(path, heading))
        monkeypatch.syspath_prepend(str(tmp_path))
        settings.ROOT_URLCONF = module
        client = Client()

        assert client.get("/api/health/live/").status_code == 200
        assert client.get("/api/docs/").status_code == 200
        assert client.get("/api/no-such-route/").json()["errors"][0]["code"] == (
            "not_found"
        )
        for status in (400, 403, 404, 500):
            handler = import_module(module).__dict__[f"handler{status}"]
            assert import_string(handler).__module__ == "django_strict_core.views"
        assert [m for m in run_checks() if m.is_serious()] == []

    def test_the_open_api_root_recipe(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Any
    ) -> None:
        router = next(
            block
            for block in python_blocks(GETTING_STARTED, "What changes from plain DRF")
            if "DefaultRouter" in block
        )
        (tmp_path / "router_urls.py").write_text(
            router + "\nfrom django.urls import include, path\n\n"
            'urlpatterns = [path("api/", include(router.urls))]\n'
        )
        monkeypatch.syspath_prepend(str(tmp_path))
        settings.ROOT_URLCONF = "router_urls"
        # No throttling: the suite's shared cache counts every run's requests.
        monkeypatch.setattr(
            import_module("router_urls").APIRootView, "throttle_classes", ()
        )

        response = Client().get("/api/")

        assert response.status_code == 200
        assert [m for m in run_checks() if m.is_serious()] == []
