"""The existing settings with ``build_settings`` called last, with ``merge=globals()``."""

from django_strict_core.conf import StrictSettings, build_settings
from tests.projects.adoption.legacy import *  # noqa: F403

SETTINGS = StrictSettings()
globals().update(build_settings(SETTINGS, base_dir=BASE_DIR, merge=globals()))  # noqa: F405
