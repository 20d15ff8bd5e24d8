"""build_logging: one stream, every logger routed once, levels by profile."""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING

import pytest
from django.utils.log import configure_logging

from django_strict_core.log import ACCESS_LOGGER, build_logging
from django_strict_core.log.config import (
    JSON_FORMATTER,
    ORJSON_FORMATTER,
    formatter_class,
)
from django_strict_core.log.context import request_id_var

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.support.logs import LogCapture

SERVER_LOGGERS = ["django", "django.server", "django.request", "gunicorn.error"]


def apply_like_django(config: dict[str, object]) -> None:
    """Configure logging the way ``django.setup()`` does: defaults first."""
    configure_logging("logging.config.dictConfig", config)


class TestDict:
    def test_one_stdout_handler_on_root(self) -> None:
        config = build_logging(level="INFO")

        assert config["disable_existing_loggers"] is False
        assert config["root"] == {"handlers": ["stdout"], "level": "INFO"}
        stdout = config["handlers"]["stdout"]
        assert stdout["stream"] == "ext://sys.stdout"
        assert stdout["filters"] == ["request_id"]
        for name, logger in config["loggers"].items():
            assert "stdout" not in logger.get("handlers", []), name

    def test_formatter_uses_orjson_when_installed(self) -> None:
        pytest.importorskip("orjson")

        assert formatter_class() == ORJSON_FORMATTER
        assert build_logging(level="INFO")["formatters"]["default"]["()"] == (
            ORJSON_FORMATTER
        )

    def test_formatter_falls_back_to_the_standard_library(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setitem(sys.modules, "orjson", None)

        assert formatter_class() == JSON_FORMATTER

    def test_static_fields_and_field_set_reach_the_formatter(self) -> None:
        formatter = build_logging(
            level="INFO", fields="ecs", service="shop", environment="staging"
        )["formatters"]["default"]

        assert formatter["fields"] == "ecs"
        assert formatter["static_fields"] == {
            "service": "shop",
            "environment": "staging",
            "version": "0.0.0",
        }

    def test_console_format_names_the_request(self) -> None:
        config = build_logging(level="DEBUG", log_format="console")

        assert "%(request_id)s" in config["formatters"]["default"]["format"]
        assert config["filters"]["request_id"]["default"] == "-"

    def test_levels_override_defaults_and_add_loggers(self) -> None:
        loggers = build_logging(
            level="WARNING",
            levels={"django.db.backends": "DEBUG", ACCESS_LOGGER: "WARNING"},
        )["loggers"]

        assert loggers["django.db.backends"] == {"level": "DEBUG"}
        assert loggers[ACCESS_LOGGER]["level"] == "WARNING"
        assert loggers["django"]["level"] == "WARNING"

    def test_autoreload_is_quiet_at_debug(self) -> None:
        assert build_logging(level="DEBUG")["loggers"]["django.utils.autoreload"] == {
            "level": "INFO"
        }
        assert "django.utils.autoreload" not in build_logging(level="INFO")["loggers"]

    def test_without_mail_admins_nothing_needs_django_settings(self) -> None:
        config = build_logging(level="INFO", mail_admins=False)

        assert "mail_admins" not in config["handlers"]
        assert "require_debug_false" not in config["filters"]
        assert config["loggers"]["django"]["handlers"] == []

    @pytest.mark.parametrize(
        ("option", "value"), [("log_format", "xml"), ("fields", "gelf")]
    )
    def test_unknown_choices_are_refused(self, option: str, value: str) -> None:
        with pytest.raises(ValueError, match=f"unknown log .*'{value}'"):
            build_logging(level="INFO", **{option: value})  # type: ignore[arg-type]


class TestRouting:
    def test_every_logger_writes_once_through_django_defaults(
        self, json_logs: Callable[..., LogCapture]
    ) -> None:
        capture = json_logs(build_logging(level="INFO", mail_admins=False))
        apply_like_django(build_logging(level="INFO", mail_admins=False))

        for name in [*SERVER_LOGGERS, "uvicorn.error", "tests.app"]:
            logging.getLogger(name).warning("from %s", name)

        messages = [line["message"] for line in capture.lines()]
        assert messages == [
            f"from {name}" for name in [*SERVER_LOGGERS, "uvicorn.error", "tests.app"]
        ]

    def test_server_access_logs_are_silenced(
        self, json_logs: Callable[..., LogCapture]
    ) -> None:
        capture = json_logs(level="INFO")

        logging.getLogger("gunicorn.access").info("GET / 200")
        logging.getLogger("uvicorn.access").info("GET / 200")

        assert capture.lines() == []

    def test_production_keeps_access_records_and_drops_info(
        self, json_logs: Callable[..., LogCapture]
    ) -> None:
        capture = json_logs(level="WARNING")

        logging.getLogger("django").info("dropped")
        logging.getLogger("tests.app").info("dropped")
        logging.getLogger(ACCESS_LOGGER).info("GET / 200")
        logging.getLogger("tests.app").warning("kept")

        assert [line["message"] for line in capture.lines()] == ["GET / 200", "kept"]

    def test_request_id_is_added_by_the_handler(
        self, json_logs: Callable[..., LogCapture]
    ) -> None:
        capture = json_logs(level="INFO")

        logging.getLogger("tests.app").warning("outside")
        token = request_id_var.set("req-42")
        try:
            logging.getLogger("tests.app").warning("inside")
        finally:
            request_id_var.reset(token)

        assert [line["request_id"] for line in capture.lines()] == [None, "req-42"]

    def test_console_lines_are_readable(
        self, json_logs: Callable[..., LogCapture], capsys: pytest.CaptureFixture[str]
    ) -> None:
        json_logs(build_logging(level="INFO", log_format="console"))

        logging.getLogger("tests.app").warning("outside")
        token = request_id_var.set("req-42")
        try:
            logging.getLogger("tests.app").warning("inside")
        finally:
            request_id_var.reset(token)

        first, second = capsys.readouterr().out.splitlines()
        assert first.endswith("WARNING  tests.app [-] outside")
        assert second.endswith("WARNING  tests.app [req-42] inside")
