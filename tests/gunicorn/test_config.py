"""The configuration module's gunicorn settings (``-c python:django_strict_core.gunicorn``)."""

from __future__ import annotations

from gunicorn.config import Config

from django_strict_core import gunicorn as config
from django_strict_core.conf import StrictSettings
from django_strict_core.conf.build import logging_config
from django_strict_core.gunicorn.worker import UvicornWorker


def test_values() -> None:
    assert config.worker_class == "django_strict_core.gunicorn.UvicornWorker"
    assert (config.timeout, config.graceful_timeout, config.keepalive) == (120, 30, 5)
    assert (
        config.limit_request_line,
        config.limit_request_fields,
        config.limit_request_field_size,
    ) == (8190, 100, 8190)
    assert config.worker_connections == 1000
    assert config.accesslog is None
    assert config.errorlog == "-"
    assert config.control_socket_disable is True


def test_logging_is_the_applications_without_django_handlers() -> None:
    assert config.logconfig_dict == logging_config(StrictSettings(), mail_admins=False)
    assert "mail_admins" not in config.logconfig_dict["handlers"]


def test_every_name_gunicorn_reads_is_a_setting_it_means() -> None:
    """gunicorn applies every module-level name that matches one of its settings.

    A submodule named like a setting (``protocol``, ``workers``) would be applied as
    that setting's value when the package imports it.
    """
    settings = set(Config().settings)
    read = {name for name in vars(config) if name in settings}

    assert read == {
        "worker_class",
        "workers",
        "bind",
        "worker_tmp_dir",
        "timeout",
        "graceful_timeout",
        "keepalive",
        "limit_request_line",
        "limit_request_fields",
        "limit_request_field_size",
        "worker_connections",
        "loglevel",
        "errorlog",
        "accesslog",
        "logconfig_dict",
        "control_socket_disable",
    }


def test_the_worker_is_importable_where_gunicorn_looks() -> None:
    assert config.UvicornWorker is UvicornWorker


def test_a_projects_module_built_on_it_gets_every_setting() -> None:
    """docs/logging.md: a project's module starts with ``import *`` and changes values."""
    namespace: dict[str, object] = {}
    exec("from django_strict_core.gunicorn import *", namespace)  # noqa: S102

    settings = set(Config().settings)
    read = {name for name in vars(config) if name in settings}
    assert read <= set(namespace)
