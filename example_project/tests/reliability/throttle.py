"""Throttling across worker processes: one client's budget, counted in shared Redis.

A burst of concurrent anonymous requests, spread over many connections and so over
both workers, must be answered with exactly the budget of 200s and 429s after it.
A second burst varies ``X-Forwarded-For`` on every request: behind one trusted
proxy, that must not buy the client a fresh budget.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import aiohttp

from tests.reliability.load import fetch

if TYPE_CHECKING:
    from tests.reliability.load import Sample


@dataclass
class ThrottleResult:
    """What the bursts got.

    Attributes:
        limit: The anonymous budget (requests per window).
        sent: Requests of the first burst.
        outcomes: Count per status of the first burst.
        spoofed_sent: Requests of the burst with a new ``X-Forwarded-For`` each.
        spoofed_outcomes: Count per status of that burst.
        worker_cpu: CPU seconds each worker spent during the bursts.
        retry_after: The ``Retry-After`` of one 429, in seconds.
        envelope: Whether that 429 carried the error envelope.
    """

    limit: int
    sent: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    spoofed_sent: int = 0
    spoofed_outcomes: Counter[str] = field(default_factory=Counter)
    worker_cpu: dict[int, float] = field(default_factory=dict)
    retry_after: int | None = None
    envelope: bool = False

    @property
    def allowed(self) -> int:
        """200s of the first burst."""
        return self.outcomes.get("200", 0)

    @property
    def spoofed_allowed(self) -> int:
        """200s of the spoofing burst."""
        return self.spoofed_outcomes.get("200", 0)


async def burst(
    url: str, count: int, concurrency: int, *, spoof: bool = False
) -> list[Sample]:
    """Send ``count`` anonymous GETs, ``concurrency`` at a time, each on a new connection.

    Args:
        url: The throttled URL.
        count: How many requests.
        concurrency: How many at once.
        spoof: Send a different ``X-Forwarded-For`` with each request.

    Returns:
        The samples.
    """
    connector = aiohttp.TCPConnector(ssl=False, force_close=True, limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=30)
    gate = asyncio.Semaphore(concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one(number: int) -> Sample:
            headers = {"Accept": "application/json"}
            if spoof:
                headers["X-Forwarded-For"] = f"198.51.100.{number % 250 + 1}"
            async with gate:
                return await fetch(
                    session, "throttled", url, headers=headers, timeout=timeout
                )

        return list(await asyncio.gather(*(one(n) for n in range(count))))


async def check_429(url: str) -> tuple[int | None, bool]:
    """Return the ``Retry-After`` of a throttled answer and whether it is the envelope.

    Args:
        url: The throttled URL, whose budget is spent.

    Returns:
        ``(seconds, envelope)``.
    """
    connector = aiohttp.TCPConnector(ssl=False)
    async with (
        aiohttp.ClientSession(connector=connector) as session,
        session.get(url, headers={"Accept": "application/json"}) as answer,
    ):
        body = await answer.json(content_type=None)
        retry_after = answer.headers.get("Retry-After")
    envelope = (
        answer.status == 429
        and body.get("type") == "client_error"
        and body["errors"][0]["code"] == "throttled"
    )
    return (int(retry_after) if retry_after else None), envelope
