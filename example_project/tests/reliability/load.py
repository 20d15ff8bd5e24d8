"""The load: a fixed number of concurrent clients, each sending one request at a time.

Every answer (or failure to get one) becomes a :class:`Sample`; the figures of the
report are computed from the samples afterwards, so a sample's time can be matched
against the fault windows.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

import aiohttp

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

TIMEOUT_ERROR = "timeout"
CONNECTION_ERROR = "connection error"


@dataclass(frozen=True)
class Sample:
    """One request of the load.

    Attributes:
        endpoint: Which endpoint (``health`` or ``articles``).
        sent: When it was sent, in seconds on the suite's monotonic clock.
        latency: Seconds until the whole answer was read, or until it failed.
        status: The HTTP status, 0 when there was no answer.
        error: ``timeout`` or ``connection error`` when there was no answer.
        code: For a 5xx answer, its envelope's first error code, if it has one.
        retry_after: For a 5xx answer, its ``Retry-After`` header.
        request_id: For a 5xx answer, its ``X-Request-ID`` header.
    """

    endpoint: str
    sent: float
    latency: float
    status: int
    error: str = ""
    code: str = ""
    retry_after: str = ""
    request_id: str = ""

    @property
    def done(self) -> float:
        """When the answer (or the failure) came, on the same clock."""
        return self.sent + self.latency

    @property
    def outcome(self) -> str:
        """The status as text, or the error."""
        return self.error or str(self.status)

    @property
    def failed(self) -> bool:
        """Whether there was no answer or a server error."""
        return bool(self.error) or self.status >= 500


@dataclass(frozen=True)
class Endpoint:
    """A target of the load.

    Attributes:
        name: Its name in the report.
        path: Gives the request path for a client's n-th request.
    """

    name: str
    path: Callable[[int], str]


def percentile(values: Iterable[float], fraction: float) -> float:
    """Return a nearest-rank percentile.

    Args:
        values: The observations.
        fraction: 0.5 for the median, 0.99 for p99.

    Returns:
        The value, or NaN without observations.
    """
    ordered = sorted(values)
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Summary:
    """Figures of a set of samples.

    Attributes:
        requests: How many.
        outcomes: Count per status or error.
        p50: Median latency of the answered requests, in seconds.
        p99: 99th percentile latency of the answered requests, in seconds.
        seconds: The span the samples were sent over.
    """

    requests: int
    outcomes: Counter[str]
    p50: float
    p99: float
    seconds: float

    @property
    def per_second(self) -> float:
        """Requests per second."""
        return self.requests / self.seconds if self.seconds > 0 else math.nan

    @property
    def failures(self) -> int:
        """Requests without an answer or with a 5xx answer."""
        return sum(
            count
            for outcome, count in self.outcomes.items()
            if not outcome.isdigit() or int(outcome) >= 500
        )


def summarize(samples: list[Sample], seconds: float) -> Summary:
    """Return the figures of some samples.

    Args:
        samples: The samples.
        seconds: How long the load ran.

    Returns:
        Their summary.
    """
    answered = [s.latency for s in samples if not s.error]
    return Summary(
        requests=len(samples),
        outcomes=Counter(s.outcome for s in samples),
        p50=percentile(answered, 0.5),
        p99=percentile(answered, 0.99),
        seconds=seconds,
    )


class Load:
    """Concurrent clients on a set of endpoints, until told to stop.

    Client ``c`` sends its ``n``-th request to ``endpoints[(c + n) % len(endpoints)]``,
    so every endpoint sees requests from every client.

    Args:
        session: The HTTP session (its connector bounds the connections).
        origin: Scheme, host and port of the server.
        endpoints: The targets.
        clients: How many clients.
        headers: Headers of every request.
        timeout: Seconds a request may take before it counts as lost.
        max_requests: A bound on the requests of the whole load.
    """

    def __init__(  # noqa: PLR0913 - every argument is an independent knob
        self,
        session: aiohttp.ClientSession,
        origin: str,
        endpoints: list[Endpoint],
        *,
        clients: int,
        headers: Mapping[str, str],
        timeout: float,
        max_requests: int,
    ) -> None:
        self.session = session
        self.origin = origin
        self.endpoints = endpoints
        self.clients = clients
        self.headers = dict(headers)
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self.max_requests = max_requests
        self.samples: list[Sample] = []
        self._stop = asyncio.Event()

    def stop(self) -> None:
        """Let every client finish its current request and stop."""
        self._stop.set()

    async def run(self) -> list[Sample]:
        """Run the clients until :meth:`stop` or ``max_requests``.

        Returns:
            Every sample, in the order the answers came.
        """
        await asyncio.gather(*(self._client(c) for c in range(self.clients)))
        return self.samples

    async def _client(self, number: int) -> None:
        sent_count = 0
        while not self._stop.is_set() and len(self.samples) < self.max_requests:
            endpoint = self.endpoints[(number + sent_count) % len(self.endpoints)]
            self.samples.append(
                await fetch(
                    self.session,
                    endpoint.name,
                    self.origin + endpoint.path(sent_count),
                    headers=self.headers,
                    timeout=self.timeout,
                )
            )
            sent_count += 1


async def fetch(
    session: aiohttp.ClientSession,
    name: str,
    url: str,
    *,
    headers: Mapping[str, str],
    timeout: aiohttp.ClientTimeout,
) -> Sample:
    """Send one GET and read the whole answer.

    Args:
        session: The HTTP session.
        name: The endpoint's name for the sample.
        url: The URL.
        headers: Request headers.
        timeout: Its deadline.

    Returns:
        The sample.
    """
    sent = time.monotonic()
    try:
        async with session.get(url, headers=headers, timeout=timeout) as answer:
            body = await answer.read()
            status = answer.status
    except TimeoutError:
        return Sample(name, sent, time.monotonic() - sent, 0, TIMEOUT_ERROR)
    except aiohttp.ClientError:
        return Sample(name, sent, time.monotonic() - sent, 0, CONNECTION_ERROR)
    latency = time.monotonic() - sent
    if status < 500:
        return Sample(name, sent, latency, status)
    return Sample(
        name,
        sent,
        latency,
        status,
        code=_first_code(body),
        retry_after=answer.headers.get("Retry-After", ""),
        request_id=answer.headers.get("X-Request-ID", ""),
    )


def _first_code(body: bytes) -> str:
    """Return the first error code of an envelope, or ``""`` for any other body."""
    try:
        data = json.loads(body)
        return str(data["errors"][0]["code"])
    except (ValueError, KeyError, IndexError, TypeError):
        return ""
