"""ASGI entry point of the logging test project."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.projects.logs.settings")

application = get_asgi_application()
