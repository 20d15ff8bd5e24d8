"""Settings of the envelope test project: the profile comes from ``DJANGO_ENV``."""

from pathlib import Path

from django_strict_core.conf import StrictSettings, build_settings
from tests.projects.common import AUTH_USER_MODEL, INSTALLED_APPS, TEMPLATES

BASE_DIR = Path(__file__).resolve().parent

SETTINGS = StrictSettings()
_built = build_settings(SETTINGS, base_dir=BASE_DIR)
# Fails on demand (an X-Explode header), for an error raised outside any view.
_built["MIDDLEWARE"].append("tests.apps.errors.middleware.ExplodingMiddleware")
globals().update(_built)

__all__ = ["AUTH_USER_MODEL", "INSTALLED_APPS", "TEMPLATES"]
# The error handlers wired as a project wires them; plain views inside and outside /api/.
ROOT_URLCONF = "tests.apps.errors.root_urls"
