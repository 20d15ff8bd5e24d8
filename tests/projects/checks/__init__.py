"""A project that breaks the strict rules on purpose, for the system check tests.

Nothing here is routed from tests/urls.py or installed by tests/projects/common.py: tests use it
through ``override_settings(ROOT_URLCONF="tests.projects.checks.urls")`` or by running
``manage.py check`` with ``DJANGO_SETTINGS_MODULE=tests.projects.checks.settings``.
"""
