"""A deployed profile needs a real database: ``DATABASE_URL`` must be set.

Without it ``build_settings`` falls back to a SQLite file under ``base_dir``, which is
right on a laptop and wrong in a container: every replica writes its own file, and
the file goes with the container. Django's ``check --deploy`` says nothing about it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.checks import Error

from django_strict_core.checks.built import built_fingerprint
from django_strict_core.checks.settings import DEPLOYED_PROFILES, profile

if TYPE_CHECKING:
    from django.core.checks import CheckMessage


def check_database_url(**_kwargs: Any) -> list[CheckMessage]:
    """Report staging or production settings built without ``DATABASE_URL``.

    Args:
        **_kwargs: What Django passes to every check.

    Returns:
        ``strict_core.E019`` when the default database is the SQLite fallback.
    """
    built = built_fingerprint()
    env = profile()
    if built is None or env not in DEPLOYED_PROFILES or built["database_url"]:
        return []
    return [
        Error(
            f"DATABASE_URL is not set in {env}: the default database is the SQLite "
            "file build_settings falls back to, private to this container.",
            hint="Set DATABASE_URL, e.g. postgres://user:password@db.internal:5432/app "
            "(or DATABASE_URL_FILE naming a file that holds it); to run on SQLite on "
            "purpose, name its file: DATABASE_URL=sqlite:////data/db.sqlite3.",
            obj="DATABASES",
            id="strict_core.E019",
        )
    ]
