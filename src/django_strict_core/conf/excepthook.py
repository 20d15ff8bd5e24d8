"""A settings error that stops a command is printed short, as its last output.

``manage.py`` imports the settings deep inside Django's command machinery, so an
invalid environment would end in a long traceback of Django and importlib frames with
the list of variables to fix at its very end. When a
:class:`~django_strict_core.conf.errors.SettingsError` is raised,
:func:`install` puts :func:`excepthook` in front of :data:`sys.excepthook`: if the
error is not caught and ends the process, only the project's own line that raised it
and the error itself are printed. Every other exception goes to the previous hook
unchanged, and a caught ``SettingsError`` prints nothing at all, so a project's own
``manage.py`` needs no change.
"""

from __future__ import annotations

import os
import sys
import sysconfig
import traceback
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from types import TracebackType

PACKAGE_DIR = Path(__file__).resolve().parents[1]
# Frames in these directories are the library, Django, importlib and the standard
# library: none of them is where a project wrote the line that failed.
_NOT_THE_PROJECT = tuple(
    f"{path}{os.sep}"
    for path in (
        PACKAGE_DIR,
        *(sysconfig.get_path(name) for name in ("purelib", "platlib", "stdlib")),
    )
)

_previous = sys.excepthook


def install() -> None:
    """Make :func:`excepthook` the process's exception hook, once."""
    global _previous  # noqa: PLW0603 - the hook chains to whatever it replaced
    if sys.excepthook is not excepthook:
        _previous = sys.excepthook
        sys.excepthook = excepthook


def excepthook(
    exc_type: type[BaseException],
    exc: BaseException,
    tb: TracebackType | None,
) -> None:
    """Print an uncaught ``SettingsError`` short; pass anything else on.

    Args:
        exc_type: The exception's class.
        exc: The exception.
        tb: Its traceback.
    """
    from django_strict_core.conf.errors import SettingsError  # noqa: PLC0415

    if not isinstance(exc, SettingsError):
        _previous(exc_type, exc, tb)
        return
    lines = []
    frame = project_frame(tb)
    if frame is not None:
        lines.append("Raised by the project's own code:\n")
        lines.extend(traceback.format_list([frame]))
    lines.extend(traceback.format_exception_only(exc_type, exc))
    sys.stderr.write("".join(lines))
    sys.stderr.flush()


def project_frame(tb: TracebackType | None) -> traceback.FrameSummary | None:
    """Return the innermost frame of a traceback that is the project's code.

    Args:
        tb: A traceback.

    Returns:
        The frame (usually the ``Settings()`` line of ``settings.py``), or ``None``
        when every frame is the library's, a distribution's or Python's.
    """
    for frame in reversed(traceback.extract_tb(tb)):
        filename = frame.filename
        if filename.startswith("<") or filename.startswith(_NOT_THE_PROJECT):
            continue
        return frame
    return None
