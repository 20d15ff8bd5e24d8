"""The existing settings with ``build_settings`` called last, without ``merge``.

strict_core.E018: the baseline replaces the project's LocaleMiddleware, its DRF
versioning class and its id field. strict_core.E020 and E021: the project never
installed drf-spectacular or the token app that the baseline's authentication uses.
"""

from django_strict_core.conf import StrictSettings, build_settings
from tests.projects.adoption.legacy import *  # noqa: F403

SETTINGS = StrictSettings()
globals().update(build_settings(SETTINGS, base_dir=BASE_DIR))  # noqa: F405
