"""Fixtures of the client tests: the running example, its schema, the generated clients.

The example runs as in production (gunicorn + uvicorn behind nginx, on PostgreSQL and
Redis), its database behind a fault proxy so that a test can take it away. Skipped
without the services or the tools (a failure when ``STRICT_CORE_REQUIRE_SERVICES=1``).
"""

from __future__ import annotations

import json
import re
import sys
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from django_strict_core.testing import FaultProxy

from tests.clients import tools
from tests.clients.tools import unavailable
from tests.e2e.stack import Stack, request, scratch_database
from tests.services import UnavailableError, find_backends

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path
    from types import ModuleType

# The anonymous budget of one client address; the throttling case spends one of its
# own, sent straight to gunicorn with an X-Forwarded-For address nobody else uses.
ANON_RATE = 30


class Running:
    """The example as the tests see it.

    Attributes:
        stack: gunicorn and nginx.
        database: The proxy in front of the project's PostgreSQL database.
        database_url: The database itself, bypassing the proxy.
    """

    def __init__(self, stack: Stack, database: FaultProxy, database_url: str) -> None:
        self.stack = stack
        self.database = database
        self.database_url = database_url


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """Start the example with its database behind a fault proxy."""
    try:
        backends = find_backends()
    except UnavailableError as exc:
        unavailable(f"the client tests need the whole stack: {exc}")
    with scratch_database(backends.database_url) as url:
        parts = urlsplit(url)
        target = (parts.hostname or "127.0.0.1", parts.port or 5432)
        with FaultProxy(target) as proxy:
            user, at, _ = parts.netloc.rpartition("@")
            proxied = urlunsplit(parts._replace(netloc=f"{user}{at}{proxy.address}"))
            stack = Stack(
                database_url=proxied,
                redis_url=backends.redis_url,
                environment={"DJANGO_THROTTLE_ANON_RATE": f"{ANON_RATE}/minute"},
                name="clients",
            )
            try:
                stack.start(tmp_path_factory.mktemp("stack"))
                yield Running(stack, proxy, url)
            finally:
                stack.stop()


# Deployed, the schema is for staff only (STRICT_CORE_SCHEMA_ACCESS, docs/api-docs.md).
STAFF_TOKEN = (
    "from django.contrib.auth import get_user_model\n"
    "from rest_framework.authtoken.models import Token\n"
    "user = get_user_model().objects.create_user(\n"
    "    username='schema-reader', email='schema-reader@example.com', is_staff=True\n"
    ")\n"
    "print(Token.objects.create(user=user).key)\n"
)


@pytest.fixture(scope="module")
def schema(running: Running) -> dict[str, Any]:
    """The OpenAPI document the running example serves at ``/api/schema/``.

    It is read as a staff user would, with a token; anonymously it is refused.
    """
    url = f"{running.stack.https}/api/schema/?format=json"
    printed = running.stack.manage("shell", "-c", STAFF_TOKEN).stdout
    # The key is 40 hexadecimal digits; the command's JSON log lines may surround it.
    found = re.search(r"^([0-9a-f]{40})$", printed, re.MULTILINE)
    assert found, printed
    token = found.group(1)
    anonymous = request(url)
    answer = request(url, headers={"Authorization": f"Token {token}"})
    assert anonymous.status in {401, 403}, anonymous.body
    assert answer.status == 200, answer.body
    document: dict[str, Any] = answer.json()
    return document


@pytest.fixture(scope="module")
def schema_file(
    schema: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The served schema, written to a file for the generators."""
    path = tmp_path_factory.mktemp("schema") / "schema.json"
    path.write_text(json.dumps(schema, indent=2))
    return path


@pytest.fixture(scope="module")
def python_client(
    schema_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, str]:
    """The client openapi-python-client generates: its directory and its output."""
    try:
        return tools.generate_python_client(schema_file, tmp_path_factory.mktemp("py"))
    except tools.ToolError as exc:
        if tools.executable("openapi-python-client") is None:
            unavailable(str(exc))
        raise


@pytest.fixture(scope="module")
def client_modules(python_client: tuple[Path, str]) -> Iterator[dict[str, ModuleType]]:
    """Every module of the generated Python client, imported, by dotted name."""
    root, _ = python_client
    try:
        modules = tools.import_every_module(root)
        yield {module.__name__: module for module in modules}
    finally:
        sys.path.remove(str(root))
        for name in [n for n in sys.modules if n.split(".")[0] == tools.PACKAGE]:
            del sys.modules[name]


@pytest.fixture(scope="module")
def typescript_tools(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """openapi-typescript and TypeScript, installed with ``npm ci``."""
    workdir = tmp_path_factory.mktemp("ts")
    try:
        return tools.install_typescript_tools(workdir)
    except tools.ToolError as exc:
        if "required" in str(exc):
            unavailable(str(exc))
        raise
