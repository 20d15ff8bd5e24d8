"""Backend faults under load, and what the health endpoint says during each.

A fault is one proxy (``redis`` or ``postgres``) switched to ``hang`` or ``refuse``
for a while and then restored. Meanwhile a prober asks the health endpoint, as a
container probe would, every fraction of a second; after the restore it keeps asking
until the answer is 200 again.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import aiohttp

if TYPE_CHECKING:
    from django_strict_core.testing import Mode, ProxyProcess

FAULTS: tuple[tuple[str, Mode], ...] = (
    ("redis", "hang"),
    ("redis", "refuse"),
    ("postgres", "hang"),
    ("postgres", "refuse"),
)
PROBE_TIMEOUT = 5.0
# Consecutive healthy answers that count as recovered (about 1 s of probing).
STABLE_PROBES = 8


@dataclass(frozen=True)
class Probe:
    """One health answer.

    Attributes:
        at: Seconds since the fault was put in place.
        status: The HTTP status (0: no answer within the probe's timeout).
        body: The answer's body.
        latency: Seconds until the answer came.
    """

    at: float
    status: int
    body: str
    latency: float


@dataclass
class FaultResult:
    """What happened during one fault.

    Attributes:
        backend: ``redis`` or ``postgres``.
        mode: ``hang`` or ``refuse``.
        started: When the fault began (suite's monotonic clock).
        lifted: When the proxy forwarded again.
        healthy_again: When the health endpoint first answered 200 after the lift,
            ``None`` if it did not within the limit.
        probes: The health answers, during the fault and until healthy again.
    """

    backend: str
    mode: str
    started: float = 0.0
    lifted: float = 0.0
    healthy_again: float | None = None
    probes: list[Probe] = field(default_factory=list)

    @property
    def name(self) -> str:
        """``<backend> <mode>``, e.g. ``redis hang``."""
        return f"{self.backend} {self.mode}"

    @property
    def recovery_seconds(self) -> float | None:
        """Seconds from the lift to the first of ``STABLE_PROBES`` healthy answers in a row."""
        return None if self.healthy_again is None else self.healthy_again - self.lifted

    @property
    def during(self) -> list[Probe]:
        """The answers while the fault was in place."""
        held = self.lifted - self.started
        return [p for p in self.probes if p.at < held]


async def probe(session: aiohttp.ClientSession, url: str, origin: float) -> Probe:
    """Ask the health endpoint once.

    Args:
        session: The prober's HTTP session.
        url: The health endpoint.
        origin: The time that ``at`` counts from.

    Returns:
        The answer.
    """
    sent = time.monotonic()
    try:
        async with session.get(
            url, timeout=aiohttp.ClientTimeout(total=PROBE_TIMEOUT)
        ) as answer:
            body = await answer.text()
            status = answer.status
    except (TimeoutError, aiohttp.ClientError) as exc:
        body, status = type(exc).__name__, 0
    return Probe(sent - origin, status, body, time.monotonic() - sent)


async def wait_healthy(
    session: aiohttp.ClientSession, url: str, limit: float
) -> Probe | None:
    """Ask until the answer is 200.

    Args:
        session: The prober's HTTP session.
        url: The health endpoint.
        limit: Seconds to keep asking.

    Returns:
        The healthy answer, or ``None`` when none came within ``limit``.
    """
    origin = time.monotonic()
    while time.monotonic() - origin < limit:
        answer = await probe(session, url, origin)
        if answer.status == 200:
            return answer
        await asyncio.sleep(0.1)
    return None


async def run_fault(  # noqa: PLR0913 - every argument is an independent knob
    session: aiohttp.ClientSession,
    url: str,
    proxies: ProxyProcess,
    fault: tuple[str, Mode],
    *,
    hold: float,
    recover_limit: float,
    interval: float = 0.25,
) -> FaultResult:
    """Put one fault in place, hold it, lift it, and wait until healthy again.

    Args:
        session: The prober's HTTP session.
        url: The health endpoint.
        proxies: The proxies' process.
        fault: ``(backend, mode)``.
        hold: Seconds the fault stays in place.
        recover_limit: Seconds to wait for 200 after the lift.
        interval: Seconds between probes.

    Returns:
        The answers and timings.
    """
    backend, mode = fault
    result = FaultResult(backend, mode)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, proxies.set_mode, backend, mode)
    result.started = time.monotonic()
    while time.monotonic() - result.started < hold:
        result.probes.append(await probe(session, url, result.started))
        await asyncio.sleep(interval)
    await loop.run_in_executor(None, proxies.set_mode, backend, "forward")
    result.lifted = time.monotonic()
    # Every worker keeps its own view of the backends (and may still be finishing a
    # call that began during the fault), so one 200 proves only one worker healthy:
    # recovery is the start of a run of STABLE_PROBES healthy answers, each on a new
    # connection that any worker may accept.
    streak: list[Probe] = []
    while time.monotonic() - result.lifted < recover_limit:
        answer = await probe(session, url, result.started)
        result.probes.append(answer)
        streak = [*streak, answer] if answer.status == 200 else []
        if len(streak) >= STABLE_PROBES:
            first = streak[0]
            result.healthy_again = result.started + first.at + first.latency
            break
        await asyncio.sleep(0.1)
    return result
