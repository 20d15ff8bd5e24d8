"""``build_logging``: the ``LOGGING`` dictConfig, one JSON object per line on stdout."""

from __future__ import annotations

from importlib.util import find_spec
from typing import TYPE_CHECKING, Any

from django_strict_core.log.fields import FIELD_SETS

if TYPE_CHECKING:
    from collections.abc import Mapping

JSON_FORMATTER = "django_strict_core.log.formatters.JsonFormatter"
ORJSON_FORMATTER = "django_strict_core.log.orjson_formatter.OrjsonFormatter"
REQUEST_ID_FILTER = "django_strict_core.log.context.RequestIDFilter"
_FILTERS = "django_strict_core.log.filters"
CONSOLE_FORMAT = "%(asctime)s %(levelname)-8s %(name)s [%(request_id)s] %(message)s"
ACCESS_LOGGER = "django_strict_core.access"
LOG_FORMATS = ("json", "console")

# Loggers whose records reach the root handler and nothing else. A level is only set
# where one is given: gunicorn keeps its ``--log-level``, uvicorn its own default.
_ROUTED_TO_ROOT = ("django.server", "gunicorn.error", "uvicorn", "uvicorn.error")
# Access logs of the servers: the middleware writes the only access log.
_SILENCED = ("gunicorn.access", "uvicorn.access")
# Loggers below DEBUG noise level unless asked for: the autoreloader logs every
# file it watches, the database backends every SQL statement (``migrate`` alone
# writes hundreds); ``levels`` turns them back on.
_QUIET_WHEN_DEBUG = {"django.utils.autoreload": "INFO", "django.db.backends": "INFO"}
# One line per event (django_strict_core.log.filters): the logger, and its filter.
_DEDUPLICATED = {
    "django.server": "server_request_line",
    "django.request": "client_error",
    "django.security.DisallowedHost": "disallowed_host",
    "py.warnings": "capture_warnings",
}


def formatter_class() -> str:
    """Return the dotted path of the JSON formatter: orjson's when it is installed.

    Returns:
        The path used as the formatter factory in the ``LOGGING`` dict.
    """
    return ORJSON_FORMATTER if find_spec("orjson") is not None else JSON_FORMATTER


def build_logging(  # noqa: PLR0913 - every argument is an independent option
    *,
    level: str,
    log_format: str = "json",
    fields: str = "standard",
    service: str = "django",
    environment: str = "local",
    version: str = "0.0.0",
    levels: Mapping[str, str] | None = None,
    mail_admins: bool = True,
) -> dict[str, Any]:
    """Return a ``LOGGING`` dict that sends every record to stdout exactly once.

    The root logger owns the only stream handler. Django's, gunicorn's and uvicorn's
    loggers lose their own handlers and propagate to it; the servers' access logs
    are silenced because ``RequestIDMiddleware`` writes one access record per
    request on the ``django_strict_core.access`` logger (level ``INFO`` in every
    profile, so production keeps its access log while the root is at ``WARNING``).
    A filter on the handler stamps every record with the current request id.
    Each request is logged once: runserver's request lines and Django's 4xx
    warnings, which repeat the access record, are dropped, and a ``DisallowedHost``
    is a warning without a traceback. Python warnings go through logging too
    (:mod:`django_strict_core.log.filters`). SQL is not logged at ``DEBUG`` unless
    ``levels`` asks for ``django.db.backends``.

    Args:
        level: The root level, and that of the ``django`` logger.
        log_format: ``json`` for one JSON object per line, ``console`` for humans.
        fields: ``standard`` or ``ecs`` (Elastic Common Schema) field names.
        service: Static ``service`` field of every JSON line.
        environment: Static ``environment`` field of every JSON line.
        version: Static ``version`` field of every JSON line.
        levels: Levels of individual loggers, e.g.
            ``{"django.db.backends": "DEBUG"}``; they win over the defaults.
        mail_admins: Keep Django's ``mail_admins`` handler on the ``django``
            logger (errors are mailed to ``ADMINS`` when ``DEBUG`` is off). Pass
            ``False`` where Django settings are not configured, e.g. in the
            gunicorn master process.

    Returns:
        A dict for :func:`logging.config.dictConfig`.

    Raises:
        ValueError: For an unknown ``log_format`` or ``fields``.
    """
    if log_format not in LOG_FORMATS:
        raise ValueError(f"unknown log format {log_format!r}; expected json or console")
    if fields not in FIELD_SETS:
        raise ValueError(f"unknown log fields {fields!r}; expected standard or ecs")
    json_output = log_format == "json"
    formatter: dict[str, Any] = (
        {
            "()": formatter_class(),
            "fields": fields,
            "static_fields": {
                "service": service,
                "environment": environment,
                "version": version,
            },
        }
        if json_output
        else {"format": CONSOLE_FORMAT}
    )
    filters: dict[str, Any] = {
        "request_id": {
            "()": REQUEST_ID_FILTER,
            "default": None if json_output else "-",
        },
        "server_request_line": {"()": f"{_FILTERS}.ServerRequestLineFilter"},
        "client_error": {"()": f"{_FILTERS}.ClientErrorFilter"},
        "disallowed_host": {"()": f"{_FILTERS}.DisallowedHostFilter"},
        # Applying the dict routes Python warnings to py.warnings.
        "capture_warnings": {"()": f"{_FILTERS}.capture_warnings"},
    }
    handlers: dict[str, Any] = {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "default",
            "filters": ["request_id"],
        },
    }
    django_handlers: list[str] = []
    if mail_admins:
        filters["require_debug_false"] = {"()": "django.utils.log.RequireDebugFalse"}
        handlers["mail_admins"] = {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
        }
        django_handlers.append("mail_admins")
    loggers: dict[str, dict[str, Any]] = {
        "django": {"handlers": django_handlers, "level": level, "propagate": True},
        **{name: {"handlers": [], "propagate": True} for name in _ROUTED_TO_ROOT},
        **{name: {"handlers": [], "propagate": False} for name in _SILENCED},
        ACCESS_LOGGER: {"handlers": [], "level": "INFO", "propagate": True},
    }
    for name, filter_name in _DEDUPLICATED.items():
        loggers.setdefault(name, {"handlers": [], "propagate": True})["filters"] = [
            filter_name
        ]
    if level == "DEBUG":
        for name, quiet in _QUIET_WHEN_DEBUG.items():
            loggers[name] = {"level": quiet}
    for name, logger_level in (levels or {}).items():
        loggers.setdefault(name, {})["level"] = logger_level
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": filters,
        "formatters": {"default": formatter},
        "handlers": handlers,
        "root": {"handlers": ["stdout"], "level": level},
        "loggers": loggers,
    }
