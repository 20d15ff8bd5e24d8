"""ASGI entry point of the server test project."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.projects.server.settings")

application = get_asgi_application()
