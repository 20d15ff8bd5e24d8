"""Annotated types for settings read from the environment: lists, levels, URLs, rates.

Each type parses the text an environment variable holds and says what was expected
when it cannot; a project's own :class:`~django_strict_core.conf.StrictSettings`
fields can use them too::

    class Settings(StrictSettings):
        search_hosts: CommaList = Field(default_factory=list, validation_alias="SEARCH_HOSTS")
        search_log_level: Level = Field("WARNING", validation_alias="SEARCH_LOG_LEVEL")
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import dj_database_url
from pydantic import AfterValidator, BeforeValidator, SecretStr
from pydantic_settings import NoDecode

__all__ = [
    "CommaList",
    "DatabaseURL",
    "Format",
    "Hosts",
    "Level",
    "LogFields",
    "LogFormat",
    "LogLevel",
    "LoggerLevels",
    "Origins",
    "Profile",
    "Rate",
    "RedisURL",
    "split_list",
]

Profile = Literal["local", "test", "staging", "production"]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
LogFormat = Literal["json", "console"]
LogFields = Literal["standard", "ecs"]

_RATE = re.compile(r"^\d+/(s|sec|second|m|min|minute|h|hour|d|day)$")
_LOGGER_LEVELS_EXPECTED = (
    "expected logger=LEVEL pairs separated by commas (e.g. "
    "django.db.backends=DEBUG,django_strict_core.access=WARNING) or a JSON object"
)
_REDIS_SCHEMES = frozenset({"redis", "rediss", "unix"})
# Engines that need a database name; SQLite's name is its file.
_NAMED_DATABASES = frozenset(
    {
        "django.db.backends.postgresql",
        "django.contrib.gis.db.backends.postgis",
        "django.db.backends.mysql",
        "django.contrib.gis.db.backends.mysql",
        "django.db.backends.oracle",
        "django.contrib.gis.db.backends.oracle",
    }
)
_PERCENT_ENCODE = (
    "special characters in the user name or password would be read as part of "
    "the host: percent-encode @ as %40, # as %23, / as %2F, ? as %3F and : as %3A "
    "(urllib.parse.quote(password, safe=''))"
)


def split_list(value: Any) -> Any:
    """Turn a comma-separated or JSON-list string into a list of stripped strings.

    Args:
        value: The raw value; anything but a string is returned as it is.

    Returns:
        The list, without empty items.

    Raises:
        ValueError: When the text starts like JSON but is not.
    """
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text.startswith("["):
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            raise ValueError("expected a comma-separated or JSON list") from None
    return [item.strip() for item in text.split(",") if item.strip()]


def _upper(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


def _lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


def _origins(origins: list[str]) -> list[str]:
    for origin in origins:
        parts = urlsplit(origin)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ValueError("expected origins with a scheme, e.g. https://example.com")
    return origins


def _hosts(hosts: list[str]) -> list[str]:
    """Refuse entries that Django would accept and then never match.

    Django matches a request's host, without its port, against each entry exactly,
    or as a domain and its subdomains for an entry with a leading dot; ``*`` alone
    matches every host. Anything else with a wildcard, a scheme, a path or a port
    matches no request, so every request would be refused with 400.
    """
    for host in hosts:
        if not host or any(c.isspace() for c in host):
            raise ValueError("expected host names without spaces")
        if host == "*":
            continue
        if "*" in host:
            raise ValueError(
                "a '*' in a host name is no wildcard to Django ('*' alone is): "
                "write a leading dot for a domain and its subdomains (.example.com "
                "matches example.com and api.example.com)"
            )
        if "/" in host:
            raise ValueError(
                "expected host names without a scheme or path (example.com, not "
                "https://example.com/)"
            )
        if ":" in host and not (host.startswith("[") and host.endswith("]")):
            raise ValueError(
                "expected host names without a port: Django compares the host "
                "without it (example.com, not example.com:8000; an IPv6 address "
                "in brackets, [::1])"
            )
    return hosts


def _logger_levels(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text.startswith("{"):
        try:
            pairs = json.loads(text)
        except json.JSONDecodeError:
            raise ValueError(_LOGGER_LEVELS_EXPECTED) from None
        if not isinstance(pairs, dict):
            raise ValueError(_LOGGER_LEVELS_EXPECTED)
        return pairs
    items = {}
    for pair in filter(None, (part.strip() for part in text.split(","))):
        name, separator, level = pair.partition("=")
        if not separator or not name.strip():
            raise ValueError(_LOGGER_LEVELS_EXPECTED)
        items[name.strip()] = level
    return items


def _rate(value: str) -> str:
    if not _RATE.match(value):
        raise ValueError("expected a DRF rate such as 100/hour (s, m, h or d)")
    return value


def _unambiguous(url: str) -> str:
    """Return ``url`` if every parser reads its user, password and host alike.

    An unencoded ``#`` ends the host part where the password was meant to go on,
    so the rest of the password is read as the host (and then printed in every
    connection error); a second ``@`` splits the credentials differently in
    Python (at the last) and in libpq (at the first). Neither has a meaning
    unencoded in a database or Redis URL.

    Raises:
        ValueError: Saying to percent-encode, without any part of the URL.
    """
    credentials_and_host = re.split(r"[/?]", url.partition("://")[2], maxsplit=1)[0]
    if (
        "#" in url
        or url.count("@") > 1
        or ("@" in url and "@" not in credentials_and_host)
    ):
        raise ValueError(_PERCENT_ENCODE)
    return url


def _database_url(value: SecretStr) -> SecretStr:
    url = _unambiguous(value.get_secret_value())
    try:
        config = dj_database_url.parse(url)
    except Exception:  # any parse failure means the same: not a usable URL
        config = None
    if not config or not config.get("ENGINE"):
        raise ValueError(
            "expected a database URL such as "
            "postgres://user:password@host:5432/name or sqlite:///path/db.sqlite3 "
            "(percent-encode special characters in the password)"
        )
    options = config.get("OPTIONS") or {}
    if (
        not config.get("NAME")
        and config["ENGINE"] in _NAMED_DATABASES
        and "service" not in options
    ):
        raise ValueError(
            "expected the database name after the host, e.g. "
            "postgres://user:password@host:5432/name"
        )
    return value


def _redis_url(value: SecretStr) -> SecretStr:
    url = _unambiguous(value.get_secret_value())
    try:
        parts = urlsplit(url)
        valid = parts.scheme in _REDIS_SCHEMES and (
            parts.scheme == "unix" or bool(parts.hostname)
        )
        _ = parts.port  # raises on a malformed port
    except ValueError:
        valid = False
    if not valid:
        raise ValueError(
            "expected a Redis URL such as redis://host:6379/0, "
            "rediss://host:6380/0 or unix:///path/redis.sock"
        )
    return value


CommaList = Annotated[list[str], NoDecode, BeforeValidator(split_list)]
"""A list from ``a,b,c`` or ``["a", "b", "c"]``."""

Origins = Annotated[CommaList, AfterValidator(_origins)]
"""A list of origins, each with its scheme: ``https://example.com``."""

Hosts = Annotated[CommaList, AfterValidator(_hosts)]
"""A list of host patterns Django matches: ``api.example.com``, ``.example.com``
(the domain and its subdomains) or ``*``."""

Level = Annotated[LogLevel, BeforeValidator(_upper)]
"""A log level, in any case: ``info`` reads as ``INFO``."""

Format = Annotated[LogFormat, BeforeValidator(_lower)]
"""``json`` or ``console``, in any case."""

Fields = Annotated[LogFields, BeforeValidator(_lower)]
"""``standard`` or ``ecs``, in any case."""

LoggerLevels = Annotated[dict[str, Level], NoDecode, BeforeValidator(_logger_levels)]
"""Levels by logger: ``django.db.backends=DEBUG,celery=WARNING`` or a JSON object."""

Rate = Annotated[str, AfterValidator(_rate)]
"""A DRF throttle rate: ``100/hour``."""

DatabaseURL = Annotated[SecretStr, AfterValidator(_database_url)]
"""A database URL that dj-database-url understands, with its database's name and
its special characters percent-encoded; kept secret."""

RedisURL = Annotated[SecretStr, AfterValidator(_redis_url)]
"""A ``redis://``, ``rediss://`` or ``unix://`` URL, its special characters
percent-encoded; kept secret."""
