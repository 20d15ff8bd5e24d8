"""Settings of the test suite's project, built as a project using the library builds them."""

import hashlib
import os
from pathlib import Path

from django_strict_core.conf import StrictSettings, build_settings
from tests.projects.common import AUTH_USER_MODEL, INSTALLED_APPS, TEMPLATES

BASE_DIR = Path(__file__).resolve().parent

SETTINGS = StrictSettings(env="test")
_built = build_settings(SETTINGS, base_dir=BASE_DIR)

# Several checkouts and tox environments may share one PostgreSQL and Redis; each run
# gets its own test database and cache key prefix.
RUN_ID = hashlib.sha256(
    f"{BASE_DIR}:{os.environ.get('TOX_ENV_NAME', 'dev')}".encode()
).hexdigest()[:10]
if _built["DATABASES"]["default"]["ENGINE"] != "django.db.backends.sqlite3":
    _built["DATABASES"]["default"]["TEST"] = {"NAME": f"test_strict_core_{RUN_ID}"}
_built["CACHES"]["default"]["KEY_PREFIX"] = f"strict-core-tests-{RUN_ID}"
globals().update(_built)

__all__ = ["AUTH_USER_MODEL", "INSTALLED_APPS", "TEMPLATES"]
ROOT_URLCONF = "tests.urls"
