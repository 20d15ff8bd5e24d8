"""The bad input tour: hostile and malformed requests, each with the answer it must get.

Most cases go through nginx, as clients do; a few go straight to gunicorn (as a
second proxy in front would let them) to reach a limit nginx enforces first. Every
rejection must be the JSON envelope with the expected status and code; a hostile
header that is neutralised instead (``X-Forwarded-Proto``, ``X-Request-ID``) must
leave a normal answer. Afterwards the log lines written during the tour are read:
none may record a 5xx.
"""

from __future__ import annotations

import json
import secrets
import urllib.error
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tests.e2e.stack import request

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.e2e.stack import Response, Stack

NGINX = "nginx"
APP = "gunicorn"
JSON = {"Content-Type": "application/json"}


@dataclass(frozen=True)
class Case:
    """One bad request and the answer it must get.

    Attributes:
        name: What is sent.
        method: The HTTP method.
        path: Path and query.
        status: The status it must be answered with.
        code: The envelope's first error code; ``None`` when the answer is a normal
            one (the hostile part is neutralised).
        body: The request body.
        headers: Request headers.
        via: ``nginx`` (HTTPS, the production path) or ``gunicorn`` (direct).
        check: A further condition on the answer, with its description.
    """

    name: str
    method: str
    path: str
    status: int
    code: str | None
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    via: str = NGINX
    check: tuple[str, Callable[[Response], bool]] | None = None


@dataclass(frozen=True)
class Outcome:
    """How one case was answered.

    Attributes:
        case: The case.
        status: The status received (0 when the connection failed).
        code: The envelope's first error code, if the answer was an envelope.
        envelope: Whether the body was the error envelope.
        passed: Whether it is the answer the case requires.
        note: Why it did not pass.
    """

    case: Case
    status: int
    code: str | None
    envelope: bool
    passed: bool
    note: str = ""


def _replaced_request_id(sent: str) -> Callable[[Response], bool]:
    def check(response: Response) -> bool:
        answered = response.headers.get("X-Request-ID", "")
        return answered not in ("", sent) and len(answered) == 32

    return check


def cases(token: str) -> list[Case]:
    """Return the tour.

    Args:
        token: A valid API token, for the cases that need a signed-in client.

    Returns:
        The cases, in order.
    """
    auth = {"Authorization": f"Token {token}"}
    ugly_id = 'not "a" valid id; <script>'
    long_id = "a" * 1000
    return [
        Case(
            "JSON body of 3 MiB (over nginx's client_max_body_size 2m)",
            "POST",
            "/api/auth/token/",
            413,
            "request_too_large",
            body=b'{"username": "' + b"a" * (3 * 2**20) + b'"}',
            headers=JSON,
        ),
        Case(
            "JSON body of 3 MB to gunicorn (over DATA_UPLOAD_MAX_MEMORY_SIZE)",
            "POST",
            "/api/auth/token/",
            413,
            "request_too_large",
            body=b'{"username": "' + b"a" * 3_000_000 + b'"}',
            headers=JSON,
            via=APP,
        ),
        Case(
            "malformed JSON",
            "POST",
            "/api/auth/token/",
            400,
            "parse_error",
            body=b'{"username": ',
            headers=JSON,
        ),
        Case(
            "JSON nested 100 000 levels deep",
            "POST",
            "/api/auth/token/",
            400,
            "parse_error",
            body=b"[" * 100_000,
            headers=JSON,
        ),
        Case(
            "JSON with invalid UTF-8",
            "POST",
            "/api/auth/token/",
            400,
            "parse_error",
            body=b'{"username": "\xff\xfe"}',
            headers=JSON,
        ),
        Case(
            "JSON array instead of an object",
            "POST",
            "/api/auth/token/",
            400,
            "invalid",
            body=b"[1, 2]",
            headers=JSON,
        ),
        Case(
            "JSON with a NUL character in a field",
            "PATCH",
            "/api/users/me/",
            400,
            "null_characters_not_allowed",
            body=b'{"display_name": "a\\u0000b"}',
            headers={**JSON, **auth},
        ),
        Case(
            "Content-Type text/plain",
            "POST",
            "/api/auth/token/",
            415,
            "unsupported_media_type",
            body=b"username=a",
            headers={"Content-Type": "text/plain"},
        ),
        Case(
            "multipart without a boundary (the API takes JSON)",
            "POST",
            "/api/auth/token/",
            415,
            "unsupported_media_type",
            body=b"x",
            headers={"Content-Type": "multipart/form-data"},
        ),
        Case(
            "form with 2 000 fields (the API takes JSON)",
            "POST",
            "/api/auth/token/",
            415,
            "unsupported_media_type",
            body="&".join(f"f{n}=1" for n in range(2000)).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        ),
        Case(
            "query string of 12 KB (over gunicorn's limit_request_line)",
            "GET",
            "/api/articles/?q=" + "a" * 12_000,
            414,
            "request_uri_too_long",
        ),
        Case(
            "query string of 20 KB (over nginx's header buffers)",
            "GET",
            "/api/articles/?q=" + "a" * 20_000,
            414,
            "request_uri_too_long",
        ),
        Case(
            "1 100 query parameters",
            "GET",
            "/api/articles/?" + "&".join(f"f{n}=1" for n in range(1100)),
            400,
            "bad_request",
        ),
        Case(
            "page_size that is not a number",
            "GET",
            "/api/articles/?page_size=lots",
            400,
            "invalid",
        ),
        Case(
            "author filter with a superscript digit",
            "GET",
            "/api/articles/?author=%C2%B2",
            400,
            "invalid",
        ),
        Case("page past the end", "GET", "/api/articles/?page=99999", 404, "not_found"),
        Case(
            "page that is not a number",
            "GET",
            "/api/articles/?page=x",
            404,
            "not_found",
        ),
        Case(
            "article id beyond 64 bits",
            "GET",
            "/api/articles/99999999999999999999999/",
            404,
            "not_found",
        ),
        Case("unknown API route", "GET", "/api/no-such-route/", 404, "not_found"),
        Case(
            "POST to the health endpoint",
            "POST",
            "/api/health/",
            405,
            "method_not_allowed",
        ),
        Case(
            "DELETE on registration", "DELETE", "/api/users/", 405, "method_not_allowed"
        ),
        Case(
            "TRACE (refused by nginx)",
            "TRACE",
            "/api/articles/",
            405,
            "method_not_allowed",
        ),
        Case(
            "Accept: text/html only",
            "GET",
            "/api/articles/",
            406,
            "not_acceptable",
            headers={"Accept": "text/html"},
        ),
        Case(
            "write without credentials",
            "POST",
            "/api/articles/",
            401,
            "not_authenticated",
            body=b'{"title": "x"}',
            headers=JSON,
        ),
        Case(
            "unknown token",
            "GET",
            "/api/users/me/",
            401,
            "authentication_failed",
            headers={"Authorization": "Token " + "0" * 40},
        ),
        Case(
            "Host not in ALLOWED_HOSTS",
            "GET",
            "/api/articles/",
            400,
            "bad_request",
            headers={"Host": "evil.example"},
        ),
        Case(
            "Host with userinfo and a bad port",
            "GET",
            "/api/articles/",
            400,
            "bad_request",
            headers={"Host": "127.0.0.1:1@evil.example:x"},
        ),
        Case(
            "120 request headers (over gunicorn's limit_request_fields)",
            "GET",
            "/api/articles/",
            431,
            "request_header_fields_too_large",
            headers={f"X-Filler-{n}": "1" for n in range(120)},
        ),
        Case(
            "header line of 10 KB (over gunicorn's limit_request_field_size)",
            "GET",
            "/api/articles/",
            431,
            "request_header_fields_too_large",
            headers={"X-Filler": "a" * 10_000},
        ),
        Case(
            "header line of 20 KB (over nginx's header buffers)",
            "GET",
            "/api/articles/",
            400,
            "bad_request",
            headers={"X-Filler": "a" * 20_000},
        ),
        Case(
            "X-Forwarded-Proto: http over HTTPS (nginx sets its own)",
            "GET",
            "/api/articles/",
            200,
            None,
            headers={"X-Forwarded-Proto": "http"},
        ),
        Case(
            "X-Request-ID with quotes, spaces and markup",
            "GET",
            "/api/articles/",
            200,
            None,
            headers={"X-Request-ID": ugly_id},
            check=("a new id is answered", _replaced_request_id(ugly_id)),
        ),
        Case(
            "X-Request-ID of 1 000 characters",
            "GET",
            "/api/articles/",
            200,
            None,
            headers={"X-Request-ID": long_id},
            check=("a new id is answered", _replaced_request_id(long_id)),
        ),
    ]


def _envelope_code(body: bytes) -> str | None:
    """Return the first error code of an envelope, or ``None`` for anything else."""
    try:
        data: Any = json.loads(body)
    except ValueError:
        return None
    if not isinstance(data, dict) or set(data) != {"type", "errors"}:
        return None
    errors = data["errors"]
    if not errors or not isinstance(errors, list) or not isinstance(errors[0], dict):
        return None
    if set(errors[0]) != {"code", "detail", "attr"}:
        return None
    return str(errors[0]["code"])


def run_case(stack: Stack, case: Case, request_id: str) -> Outcome:
    """Send one case and judge the answer.

    Args:
        stack: The running example project.
        case: The case.
        request_id: An ``X-Request-ID`` for the log, unless the case sets its own.

    Returns:
        The outcome.
    """
    headers = {"X-Request-ID": request_id, **case.headers}
    origin = stack.https
    if case.via == APP:
        origin = stack.app
        headers = {"X-Forwarded-Proto": "https", **headers}
    try:
        response = request(
            origin + case.path, case.method, body=case.body, headers=headers
        )
    except (OSError, urllib.error.URLError) as exc:
        return Outcome(case, 0, None, envelope=False, passed=False, note=str(exc))
    code = _envelope_code(response.body)
    content_type = response.headers.get("Content-Type", "")
    notes = []
    if response.status != case.status:
        notes.append(f"status {response.status}, expected {case.status}")
    if case.code is not None:
        if code is None:
            notes.append(f"not the envelope ({content_type}): {response.body[:80]!r}")
        elif code != case.code:
            notes.append(f"code {code!r}, expected {case.code!r}")
        if code is not None and not content_type.startswith("application/json"):
            notes.append(f"Content-Type {content_type}")
    if case.check is not None and not case.check[1](response):
        notes.append(f"not true: {case.check[0]}")
    return Outcome(
        case,
        response.status,
        code,
        envelope=code is not None,
        passed=not notes,
        note="; ".join(notes),
    )


def run_tour(stack: Stack, token: str) -> list[Outcome]:
    """Run every case.

    Args:
        stack: The running example project.
        token: A valid API token.

    Returns:
        The outcomes, in order.
    """
    return [
        run_case(stack, case, f"tour-{number}-{secrets.token_hex(4)}")
        for number, case in enumerate(cases(token))
    ]


def server_errors_logged(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the log records that tell of a 5xx answer.

    Args:
        records: JSON log records.

    Returns:
        Access records with a 5xx status and records with a 5xx ``status_code``.
    """
    return [
        record
        for record in records
        if int(record.get("status") or 0) >= 500
        or int(record.get("status_code") or 0) >= 500
    ]
