"""``build_logging``: the ``LOGGING`` dictConfig, one JSON object per line on stdout."""

from __future__ import annotations

from typing import Any

JSON_FORMATTER = "pythonjsonlogger.json.JsonFormatter"
CONSOLE_FORMAT = "%(asctime)s %(levelname)-8s %(name)s: %(message)s"


def build_logging(
    *,
    level: str,
    log_format: str = "json",
    service: str = "django",
    environment: str = "local",
    version: str = "0.0.0",
) -> dict[str, Any]:
    """Return a ``LOGGING`` dict that sends every record to stdout once.

    The root logger owns the only stream handler; Django's loggers propagate to it,
    so no record is written twice. ``mail_admins`` is kept for errors outside DEBUG.

    Args:
        level: The root level, e.g. ``INFO``.
        log_format: ``json`` for one JSON object per line, ``console`` for humans.
        service: Static ``service`` field of every JSON record.
        environment: Static ``environment`` field of every JSON record.
        version: Static ``version`` field of every JSON record.

    Returns:
        A dict for :func:`logging.config.dictConfig`.
    """
    formatter = "json" if log_format == "json" else "console"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
        },
        "formatters": {
            "json": {
                "()": JSON_FORMATTER,
                "fmt": "%(levelname)s %(name)s %(message)s",
                "rename_fields": {"levelname": "level", "name": "logger"},
                "timestamp": True,
                "static_fields": {
                    "service": service,
                    "environment": environment,
                    "version": version,
                },
            },
            "console": {"format": CONSOLE_FORMAT},
        },
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": formatter,
            },
            "mail_admins": {
                "class": "django.utils.log.AdminEmailHandler",
                "level": "ERROR",
                "filters": ["require_debug_false"],
            },
        },
        "root": {"handlers": ["stdout"], "level": level},
        "loggers": {
            "django": {"handlers": ["mail_admins"], "level": level, "propagate": True},
            "django.server": {"handlers": [], "level": level, "propagate": True},
        },
    }
