"""A project that breaks the strict rules on purpose, for the system check tests.

Nothing here is routed from tests/urls.py or installed by tests/project.py: tests use it
through ``override_settings(ROOT_URLCONF="tests.checks_project.urls")`` or by running
``manage.py check`` with ``DJANGO_SETTINGS_MODULE=tests.checks_project.settings``.
"""
