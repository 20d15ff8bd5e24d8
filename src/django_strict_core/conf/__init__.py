"""Typed settings from the environment and the one helper that turns them into Django's.

Public names: :class:`StrictSettings`, :func:`build_settings` and :class:`SettingsError`.
"""

from django_strict_core.conf.build import build_settings
from django_strict_core.conf.environment import StrictSettings
from django_strict_core.conf.errors import SettingsError

__all__ = ["SettingsError", "StrictSettings", "build_settings"]
