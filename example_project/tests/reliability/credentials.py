"""Password and token guessing: every credential check spends the client's budget.

The application restarts with small budgets: ``DJANGO_THROTTLE_LOGIN_RATE`` (failed
password checks per client address) and ``DJANGO_THROTTLE_ANON_RATE`` (what an
anonymous client, and a request whose authentication fails, may send). Each attack
comes from one client address with its budgets at zero:

1. the admin login: wrong passwords, then the right one;
2. the API's token endpoint: the same;
3. bad tokens on an authenticated route.

The right password sent after the budget is spent must be refused (429), as must
every bad token past the anonymous budget.
"""

from __future__ import annotations

import re
import secrets
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import aiohttp

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.e2e.stack import Stack

_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Guessing:
    """What one password-guessing attack got.

    Attributes:
        wrong: The status of each wrong password, in order.
        right: The status of the right password sent after them.
        retry_after: The ``Retry-After`` of the answer to the right password.
    """

    wrong: list[int] = field(default_factory=list)
    right: int = 0
    retry_after: str = ""

    @property
    def checked(self) -> int:
        """Wrong passwords that were checked (not refused with 429)."""
        return sum(1 for status in self.wrong if status != 429)


@dataclass
class CredentialsResult:
    """What the attacks got.

    Attributes:
        login_limit: Failed password checks per client and hour.
        anon_limit: Anonymous requests per client and hour.
        admin: The admin login attack.
        token: The token endpoint attack.
        bad_tokens: Count per status of the requests with a bad token.
    """

    login_limit: int
    anon_limit: int
    admin: Guessing = field(default_factory=Guessing)
    token: Guessing = field(default_factory=Guessing)
    bad_tokens: Counter[str] = field(default_factory=Counter)


async def guess_admin(
    session: aiohttp.ClientSession,
    origin: str,
    username: str,
    password: str,
    wrong: int,
) -> Guessing:
    """Send ``wrong`` wrong passwords to the admin login form, then the right one.

    Args:
        session: A session with a cookie jar (the CSRF cookie).
        origin: The HTTPS origin.
        username: A staff user's name.
        password: Its password.
        wrong: How many wrong passwords first.

    Returns:
        The statuses.
    """
    url = f"{origin}/admin/login/?next=/admin/"

    async def attempt(candidate: str) -> tuple[int, str]:
        async with session.get(url) as form:
            found = _CSRF_INPUT.search(await form.text())
        token = found.group(1) if found else ""
        async with session.post(
            url,
            data={
                "csrfmiddlewaretoken": token,
                "username": username,
                "password": candidate,
                "next": "/admin/",
            },
            headers={"Referer": url, "Origin": origin},
            allow_redirects=False,
        ) as answer:
            await answer.read()
            return answer.status, answer.headers.get("Retry-After", "")

    result = Guessing()
    for _ in range(wrong):
        result.wrong.append((await attempt(secrets.token_hex(8)))[0])
    result.right, result.retry_after = await attempt(password)
    return result


async def guess_token(
    session: aiohttp.ClientSession,
    origin: str,
    username: str,
    password: str,
    wrong: int,
) -> Guessing:
    """Send ``wrong`` wrong passwords to ``POST /api/auth/token/``, then the right one.

    Args:
        session: The HTTP session.
        origin: The HTTPS origin.
        username: A user's name.
        password: Its password.
        wrong: How many wrong passwords first.

    Returns:
        The statuses.
    """
    url = f"{origin}/api/auth/token/"

    async def attempt(candidate: str) -> tuple[int, str]:
        async with session.post(
            url,
            json={"username": username, "password": candidate},
            headers={"Accept": "application/json"},
        ) as answer:
            await answer.read()
            return answer.status, answer.headers.get("Retry-After", "")

    result = Guessing()
    for _ in range(wrong):
        result.wrong.append((await attempt(secrets.token_hex(8)))[0])
    result.right, result.retry_after = await attempt(password)
    return result


async def guess_tokens(
    session: aiohttp.ClientSession, origin: str, count: int
) -> Counter[str]:
    """Send ``count`` requests, each with a new made-up token, to ``/api/users/me/``.

    Args:
        session: The HTTP session.
        origin: The HTTPS origin.
        count: How many.

    Returns:
        Count per status.
    """
    statuses: Counter[str] = Counter()
    for _ in range(count):
        async with session.get(
            f"{origin}/api/users/me/",
            headers={
                "Accept": "application/json",
                "Authorization": f"Token {secrets.token_hex(20)}",
            },
        ) as answer:
            await answer.read()
            statuses[str(answer.status)] += 1
    return statuses


async def guess_credentials(
    stack: Stack,
    result: CredentialsResult,
    *,
    user: tuple[str, str],
    fresh_budgets: Callable[[], None],
) -> None:
    """Run the three attacks, each with the budgets at zero.

    Args:
        stack: The running project, restarted with the result's limits.
        result: Where the statuses go.
        user: A staff user's name and password.
        fresh_budgets: Deletes every throttle counter of the run.
    """
    wrong = result.login_limit + 3
    username, password = user
    connector = aiohttp.TCPConnector(ssl=False)
    # unsafe: keep cookies for an IP address (127.0.0.1).
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(connector=connector, cookie_jar=jar) as session:
        fresh_budgets()
        result.admin = await guess_admin(
            session, stack.https, username, password, wrong
        )
        fresh_budgets()
        result.token = await guess_token(
            session, stack.https, username, password, wrong
        )
        fresh_budgets()
        result.bad_tokens = await guess_tokens(
            session, stack.https, result.anon_limit + 10
        )
