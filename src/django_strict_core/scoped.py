"""Objects built from settings, each owned by one holder that rebuilds it on change.

The health check runner and the throttles' fail-open state are built from Django
settings and keep state between requests. Each lives in a :class:`SettingsScoped`,
the one place that says when such an object is built and when it is dropped, so no
module keeps mutable state of its own.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.core.signals import setting_changed

if TYPE_CHECKING:
    from collections.abc import Callable, Collection

T = TypeVar("T")


class SettingsScoped(Generic[T]):
    """Own one object built from settings; build a new one after they change.

    The object is built on first use. When one of the settings it depends on changes
    (``setting_changed``), it is dropped, and the next use builds a fresh one from the
    new values. An object that fails to build is not kept: the next use tries again.

    Example:
        ```python
        runner = SettingsScoped(HealthRunner.from_settings, ("DATABASES",))
        runner.get().run()
        ```
    """

    def __init__(
        self,
        build: Callable[[], T],
        depends_on: Collection[str],
        *,
        prefixes: tuple[str, ...] = (),
    ) -> None:
        """Declare the object.

        Args:
            build: Builds the object from the current settings.
            depends_on: Names of the settings it is built from.
            prefixes: Prefixes of further settings it is built from.
        """
        self._build = build
        self._names = frozenset(depends_on)
        self._prefixes = prefixes
        self._lock = threading.Lock()
        self._current: T | None = None
        setting_changed.connect(self._changed)

    def get(self) -> T:
        """Return the object built from the current settings.

        Returns:
            The object; built now if the settings changed since the last use.
        """
        current = self._current
        if current is not None:
            return current
        with self._lock:
            if self._current is None:
                self._current = self._build()
            return self._current

    def reset(self) -> None:
        """Drop the object, as a change of its settings does."""
        with self._lock:
            self._current = None

    def _changed(self, *, setting: str, **_kwargs: Any) -> None:
        if setting in self._names or setting.startswith(self._prefixes):
            self.reset()
