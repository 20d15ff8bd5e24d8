"""Where the health routes live: their paths, names and documented mount point.

Django is not imported here, so the container probe
(:mod:`django_strict_core.healthcheck.probe`) can share these names.
"""

from __future__ import annotations

from typing import Final

MOUNT_POINT: Final = "api/"
"""Where the documentation mounts ``include("django_strict_core.urls")``."""

READY: Final = "health/"
READY_ALIAS: Final = "health/ready/"
LIVE: Final = "health/live/"
ROUTES: Final = (READY, READY_ALIAS, LIVE)
"""The paths of ``django_strict_core.urls``, below their mount point."""

PROBE_ATTRIBUTE: Final = "strict_core_probe"
"""Set to true on the probe views; how middleware recognises what a request reached."""

DEFAULT_PROBE_PATH: Final = f"/{MOUNT_POINT}{READY}"
"""What the container probe asks when given no URL."""
