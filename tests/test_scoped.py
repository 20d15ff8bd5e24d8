"""SettingsScoped: one object per settings, rebuilt when they change."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from django_strict_core.scoped import SettingsScoped


class TestSettingsScoped:
    def test_one_object_until_a_setting_it_depends_on_changes(self) -> None:
        built: list[object] = []
        scoped = SettingsScoped(
            lambda: built.append(object()) or built[-1],
            ("CACHES",),
            prefixes=("STRICT_CORE_HEALTH_",),
        )

        first = scoped.get()
        assert scoped.get() is first
        with override_settings(STRICT_CORE_MAX_PAGE_SIZE=5):
            assert scoped.get() is first
        with override_settings(STRICT_CORE_HEALTH_TIMEOUT=2):
            second = scoped.get()
            assert second is not first
        assert scoped.get() is not second
        with override_settings(CACHES={}):
            assert scoped.get() is not first
        assert len(built) == 4

    def test_a_failed_build_is_tried_again(self) -> None:
        attempts: list[int] = []

        def build() -> int:
            attempts.append(1)
            if len(attempts) == 1:
                raise ImproperlyConfigured("not yet")
            return len(attempts)

        scoped = SettingsScoped(build, ())

        with pytest.raises(ImproperlyConfigured):
            scoped.get()
        assert scoped.get() == 2
        assert scoped.get() == 2

    def test_reset_drops_the_object(self) -> None:
        scoped = SettingsScoped(object, ())
        first = scoped.get()

        scoped.reset()

        assert scoped.get() is not first
