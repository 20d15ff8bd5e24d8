"""Every error the running example can answer, provoked for real and read by the client.

Each case sends one request with the generated Python client's own ``httpx`` client
and returns what the generated operation module made of the answer. Where the typed
call can send the request (wrong credentials, a missing object, a huge body, an
``Accept`` header) it is used; requests no typed call sends (malformed JSON, a form, a
method the path does not answer) go through the same ``httpx`` client and the
operation's own response parser.
"""

from __future__ import annotations

import contextlib
import secrets
import socket
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import psycopg

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from types import ModuleType

    from tests.clients.conftest import Running

PASSWORD = "clients-correct-horse-battery"
# Over nginx's client_max_body_size (2 MiB), and over Django's
# DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) for the request sent straight to gunicorn.
OVER_NGINX_LIMIT = 2 * 1024 * 1024 + 1
OVER_DJANGO_LIMIT = 2_621_440 + 1
MAX_THROTTLED_TRIES = 100
# Longer than the worker's head_timeout (10 s), after which it answers 408.
HEAD_WAIT = 30


@dataclass
class World:
    """The generated client, pointed at the running example in every way a case needs.

    Attributes:
        modules: The generated client's modules by dotted name.
        running: The example.
        anonymous: A client without credentials, through nginx.
        signed_in: A client with a registered user's token, through nginx.
        article_id: An article of the signed-in user.
    """

    modules: dict[str, ModuleType]
    running: Running
    anonymous: Any
    signed_in: Any
    article_id: int

    def operation(self, name: str) -> ModuleType:
        """Return the generated module of an operation, e.g. ``users_create``."""
        (module,) = [m for n, m in self.modules.items() if n.endswith(f".{name}")]
        return module

    def model(self, name: str) -> Any:
        """Return a generated model class, e.g. ``RegistrationRequest``."""
        return getattr(self.modules["example_client.models"], name)

    def client(self, base_url: str, **kwargs: Any) -> Any:
        """Return a generated ``Client`` that raises on an undocumented status."""
        return self.modules["example_client.client"].Client(
            base_url=base_url,
            verify_ssl=False,
            raise_on_unexpected_status=True,
            **kwargs,
        )

    def authenticated(self, base_url: str, token: str, **kwargs: Any) -> Any:
        """Return a generated ``AuthenticatedClient`` sending ``Token <token>``."""
        return self.modules["example_client.client"].AuthenticatedClient(
            base_url=base_url,
            token=token,
            prefix="Token",
            verify_ssl=False,
            raise_on_unexpected_status=True,
            **kwargs,
        )

    def signed_in_with(self, headers: dict[str, str]) -> Any:
        """Return a new signed-in client sending these headers too.

        ``with_headers()`` would change the shared client's ``httpx`` client as well.
        """
        return self.authenticated(
            self.running.stack.https, self.signed_in.token, headers=headers
        )

    def raw(
        self, client: Any, operation: str, method: str, path: str, **kwargs: Any
    ) -> Any:
        """Send a request the typed call cannot, and parse it as ``operation`` does."""
        answer = client.get_httpx_client().request(method, path, **kwargs)
        return self.operation(operation)._build_response(client=client, response=answer)


@dataclass(frozen=True)
class Case:
    """One error answer of the example and the operation that documents it.

    Attributes:
        name: What is sent.
        path: The documented path (template).
        method: The documented operation's method; a 405 is read by an operation
            of the same path.
        status: The expected status; ``None`` for a server error whose status the
            case reads from the operation's documented 5xx responses.
        send: Sends the request and returns the generated ``Response``.
    """

    name: str
    path: str
    method: str
    status: int | None
    send: Callable[[World], Any]


def register(world: World, username: str) -> Any:
    """Register a user through the generated client, sending its documented defaults."""
    body = world.model("RegistrationRequest")(
        username=username, email=f"{username}@example.com", password=PASSWORD
    )
    return world.operation("users_create").sync_detailed(
        client=world.anonymous, body=body
    )


@contextlib.contextmanager
def table_renamed(database_url: str, table: str) -> Iterator[None]:
    """Rename a table for a while: the code and the database no longer agree."""
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute(f'ALTER TABLE "{table}" RENAME TO "{table}_away"')
        try:
            yield
        finally:
            connection.execute(f'ALTER TABLE "{table}_away" RENAME TO "{table}"')


@contextlib.contextmanager
def database_down(world: World) -> Iterator[None]:
    """Refuse connections to PostgreSQL, as when the server is gone."""
    world.running.database.stop()
    try:
        yield
    finally:
        world.running.database.start()


def _throttled(world: World) -> Any:
    # Straight to gunicorn, which trusts one proxy: the address is this case's own.
    address = f"198.51.100.{secrets.randbelow(250) + 1}"
    client = world.client(
        world.running.stack.app,
        headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": address},
    )
    articles_list = world.operation("articles_list")
    for _ in range(MAX_THROTTLED_TRIES):
        answer = articles_list.sync_detailed(client=client)
        if answer.status_code != 200:
            return answer
    return answer


def _slow_head(world: World) -> Any:
    # No client sends half a head on purpose: a raw socket does, straight to
    # gunicorn (nginx closes such a connection without an answer).
    address = ("127.0.0.1", world.running.stack.app_port)
    with socket.create_connection(address, timeout=HEAD_WAIT) as connection:
        connection.sendall(b"GET /api/users/me/ HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    import httpx  # noqa: PLC0415 - the generated client's dependency, as installed for it

    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    answer = httpx.Response(
        int(status_line.split()[1]),
        headers=[tuple(line.split(": ", 1)) for line in header_lines],
        content=body,
    )
    return world.operation("users_me_retrieve")._build_response(
        client=world.anonymous, response=answer
    )


def _server_error(world: World) -> Any:
    with table_renamed(world.running.database_url, "articles_article"):
        return world.operation("articles_list").sync_detailed(client=world.signed_in)


def _database_outage(world: World) -> Any:
    with database_down(world):
        return world.operation("users_me_retrieve").sync_detailed(
            client=world.signed_in
        )


def _too_large(world: World, base_url: str, size: int) -> Any:
    token = world.signed_in.token
    client = world.authenticated(
        base_url, token, headers={"X-Forwarded-Proto": "https"}
    )
    body = world.model("ArticleInputRequest")(title="Too large", body="x" * size)
    return world.operation("articles_create").sync_detailed(client=client, body=body)


CASES: tuple[Case, ...] = (
    Case(
        "registration with a bad email",
        "/api/users/",
        "post",
        400,
        lambda w: w.operation("users_create").sync_detailed(
            client=w.anonymous,
            body=w.model("RegistrationRequest")(
                username="someone", email="not-an-email", password=PASSWORD
            ),
        ),
    ),
    Case(
        "a token for wrong credentials",
        "/api/auth/token/",
        "post",
        400,
        lambda w: w.operation("auth_token_create").sync_detailed(
            client=w.anonymous,
            body=w.model("TokenRequestRequest")(username="nobody", password="wrong"),
        ),
    ),
    Case(
        "an article without a title",
        "/api/articles/",
        "post",
        400,
        lambda w: w.operation("articles_create").sync_detailed(
            client=w.signed_in, body=w.model("ArticleInputRequest")(title="")
        ),
    ),
    Case(
        "an article's title made blank",
        "/api/articles/{id}/",
        "patch",
        400,
        lambda w: w.operation("articles_partial_update").sync_detailed(
            w.article_id,
            client=w.signed_in,
            body=w.model("PatchedArticleInputRequest")(title=""),
        ),
    ),
    Case(
        "a display name of 81 characters",
        "/api/users/me/",
        "patch",
        400,
        lambda w: w.operation("users_me_partial_update").sync_detailed(
            client=w.signed_in,
            body=w.model("PatchedProfileRequest")(display_name="x" * 81),
        ),
    ),
    Case(
        "a page_size that is not a number",
        "/api/articles/",
        "get",
        400,
        lambda w: w.raw(
            w.signed_in,
            "articles_list",
            "GET",
            "/api/articles/",
            params={"page_size": "lots"},
        ),
    ),
    Case(
        "malformed JSON",
        "/api/auth/token/",
        "post",
        400,
        lambda w: w.raw(
            w.anonymous,
            "auth_token_create",
            "POST",
            "/api/auth/token/",
            content=b'{"username": ',
            headers={"Content-Type": "application/json"},
        ),
    ),
    Case(
        "a foreign Host",
        "/api/users/me/",
        "get",
        400,
        lambda w: w.operation("users_me_retrieve").sync_detailed(
            client=w.signed_in_with({"Host": "evil.example"})
        ),
    ),
    Case(
        "no credentials",
        "/api/users/me/",
        "get",
        401,
        lambda w: w.operation("users_me_retrieve").sync_detailed(client=w.anonymous),
    ),
    Case(
        "an unknown token",
        "/api/users/me/",
        "get",
        401,
        lambda w: w.operation("users_me_retrieve").sync_detailed(
            client=w.authenticated(w.running.stack.https, "0" * 40)
        ),
    ),
    Case(
        "registration while signed in",
        "/api/users/",
        "post",
        403,
        lambda w: w.operation("users_create").sync_detailed(
            client=w.signed_in,
            body=w.model("RegistrationRequest")(
                username="again", email="again@example.com", password=PASSWORD
            ),
        ),
    ),
    Case(
        "an article that does not exist",
        "/api/articles/{id}/",
        "get",
        404,
        lambda w: w.operation("articles_retrieve").sync_detailed(
            10**9, client=w.signed_in
        ),
    ),
    Case(
        "PUT, which the path does not answer",
        "/api/users/me/",
        "get",
        405,
        lambda w: w.raw(
            w.signed_in, "users_me_retrieve", "PUT", "/api/users/me/", json={}
        ),
    ),
    Case(
        "TRACE, which nginx refuses",
        "/api/users/me/",
        "get",
        405,
        lambda w: w.raw(w.signed_in, "users_me_retrieve", "TRACE", "/api/users/me/"),
    ),
    Case(
        "Accept: text/html",
        "/api/users/me/",
        "get",
        406,
        lambda w: w.operation("users_me_retrieve").sync_detailed(
            client=w.signed_in_with({"Accept": "text/html"})
        ),
    ),
    Case(
        "a body over nginx's limit",
        "/api/articles/",
        "post",
        413,
        lambda w: _too_large(w, w.running.stack.https, OVER_NGINX_LIMIT),
    ),
    Case(
        "a body over Django's limit, straight to gunicorn",
        "/api/articles/",
        "post",
        413,
        lambda w: _too_large(w, w.running.stack.app, OVER_DJANGO_LIMIT),
    ),
    Case(
        "a form body",
        "/api/auth/token/",
        "post",
        415,
        lambda w: w.raw(
            w.anonymous,
            "auth_token_create",
            "POST",
            "/api/auth/token/",
            data={"username": "someone", "password": PASSWORD},
        ),
    ),
    Case(
        "half a request head, then nothing",
        "/api/users/me/",
        "get",
        408,
        _slow_head,
    ),
    Case(
        "a query string of 12 kB (gunicorn's limit)",
        "/api/articles/",
        "get",
        414,
        lambda w: w.raw(
            w.signed_in,
            "articles_list",
            "GET",
            "/api/articles/",
            params={"q": "a" * 12_000},
        ),
    ),
    Case(
        "a query string of 20 kB (nginx's limit)",
        "/api/articles/",
        "get",
        414,
        lambda w: w.raw(
            w.signed_in,
            "articles_list",
            "GET",
            "/api/articles/",
            params={"q": "a" * 20_000},
        ),
    ),
    Case(
        "120 request headers",
        "/api/users/me/",
        "get",
        431,
        lambda w: w.operation("users_me_retrieve").sync_detailed(
            client=w.signed_in_with({f"X-Filler-{n}": "1" for n in range(120)})
        ),
    ),
    Case("an anonymous budget spent", "/api/articles/", "get", 429, _throttled),
    Case(
        "a table the code expects is missing",
        "/api/articles/",
        "get",
        500,
        _server_error,
    ),
    Case(
        "PostgreSQL refusing connections",
        "/api/users/me/",
        "get",
        None,
        _database_outage,
    ),
)
