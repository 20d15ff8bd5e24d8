"""The worker: one log stream, the bounds it serves with, and proxy trust."""

from __future__ import annotations

import logging
import os
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import pytest
from django.conf import settings
from django.test import override_settings
from gunicorn.config import Config
from gunicorn.glogging import Logger

from django_strict_core import gunicorn as config
from django_strict_core.conf import StrictSettings
from django_strict_core.conf.build import logging_config
from django_strict_core.gunicorn.connection import BoundedHttpToolsProtocol
from django_strict_core.gunicorn.limits import ServerLimits
from django_strict_core.gunicorn.worker import UvicornWorker, body_limit, proxy_count
from django_strict_core.proxies import ForwardedFor

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.support.logs import LogCapture


async def never_called(scope: Any, receive: Any, send: Any) -> None:
    """The application a worker loads in these tests."""


# The module's own logconfig_dict follows this process's environment (the local
# profile, console lines); the tests use the JSON lines of the test profile.
JSON_LOGGING = logging_config(StrictSettings(env="test"), mail_admins=False)


class QuickWorker(UvicornWorker):
    max_head_size = 4096
    head_timeout = 2.5
    body_timeout = 7.0


def make_worker(worker_class: type[UvicornWorker] = UvicornWorker, **cfg: Any) -> Any:
    """A worker built as gunicorn's arbiter builds one, with this module's config."""
    gunicorn_cfg = Config()
    gunicorn_cfg.set("logconfig_dict", JSON_LOGGING)
    for name in ("limit_request_line", "limit_request_fields", "worker_connections"):
        gunicorn_cfg.set(name, getattr(config, name))
    for name, value in cfg.items():
        gunicorn_cfg.set(name, value)
    return worker_class(
        age=1,
        ppid=os.getpid(),
        sockets=[],
        app=SimpleNamespace(wsgi=lambda: never_called),
        timeout=30,
        cfg=gunicorn_cfg,
        log=Logger(gunicorn_cfg),  # applies logconfig_dict, as in the master process
    )


@pytest.fixture
def worker(json_logs: Callable[..., LogCapture]) -> Any:
    json_logs(JSON_LOGGING)
    return make_worker()


class TestLogging:
    def test_uvicorn_lines_reach_the_one_handler(
        self, json_logs: Callable[..., LogCapture]
    ) -> None:
        capture = json_logs(JSON_LOGGING)
        make_worker()

        logging.getLogger("uvicorn.error").warning("from uvicorn")
        logging.getLogger("gunicorn.error").warning("from gunicorn")

        lines = capture.lines()
        assert [(line["logger"], line["message"]) for line in lines] == [
            ("uvicorn.error", "from uvicorn"),
            ("gunicorn.error", "from gunicorn"),
        ]

    def test_uvicorn_access_log_is_off(
        self, json_logs: Callable[..., LogCapture]
    ) -> None:
        capture = json_logs(JSON_LOGGING)
        worker = make_worker()

        logging.getLogger("uvicorn.access").info("GET / 200")

        assert worker.config.access_log is False
        assert not logging.getLogger("uvicorn.access").hasHandlers()
        assert capture.lines() == []


class TestBounds:
    def test_the_application_is_served_by_the_bounded_protocol(
        self, worker: Any
    ) -> None:
        worker.load_wsgi()

        assert issubclass(worker.config.http, BoundedHttpToolsProtocol)
        assert worker.config.http.limits is worker.limits
        assert worker.limits == ServerLimits()
        assert worker.wsgi is never_called

    def test_gunicorn_settings_give_the_request_limits_and_the_connection_cap(
        self, json_logs: Callable[..., LogCapture]
    ) -> None:
        json_logs(JSON_LOGGING)
        worker = make_worker(
            limit_request_line=4000,
            limit_request_fields=20,
            limit_request_field_size=2000,
            worker_connections=64,
        )

        worker.load_wsgi()

        limits = worker.config.http.limits
        assert (
            limits.request_line,
            limits.fields,
            limits.field_size,
            limits.connections,
        ) == (4000, 20, 2000, 64)

    def test_a_subclass_sets_the_head_size_and_the_timeouts(
        self, json_logs: Callable[..., LogCapture]
    ) -> None:
        json_logs(JSON_LOGGING)
        worker = make_worker(QuickWorker)

        worker.load_wsgi()

        limits = worker.config.http.limits
        assert (limits.head_size, limits.head_timeout, limits.body_timeout) == (
            4096,
            2.5,
            7.0,
        )

    def test_the_body_limit_is_djangos(self) -> None:
        assert body_limit() == settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 2_621_440
        with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1234):
            assert body_limit() == 1234
        with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=None):
            assert body_limit() is None

    def test_before_django_is_set_up_the_defaults_apply(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(type(settings), "configured", property(lambda _s: False))

        assert body_limit() == 2_621_440
        assert proxy_count() == 0


class TestProxyTrust:
    def test_uvicorn_reads_no_forwarding_header(self, worker: Any) -> None:
        assert worker.config.proxy_headers is False

    def test_with_no_proxy_trusted_the_application_is_not_wrapped(
        self, worker: Any
    ) -> None:
        worker.load_wsgi()

        assert worker.num_proxies == 0
        assert worker.wsgi is never_called

    def test_trusted_proxies_wrap_the_application(self, worker: Any) -> None:
        with override_settings(
            REST_FRAMEWORK={**settings.REST_FRAMEWORK, "NUM_PROXIES": 2}
        ):
            worker.load_wsgi()

        assert isinstance(worker.wsgi, ForwardedFor)
        assert (worker.wsgi.app, worker.wsgi.num_proxies) == (never_called, 2)
