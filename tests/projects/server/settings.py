"""Settings of the server test project: what gunicorn serves in the server tests."""

from pathlib import Path

from django_strict_core.conf import StrictSettings, build_settings
from tests.projects.common import AUTH_USER_MODEL, INSTALLED_APPS, TEMPLATES

BASE_DIR = Path(__file__).resolve().parent

SETTINGS = StrictSettings()
globals().update(build_settings(SETTINGS, base_dir=BASE_DIR))

__all__ = ["AUTH_USER_MODEL", "INSTALLED_APPS", "TEMPLATES"]
ROOT_URLCONF = "tests.projects.server.urls"
