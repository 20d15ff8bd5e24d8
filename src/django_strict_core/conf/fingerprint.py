"""What ``build_settings`` produced, kept so the system checks can tell what changed later.

``build_settings`` stores a fingerprint under ``STRICT_CORE_FINGERPRINT``. The checks
of :mod:`django_strict_core.checks.built` compare the settings Django ended up with
against it and report a setting derived from the environment that a later
assignment replaced, baseline middleware or ``REST_FRAMEWORK`` keys that went
missing, and a project's own settings that the call itself replaced.

Nothing secret is stored in clear: the secret key, database and cache connections and
setting values are kept as HMAC-SHA256 digests under a key drawn anew by each process,
which the settings and the checks share, so they cannot be compared with anything
outside the process. Host names, origins, middleware paths, setting names and the
database engine are kept as they are, for the messages.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from typing import TYPE_CHECKING, Any

from django_strict_core.conf.merge import DEFAULT_ALIAS, merge_settings

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from django_strict_core.conf.environment import StrictSettings

FINGERPRINT_SETTING = "STRICT_CORE_FINGERPRINT"
DATABASE_FIELDS = ("ENGINE", "HOST", "PORT", "USER", "PASSWORD")
CACHE_FIELDS = ("BACKEND", "LOCATION")
# Dicts whose keys a project's assignment after the call may have dropped.
KEYED_SETTINGS = ("REST_FRAMEWORK", "SPECTACULAR_SETTINGS")
ALIASED_SETTINGS = ("DATABASES", "CACHES")

_KEY = secrets.token_bytes(32)


def digest(value: Any) -> str:
    """Return this process's keyed digest of a JSON-like value.

    Args:
        value: A setting's value; tuples and lists digest alike, other objects by
            their ``str()``.

    Returns:
        32 hexadecimal digits.
    """
    text = json.dumps(value, sort_keys=True, default=str)
    return hmac.new(_KEY, text.encode(), hashlib.sha256).hexdigest()[:32]


def connection_digest(config: Any, fields: Iterable[str]) -> str:
    """Digest the fields of a ``DATABASES`` or ``CACHES`` entry that locate the service.

    Fields Django fills in later, the test database name and options a project
    tunes after the call are left out, so only a replaced connection differs.

    Args:
        config: One alias's dict.
        fields: The fields that say which server, account and backend.

    Returns:
        The digest; missing and empty fields count alike, ports as text.
    """
    entry = config if isinstance(config, dict) else {}
    return digest(
        ["" if entry.get(name) is None else str(entry[name]) for name in fields]
    )


def with_fingerprint(
    result: dict[str, Any],
    settings: StrictSettings,
    *,
    merge: Mapping[str, Any] | None,
    caller: Mapping[str, Any],
) -> dict[str, Any]:
    """Merge the baseline with a project's settings if asked to, and add its fingerprint.

    Args:
        result: The baseline ``build_settings`` built.
        settings: The validated environment.
        merge: The project's existing settings to combine with, if any.
        caller: The globals of ``build_settings``' caller. Without ``merge``, what
            the baseline would replace of them is noted (:func:`replaced_by`); they
            are only read.

    Returns:
        The settings to return, with ``STRICT_CORE_FINGERPRINT``.
    """
    replaced = replaced_by(result, caller) if merge is None else {}
    middleware = list(result["MIDDLEWARE"])
    rest_framework = list(result["REST_FRAMEWORK"])
    if merge is not None:
        result = merge_settings(result, merge)
    result[FINGERPRINT_SETTING] = fingerprint(
        result,
        settings,
        replaced=replaced,
        baseline_middleware=middleware,
        baseline_rest_framework=rest_framework,
    )
    return result


def fingerprint(
    result: Mapping[str, Any],
    settings: StrictSettings,
    *,
    replaced: Mapping[str, Any],
    baseline_middleware: Iterable[str],
    baseline_rest_framework: Iterable[str],
) -> dict[str, Any]:
    """Return the fingerprint of the settings ``build_settings`` returns.

    Args:
        result: The returned settings.
        settings: The validated environment.
        replaced: What of the caller's own settings the returned values replace
            (see :func:`replaced_by`).
        baseline_middleware: The baseline's ``MIDDLEWARE`` entries.
        baseline_rest_framework: The baseline's ``REST_FRAMEWORK`` keys.

    Returns:
        A JSON-like dict.
    """
    default_database = result["DATABASES"][DEFAULT_ALIAS]
    return {
        "environment": {
            "SECRET_KEY": digest(result["SECRET_KEY"]),
            "DEBUG": bool(result["DEBUG"]),
            "ALLOWED_HOSTS": list(result["ALLOWED_HOSTS"]),
            "CSRF_TRUSTED_ORIGINS": list(result["CSRF_TRUSTED_ORIGINS"]),
            "DATABASES": connection_digest(default_database, DATABASE_FIELDS),
            "CACHES": connection_digest(result["CACHES"][DEFAULT_ALIAS], CACHE_FIELDS),
        },
        "database_engine": default_database.get("ENGINE", ""),
        "database_url": settings.database_url is not None,
        "redis_url": settings.redis_url is not None,
        "middleware": list(baseline_middleware),
        "rest_framework": list(baseline_rest_framework),
        "replaced": dict(replaced),
    }


def replaced_by(
    result: Mapping[str, Any], existing: Mapping[str, Any]
) -> dict[str, Any]:
    """Say what of a module's own settings ``result`` would replace if applied to it.

    ``build_settings`` calls it with its caller's globals when it is not given
    ``merge``: ``globals().update(build_settings(...))`` at the end of a
    ``settings.py`` then throws away what the project defined before. Only what
    ``merge`` would have kept is reported.

    Args:
        result: The settings about to be returned.
        existing: The caller's globals.

    Returns:
        ``MIDDLEWARE`` and ``SECURE_REDIRECT_EXEMPT``: the project's entries the
        baseline lacks; ``REST_FRAMEWORK`` and ``SPECTACULAR_SETTINGS``: the
        project's keys whose value differs, with the digest of the project's value;
        ``DATABASES`` and ``CACHES``: the project's aliases besides ``default``;
        ``DEFAULT_AUTO_FIELD``: the project's, when it differs. Empty entries are
        left out.
    """
    found: dict[str, Any] = {}
    for name in ("MIDDLEWARE", "SECURE_REDIRECT_EXEMPT"):
        own, ours = existing.get(name), result.get(name) or ()
        if isinstance(own, (list, tuple)):
            found[name] = [entry for entry in own if entry not in ours]
    for name in KEYED_SETTINGS:
        own, ours = existing.get(name), result.get(name) or {}
        if isinstance(own, dict):
            found[name] = {
                key: digest(value)
                for key, value in own.items()
                if key not in ours or digest(ours[key]) != digest(value)
            }
    for name in ALIASED_SETTINGS:
        own = existing.get(name)
        if isinstance(own, dict):
            found[name] = [alias for alias in own if alias != DEFAULT_ALIAS]
    own_field = existing.get("DEFAULT_AUTO_FIELD")
    if isinstance(own_field, str) and own_field != result.get("DEFAULT_AUTO_FIELD"):
        found["DEFAULT_AUTO_FIELD"] = own_field
    return {name: value for name, value in found.items() if value}
