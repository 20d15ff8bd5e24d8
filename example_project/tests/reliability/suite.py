"""The reliability run: one stack, its phases in order, and the guarantees judged.

1. The example project starts under gunicorn (2 uvicorn workers) behind nginx, on a
   scratch PostgreSQL database and the shared Redis, both reached through the
   suite's fault proxies.
2. Load: concurrent clients on ``/api/health/`` and the paginated
   ``/api/articles/``, first on a healthy system, then while each fault is put in
   place, held, and lifted.
3. Schemathesis against the schema ``manage.py spectacular`` writes (the served
   ``/api/schema/`` is for staff only in production).
4. The bad input tour.
5. Attacks on the server's bounds, straight to gunicorn (``attacks.py``).
6. The application restarts with a small anonymous budget; bursts from many
   connections test it across both workers, and a second client address tests that
   each client behind nginx has its own (``identity.py``).
7. It restarts with no proxy trusted: ``X-Forwarded-For`` must buy nothing.
8. It restarts with small login and anonymous budgets, one proxy trusted again;
   passwords and tokens are guessed against them (``credentials.py``).
9. The configuration tour: values Django would accept and then misuse
   (``configuration.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import redis
from django_strict_core.testing import ProxyProcess

from tests.e2e.stack import Stack, StackError, request, scratch_database
from tests.reliability import attacks, identity
from tests.reliability.badinput import run_tour, server_errors_logged
from tests.reliability.configuration import run_configuration_tour
from tests.reliability.credentials import CredentialsResult, guess_credentials
from tests.reliability.faults import FAULTS, run_fault, wait_healthy
from tests.reliability.fuzz import run_schemathesis
from tests.reliability.load import Endpoint, Load
from tests.reliability.throttle import ThrottleResult, burst, check_429
from tests.services import find_backends

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.reliability.badinput import Outcome
    from tests.reliability.configuration import Refusal
    from tests.reliability.faults import FaultResult
    from tests.reliability.fuzz import FuzzResult
    from tests.reliability.load import Sample

PASSWORD = "reliability-correct-horse-battery"
UNLIMITED = "1000000/hour"
ARTICLES = 45
PAGES = 3
# Seconds after a fault begins before every health answer must say so.
FAULT_ONSET = 0.5
# Health records one worker may write per fault: a check failing, its reason
# changing (timeout, then unavailable), and passing again, with some slack.
HEALTH_RECORDS_PER_FAULT = 6
HEALTH_PATH = "/api/health/"
THROTTLED = "/api/articles/?page_size=1"


@dataclass(frozen=True)
class Options:
    """How long and how hard the suite runs.

    Attributes:
        baseline: Seconds of load before the first fault.
        hold: Seconds each fault stays in place.
        settle: Seconds of load between a recovery and the next fault.
        recover_limit: Seconds health may take to answer 200 after a fault is lifted.
        grace: Seconds after a recovery in which a request may still fail: the
            backlog a fault built up drains, and a worker may still be finishing
            a backend call that began during the fault.
        clients: Concurrent clients of the load.
        request_timeout: Seconds a request of the load may take.
        throttle_limit: The anonymous budget of the throttle phase.
        login_limit: Failed password checks per client of the credentials phase.
        credentials_anon_limit: The anonymous budget of the credentials phase.
        fuzz_examples: Schemathesis test cases per operation and phase.
        fuzz_seconds: Schemathesis' time budget.
        workers: gunicorn workers.
    """

    baseline: float = 30.0
    hold: float = 10.0
    settle: float = 5.0
    recover_limit: float = 20.0
    grace: float = 3.0
    clients: int = 64
    request_timeout: float = 10.0
    throttle_limit: int = 50
    login_limit: int = 5
    credentials_anon_limit: int = 20
    fuzz_examples: int = 50
    fuzz_seconds: int = 180
    workers: int = 2

    @property
    def max_requests(self) -> int:
        """A bound on the load's requests (far above what 2 cores can serve)."""
        seconds = self.baseline + len(FAULTS) * (
            self.hold + self.recover_limit + self.settle
        )
        return int(seconds * 5000)


@dataclass
class Window:
    """A span of the run during which requests may fail because of a fault.

    Attributes:
        name: The fault.
        start: When the fault began.
        end: When health was back, plus the grace period.
    """

    name: str
    start: float
    end: float

    def overlaps(self, sample: Sample) -> bool:
        """Whether a request was in flight during the window."""
        return sample.sent < self.end and sample.done > self.start


@dataclass
class Guarantee:
    """One promise and whether this run kept it.

    Attributes:
        name: The promise.
        kept: Whether it held.
        detail: The figures behind the verdict.
    """

    name: str
    kept: bool
    detail: str


@dataclass
class FaultLog:
    """What the application logged while the faults were held.

    Attributes:
        health_errors: ``django.request`` records of an unhealthy health answer
            (one per probe would mean one error, or one e-mail, per probe).
        health_records: Records of the health check logger at ``WARNING`` or above.
        server_errors: ``django.request`` records of a 5xx answer, by request id.
        without_cause: Those of them without the exception that caused the answer.
    """

    health_errors: int = 0
    health_records: int = 0
    server_errors: Counter[str] = field(default_factory=Counter)
    without_cause: int = 0

    @classmethod
    def read(cls, records: list[dict[str, object]]) -> FaultLog:
        """Count what the records of the fault phase tell.

        Args:
            records: The JSON log records written during the faults.

        Returns:
            The counts.
        """
        log = cls()
        for record in records:
            logger = str(record.get("logger", ""))
            status = int(str(record.get("status_code") or 0))
            if logger == "django_strict_core.healthcheck" and record.get("level") in (
                "WARNING",
                "ERROR",
                "CRITICAL",
            ):
                log.health_records += 1
            if logger != "django.request" or status < 500:
                continue
            if HEALTH_PATH in str(record.get("message", "")):
                log.health_errors += 1
                continue
            log.server_errors[str(record.get("request_id", ""))] += 1
            if not record.get("exception"):
                log.without_cause += 1
        return log


@dataclass
class SuiteResult:
    """Everything the report shows."""

    options: Options
    started_at: str = ""
    load_started: float = 0.0
    baseline_end: float = 0.0
    load_end: float = 0.0
    samples: list[Sample] = field(default_factory=list)
    rss_start: dict[int, int] = field(default_factory=dict)
    rss_end: dict[int, int] = field(default_factory=dict)
    faults: list[FaultResult] = field(default_factory=list)
    windows: list[Window] = field(default_factory=list)
    fuzz: FuzzResult | None = None
    tour: list[Outcome] = field(default_factory=list)
    tour_server_errors: list[dict[str, object]] = field(default_factory=list)
    throttle: ThrottleResult | None = None
    fault_log: FaultLog = field(default_factory=FaultLog)
    credentials: CredentialsResult | None = None
    configuration: list[Refusal] = field(default_factory=list)
    bounds: attacks.AttackResult | None = None
    clients: identity.Identity | None = None
    untrusted: identity.Identity | None = None
    log_levels: dict[str, int] = field(default_factory=dict)
    guarantees: list[Guarantee] = field(default_factory=list)

    @property
    def kept(self) -> bool:
        """Whether every guarantee held."""
        return bool(self.guarantees) and all(g.kept for g in self.guarantees)

    def steady(self) -> list[Sample]:
        """Samples in flight outside every fault window."""
        return [s for s in self.samples if not any(w.overlaps(s) for w in self.windows)]


def _proxied(url: str, port: int) -> str:
    """Return ``url`` pointing at a loopback proxy port instead of its server."""
    parts = urlsplit(url)
    credentials = parts.netloc.rpartition("@")[0]
    netloc = f"{credentials}@127.0.0.1:{port}" if credentials else f"127.0.0.1:{port}"
    return urlunsplit(parts._replace(netloc=netloc))


def _address(url: str, default_port: int) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or default_port


def author_with_articles(stack: Stack) -> str:
    """Register a user, get its token and publish the articles the load lists.

    Args:
        stack: The running project.

    Returns:
        The user's API token.
    """
    username = f"load{secrets.token_hex(3)}"
    created = request(
        f"{stack.https}/api/users/",
        "POST",
        body={
            "username": username,
            "email": f"{username}@example.com",
            "password": PASSWORD,
        },
    )
    if created.status != 201:
        raise StackError(f"registration failed: {created.status} {created.body!r}")
    token = str(
        request(
            f"{stack.https}/api/auth/token/",
            "POST",
            body={"username": username, "password": PASSWORD},
        ).json()["token"]
    )
    for number in range(ARTICLES):
        published = request(
            f"{stack.https}/api/articles/",
            "POST",
            body={"title": f"Article {number}", "body": "text " * 50},
            headers={"Authorization": f"Token {token}"},
        )
        if published.status != 201:
            raise StackError(f"publishing failed: {published.status}")
    return token


async def load_and_faults(
    stack: Stack, proxies: ProxyProcess, token: str, result: SuiteResult
) -> None:
    """Hold the load, first on a healthy system, then through every fault.

    Args:
        stack: The running project.
        proxies: The fault proxies.
        token: The load's API token.
        result: Where the samples and fault results go.
    """
    options = result.options
    endpoints = [
        Endpoint("health", lambda _n: "/api/health/"),
        Endpoint("articles", lambda n: f"/api/articles/?page={n % PAGES + 1}"),
    ]
    connector = aiohttp.TCPConnector(ssl=False, limit=options.clients)
    probe_url = f"{stack.http}/api/health/"
    async with (
        aiohttp.ClientSession(connector=connector) as session,
        # A new connection per probe, as a kubelet makes.
        aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=2, force_close=True)
        ) as prober,
    ):
        load = Load(
            session,
            stack.https,
            endpoints,
            clients=options.clients,
            headers={"Authorization": f"Token {token}", "Accept": "application/json"},
            timeout=options.request_timeout,
            max_requests=options.max_requests,
        )
        result.load_started = time.monotonic()
        running = asyncio.ensure_future(load.run())
        await asyncio.sleep(options.baseline)
        result.baseline_end = time.monotonic()
        for fault in FAULTS:
            if await wait_healthy(prober, probe_url, options.recover_limit) is None:
                raise StackError(f"not healthy before {fault}")
            outcome = await run_fault(
                prober,
                probe_url,
                proxies,
                fault,
                hold=options.hold,
                recover_limit=options.recover_limit,
            )
            result.faults.append(outcome)
            back = outcome.healthy_again or (outcome.lifted + options.recover_limit)
            result.windows.append(
                Window(outcome.name, outcome.started, back + options.grace)
            )
            await asyncio.sleep(options.settle)
        load.stop()
        result.samples = await running
        result.load_end = time.monotonic()


async def throttle_phase(stack: Stack, limit: int) -> ThrottleResult:
    """Restart the application with a small anonymous budget and spend it.

    Args:
        stack: The running project.
        limit: The budget, per hour.

    Returns:
        What the bursts got.
    """
    stack.stop_app()
    stack.environment.update(
        DJANGO_THROTTLE_ANON_RATE=f"{limit}/hour",
        # A fresh prefix: the budget starts from zero, whatever came before.
        DJANGO_CACHE_KEY_PREFIX=f"{stack.key_prefix}-throttle",
    )
    stack.start_app()
    url = f"{stack.https}{THROTTLED}"
    result = ThrottleResult(limit)
    cpu_before = stack.worker_cpu_seconds()
    first = await burst(url, 4 * limit, concurrency=32)
    spoofed = await burst(url, 2 * limit, concurrency=32, spoof=True)
    cpu_after = stack.worker_cpu_seconds()
    result.sent, result.spoofed_sent = len(first), len(spoofed)
    result.outcomes.update(s.outcome for s in first)
    result.spoofed_outcomes.update(s.outcome for s in spoofed)
    result.worker_cpu = {
        pid: round(cpu_after[pid] - cpu_before.get(pid, 0.0), 2) for pid in cpu_after
    }
    result.retry_after, result.envelope = await check_429(url)
    return result


STAFF = ("reliability-admin", "reliability-admin-password-7f3a")


async def credentials_phase(
    stack: Stack, options: Options, delete_keys: Callable[[], None]
) -> CredentialsResult:
    """Restart the application with small credential budgets and guess against them.

    Args:
        stack: The running project.
        options: The budgets.
        delete_keys: Deletes every cache key of the run, so each attack starts
            with its budgets at zero.

    Returns:
        What the attacks got.
    """
    username, password = STAFF
    stack.manage(
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model; "
        f"get_user_model().objects.create_superuser({username!r}, "
        f"'{username}@example.com', {password!r})",
    )
    stack.stop_app()
    stack.environment.update(
        DJANGO_THROTTLE_ANON_RATE=f"{options.credentials_anon_limit}/hour",
        DJANGO_THROTTLE_LOGIN_RATE=f"{options.login_limit}/hour",
        DJANGO_NUM_PROXIES="1",  # as deployed: nginx in front
        DJANGO_CACHE_KEY_PREFIX=f"{stack.key_prefix}-credentials",
    )
    stack.start_app()
    result = CredentialsResult(options.login_limit, options.credentials_anon_limit)
    await guess_credentials(stack, result, user=STAFF, fresh_budgets=delete_keys)
    return result


def _database_fault_guarantees(result: SuiteResult) -> list[Guarantee]:
    """The answers and log records of API requests that failed during the faults."""
    failed = [
        s
        for s in result.samples
        if s.endpoint == "articles"
        and s.status >= 500
        and any(w.overlaps(s) for w in result.windows)
    ]
    unavailable = [
        s
        for s in failed
        if s.status == 503 and s.code == "service_unavailable" and s.retry_after
    ]
    log = result.fault_log
    logged_once = [s for s in failed if log.server_errors.get(s.request_id) == 1]
    return [
        Guarantee(
            "An API request failing during a fault answers 503 service_unavailable "
            "with Retry-After",
            bool(failed) and len(unavailable) == len(failed),
            f"{len(unavailable)} of {len(failed)} 5xx answers ({_statuses(failed)})",
        ),
        Guarantee(
            "Every 5xx answer is logged once, with its cause",
            len(logged_once) == len(failed) and not log.without_cause,
            f"{len(logged_once)} of {len(failed)} logged exactly once; "
            f"{log.without_cause} records without the exception",
        ),
    ]


def _statuses(samples: list[Sample]) -> str:
    counts = Counter(f"{s.status} {s.code or '-'}" for s in samples)
    return ", ".join(f"{key}: {n}" for key, n in sorted(counts.items())) or "none"


def _credential_guarantees(result: SuiteResult) -> list[Guarantee]:
    credentials = result.credentials
    if credentials is None:
        return []
    guarantees = []
    for name, guessing in (
        ("the admin login", credentials.admin),
        ("the token endpoint", credentials.token),
    ):
        guarantees.append(
            Guarantee(
                f"Password guessing on {name} stops at the login budget",
                guessing.checked <= credentials.login_limit
                and guessing.right == 429
                and bool(guessing.retry_after),
                f"{guessing.checked} of {len(guessing.wrong)} wrong passwords "
                f"checked (limit {credentials.login_limit}); the right one then: "
                f"{guessing.right}, Retry-After {guessing.retry_after or '-'}",
            )
        )
    refused = credentials.bad_tokens.get("429", 0)
    sent = sum(credentials.bad_tokens.values())
    guarantees.append(
        Guarantee(
            "Failed token authentication spends the anonymous budget",
            credentials.bad_tokens.get("401", 0) <= credentials.anon_limit
            and refused == sent - credentials.anon_limit,
            f"{', '.join(f'{k}: {v}' for k, v in sorted(credentials.bad_tokens.items()))}"
            f" of {sent} bad tokens (limit {credentials.anon_limit})",
        )
    )
    return guarantees


def untrusted_phase(stack: Stack, limit: int) -> identity.Identity:
    """Restart with no proxy trusted, spend the budget, then forge ``X-Forwarded-For``.

    Args:
        stack: The running project.
        limit: The anonymous budget, per hour, already in the environment.

    Returns:
        What a second client and the forged requests got.
    """
    stack.stop_app()
    stack.environment.update(
        DJANGO_NUM_PROXIES="0",
        DJANGO_CACHE_KEY_PREFIX=f"{stack.key_prefix}-untrusted",
    )
    stack.start_app()
    for _ in range(limit):
        identity.get(stack, THROTTLED)
    spoofed = identity.spoofed_burst(stack, THROTTLED, 20)
    result = identity.check(stack, THROTTLED, proxies=0)
    result.spoofed_allowed = spoofed
    return result


def judge(result: SuiteResult) -> list[Guarantee]:
    """Return each guarantee with its verdict.

    Args:
        result: The run.

    Returns:
        The guarantees.
    """
    options = result.options
    steady = result.steady()
    steady_failures = [s for s in steady if s.failed]
    guarantees = [
        Guarantee(
            "No 5xx and no lost request outside the fault windows",
            bool(steady) and not steady_failures,
            f"{len(steady_failures)} of {len(steady)} requests failed",
        )
    ]
    for fault in result.faults:
        seconds = fault.recovery_seconds
        guarantees.append(
            Guarantee(
                f"Health back to 200 after {fault.name} is lifted",
                seconds is not None,
                "never within the limit"
                if seconds is None
                else f"after {seconds:.2f} s (limit {options.recover_limit:g} s)",
            )
        )
        # A check already running when the fault began may still end well.
        during = [p for p in fault.during if p.at >= FAULT_ONSET]
        unhealthy = [p for p in during if p.status == 503]
        slowest = max((p.latency for p in during), default=0.0)
        guarantees.append(
            Guarantee(
                f"Health answers 503 within 1 s during {fault.name}",
                bool(during) and len(unhealthy) == len(during) and slowest < 1.0,
                f"{len(unhealthy)} of {len(during)} answers were 503; "
                f"slowest {slowest * 1000:.0f} ms",
            )
        )
    if result.throttle is not None:
        throttle = result.throttle
        cpu = sorted(throttle.worker_cpu.values())
        guarantees.append(
            Guarantee(
                "The anonymous budget holds across both workers",
                0 < throttle.allowed <= throttle.limit
                and throttle.spoofed_allowed == 0
                and len(cpu) == options.workers
                and cpu[0] > 0,
                f"{throttle.allowed} of {throttle.sent} allowed (limit "
                f"{throttle.limit}); {throttle.spoofed_allowed} of "
                f"{throttle.spoofed_sent} with a new X-Forwarded-For each; worker "
                f"CPU {cpu} s",
            )
        )
        guarantees.append(
            Guarantee(
                "A throttled answer is the envelope with Retry-After",
                throttle.envelope and bool(throttle.retry_after),
                f"Retry-After {throttle.retry_after}",
            )
        )
    if result.fuzz is not None:
        guarantees.append(
            Guarantee(
                "Schemathesis finds no server error",
                result.fuzz.server_errors == 0
                and not result.fuzz.errors
                and result.fuzz.operations > 0,
                f"{result.fuzz.server_errors} server errors, "
                f"{len(result.fuzz.errors)} run errors, "
                f"{result.fuzz.generated} test cases",
            )
        )
    guarantees += _database_fault_guarantees(result)
    bound = HEALTH_RECORDS_PER_FAULT * len(result.faults) * options.workers
    guarantees.append(
        Guarantee(
            "Health failures are logged when they change, not on every probe",
            result.fault_log.health_errors == 0
            and result.fault_log.health_records <= bound,
            f"{result.fault_log.health_errors} Service Unavailable records for "
            f"{HEALTH_PATH}; {result.fault_log.health_records} health check records "
            f"(at most {bound})",
        )
    )
    guarantees += _credential_guarantees(result)
    refused = [r for r in result.configuration if r.passed]
    guarantees.append(
        Guarantee(
            "Misleading configuration is refused when the settings load",
            bool(result.configuration) and len(refused) == len(result.configuration),
            f"{len(refused)} of {len(result.configuration)} cases",
        )
    )
    later = [
        *(attacks.verdicts(result.bounds) if result.bounds is not None else []),
        *(
            identity.verdicts(result.clients, result.untrusted)
            if result.clients is not None
            else []
        ),
    ]
    guarantees += [Guarantee(name, kept, detail) for name, kept, detail in later]
    failed_cases = [o for o in result.tour if not o.passed]
    guarantees.append(
        Guarantee(
            "Every bad input is answered with the envelope and the right 4xx",
            bool(result.tour) and not failed_cases,
            f"{len(result.tour) - len(failed_cases)} of {len(result.tour)} cases",
        )
    )
    guarantees.append(
        Guarantee(
            "Nothing is logged as a 5xx during the bad input tour",
            not result.tour_server_errors,
            f"{len(result.tour_server_errors)} records",
        )
    )
    return guarantees


def _delete_keys(redis_url: str, prefix: str) -> None:
    """Delete the run's own keys from the shared Redis."""
    client = redis.Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        for start in range(0, len(keys), 500):
            client.delete(*keys[start : start + 500])
    finally:
        client.close()


async def run(options: Options, workdir: Path | None = None) -> SuiteResult:
    """Run every phase and judge the guarantees.

    Args:
        options: Durations and sizes.
        workdir: Where the stack's files go; a temporary directory when ``None``.

    Returns:
        The result, for the report.

    Raises:
        UnavailableError: When the services, nginx or openssl are missing.
    """
    backends = find_backends()
    database_url, redis_url = backends.database_url, backends.redis_url
    result = SuiteResult(options, started_at=time.strftime("%Y-%m-%d %H:%M:%S %Z"))
    attacks.raise_file_limit()  # before the servers start: they inherit it
    with contextlib.ExitStack() as cleanup:
        directory = workdir or Path(
            cleanup.enter_context(tempfile.TemporaryDirectory(prefix="reliability-"))
        )
        directory.mkdir(parents=True, exist_ok=True)
        # The application's own temporary directory, where bodies would be spooled.
        temp_dir = directory / "app-tmp"
        temp_dir.mkdir(exist_ok=True)
        url = cleanup.enter_context(scratch_database(database_url))
        proxies = ProxyProcess(
            {
                "postgres": _address(database_url, 5432),
                "redis": _address(redis_url, 6379),
            }
        )
        cleanup.callback(proxies.close)
        stack = Stack(
            database_url=_proxied(url, proxies.ports["postgres"]),
            redis_url=_proxied(redis_url, proxies.ports["redis"]),
            workers=options.workers,
            environment={
                "DJANGO_THROTTLE_ANON_RATE": UNLIMITED,
                "DJANGO_THROTTLE_USER_RATE": UNLIMITED,
                # Schemathesis and the tour send wrong passwords by the hundred; the
                # budgets are tested in phases of their own.
                "DJANGO_THROTTLE_LOGIN_RATE": UNLIMITED,
                "TMPDIR": str(temp_dir),
            },
            name="reliability",
        )
        cleanup.callback(lambda: _delete_keys(redis_url, stack.key_prefix))
        cleanup.callback(stack.stop)
        stack.start(directory)
        token = author_with_articles(stack)
        result.rss_start = stack.worker_rss()
        lines_before = len(stack.log_records())
        await load_and_faults(stack, proxies, token, result)
        result.rss_end = stack.worker_rss()
        time.sleep(0.5)  # the last records are written after the answers
        result.fault_log = FaultLog.read(stack.log_records()[lines_before:])
        schema = directory / "schema.yaml"
        stack.manage("spectacular", "--file", str(schema))
        result.fuzz = run_schemathesis(
            schema,
            base_url=stack.https,
            token=token,
            max_examples=options.fuzz_examples,
            max_seconds=options.fuzz_seconds,
        )
        lines_before = len(stack.log_records())
        result.tour = run_tour(stack, token)
        time.sleep(0.5)  # the last access records are written after the answers
        result.tour_server_errors = server_errors_logged(
            stack.log_records()[lines_before:]
        )
        result.bounds = attacks.run_attacks(stack, temp_dir)
        result.throttle = await throttle_phase(stack, options.throttle_limit)
        result.clients = identity.check(stack, THROTTLED, proxies=1)
        result.untrusted = untrusted_phase(stack, options.throttle_limit)
        result.credentials = await credentials_phase(
            stack, options, lambda: _delete_keys(redis_url, stack.key_prefix)
        )
        result.configuration = run_configuration_tour(stack)
        records = stack.log_records()
        for record in records:
            level = str(record.get("level"))
            result.log_levels[level] = result.log_levels.get(level, 0) + 1
    result.guarantees = judge(result)
    return result
