"""Serve both stacks from one process: two uvicorn servers on one event loop.

``python -m baseline_site.server OURS_PORT THEIRS_PORT [USERS]`` creates the tables
and rows in the (scratch) database, then serves ours on the first port and theirs
on the second, until SIGTERM.

uvicorn decides per connection whether to write its access log (``uvicorn.access``
has a handler); theirs writes it, formatted by python-json-logger. Ours is served
the way ``django_strict_core.gunicorn`` serves it, where that logger has no handler
and ``RequestIDMiddleware`` writes the only access record: its server's protocol
skips uvicorn's access log.
"""

from __future__ import annotations

import asyncio
import logging.config
import os
import sys
from datetime import timedelta
from typing import Any

import django
import uvloop

ARTICLES = 200
BODY = (
    "A realistic article body: a few sentences of text that a list endpoint sends "
    "in full, so that serialising and rendering the page costs what it costs in an "
    "application. "
) * 3


def token_key(index: int) -> str:
    """The API token of the ``index``-th user (bench/baseline.py sends the same)."""
    return f"{index:040d}"


def prepare(users: int) -> None:
    """Create the tables, ``users`` users with tokens, and the articles."""
    from django.contrib.auth.models import User  # noqa: PLC0415
    from django.core.management import call_command  # noqa: PLC0415
    from django.db import connection  # noqa: PLC0415
    from django.utils import timezone  # noqa: PLC0415
    from rest_framework.authtoken.models import Token  # noqa: PLC0415

    from baseline_site.models import Article  # noqa: PLC0415

    # The checks would refuse auth.User; this benchmark measures requests only.
    call_command("migrate", verbosity=0, skip_checks=True)
    with connection.schema_editor() as editor:
        editor.create_model(Article)  # an app without migrations
    accounts = User.objects.bulk_create(
        User(username=f"user{n}", password="!") for n in range(users)
    )
    Token.objects.bulk_create(
        Token(key=token_key(n), user=user) for n, user in enumerate(accounts)
    )
    now = timezone.now()
    Article.objects.bulk_create(
        Article(
            title=f"Article number {n}",
            slug=f"article-{n}",
            body=BODY,
            author=accounts[n % len(accounts)],
            published_at=now - timedelta(minutes=n),
        )
        for n in range(ARTICLES)
    )


def applications() -> tuple[Any, Any]:
    """Ours and theirs: Django's ASGI handler with each stack's middleware."""
    from django.conf import settings  # noqa: PLC0415
    from django.core.handlers.asgi import ASGIHandler  # noqa: PLC0415

    ours = ASGIHandler()
    settings.MIDDLEWARE = settings.THEIRS_MIDDLEWARE
    try:
        theirs = ASGIHandler()
    finally:
        settings.MIDDLEWARE = settings.OURS_MIDDLEWARE
    return ours, theirs


async def serve(ours_port: int, theirs_port: int) -> None:
    """Run both servers until a signal stops them."""
    import uvicorn  # noqa: PLC0415
    from django.conf import settings  # noqa: PLC0415
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol  # noqa: PLC0415

    class WithoutServerAccessLog(HttpToolsProtocol):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.access_log = False

    ours, theirs = applications()
    common: dict[str, Any] = {
        "host": "127.0.0.1",
        "log_config": None,
        "lifespan": "off",
    }
    servers = [
        uvicorn.Server(
            uvicorn.Config(ours, port=ours_port, http=WithoutServerAccessLog, **common)
        ),
        uvicorn.Server(
            uvicorn.Config(theirs, port=theirs_port, http=HttpToolsProtocol, **common)
        ),
    ]
    logging.config.dictConfig(settings.LOGGING)  # after uvicorn's own logging setup
    await asyncio.gather(*(server.serve() for server in servers))


def main() -> None:
    """Prepare the data, then serve."""
    ours_port, theirs_port = int(sys.argv[1]), int(sys.argv[2])
    users = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baseline_site.settings")
    django.setup()
    prepare(users)
    uvloop.run(serve(ours_port, theirs_port))  # uvicorn's loop when it is installed


if __name__ == "__main__":
    main()
