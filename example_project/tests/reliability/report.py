"""The markdown report of a reliability run: every figure, then the verdicts."""

from __future__ import annotations

import os
import platform
from collections import Counter
from importlib.metadata import version
from typing import TYPE_CHECKING

from tests.reliability.load import summarize

if TYPE_CHECKING:
    from tests.reliability.faults import FaultResult
    from tests.reliability.load import Sample
    from tests.reliability.suite import SuiteResult


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def _outcomes(counter: Counter[str]) -> str:
    return ", ".join(f"{key}: {count}" for key, count in sorted(counter.items())) or "-"


def _load_table(samples: list[Sample], seconds: float) -> list[str]:
    lines = [
        "| endpoint | requests | req/s | answers | p50 ms | p99 ms |",
        "|---|---:|---:|---|---:|---:|",
    ]
    for name in ("health", "articles"):
        mine = [s for s in samples if s.endpoint == name]
        summary = summarize(mine, seconds)
        lines.append(
            f"| {name} | {summary.requests} | {summary.per_second:.0f} | "
            f"{_outcomes(summary.outcomes)} | {_ms(summary.p50)} | {_ms(summary.p99)} |"
        )
    return lines


def _fault_rows(result: SuiteResult) -> list[str]:
    lines = [
        "| fault | held s | health answers during the fault | slowest health "
        "answer ms | back to 200 after lift s | articles requests in the window | "
        "articles lost (no answer or 5xx) | health requests of the load without "
        "an answer |",
        "|---|---:|---|---:|---:|---:|---|---:|",
    ]
    for fault, window in zip(result.faults, result.windows, strict=True):
        during = fault.during
        answers = Counter(f"{p.status} {p.body}" for p in during)
        slowest = max((p.latency for p in during), default=0.0)
        in_window = [s for s in result.samples if window.overlaps(s)]
        articles = [s for s in in_window if s.endpoint == "articles"]
        lost = Counter(s.outcome for s in articles if s.failed)
        # A 503 is the health endpoint's right answer during a fault.
        health_lost = sum(1 for s in in_window if s.endpoint == "health" and s.error)
        recovery = fault.recovery_seconds
        lines.append(
            f"| {fault.name} | {fault.lifted - fault.started:.1f} | "
            f"{'<br>'.join(f'{n} x `{a}`' for a, n in answers.most_common())} | "
            f"{_ms(slowest)} | "
            f"{'never' if recovery is None else f'{recovery:.2f}'} | "
            f"{len(articles)} | {sum(lost.values())} ({_outcomes(lost)}) | "
            f"{health_lost} |"
        )
    return lines


def _steady_failures(result: SuiteResult) -> list[str]:
    failed = [s for s in result.steady() if s.failed]
    if not failed:
        return []
    lines = [
        "| endpoint | sent at s | answer | took ms |",
        "|---|---:|---|---:|",
    ]
    lines += [
        f"| {s.endpoint} | {s.sent - result.load_started:.2f} | {s.outcome} | "
        f"{_ms(s.latency)} |"
        for s in failed[:20]
    ]
    windows = ", ".join(
        f"{w.name} {w.start - result.load_started:.2f}-{w.end - result.load_started:.2f}"
        for w in result.windows
    )
    return [*lines, "", f"Fault windows (s): {windows}.", ""]


def _timeline(fault: FaultResult) -> str:
    held = fault.lifted - fault.started
    steps = [
        f"{p.at:.2f}s→{p.status or 'none'}" + ("" if p.at < held else "*")
        for p in fault.probes
    ]
    return f"- {fault.name}: " + " ".join(steps)


def _fault_log_lines(result: SuiteResult) -> list[str]:
    log = result.fault_log
    repeated = sum(1 for n in log.server_errors.values() if n > 1)
    return [
        "## What the faults left in the log",
        "",
        f"- `django.request` records of an unhealthy health answer: "
        f"{log.health_errors}",
        f"- health check records at WARNING or above: {log.health_records}",
        f"- `django.request` records of other 5xx answers: "
        f"{sum(log.server_errors.values())} ({repeated} request ids logged more "
        f"than once, {log.without_cause} without the exception)",
        "",
    ]


def _credential_lines(result: SuiteResult) -> list[str]:
    credentials = result.credentials
    if credentials is None:
        return []
    rows = [
        f"| {name} | {_outcomes(Counter(str(s) for s in guessing.wrong))} | "
        f"{guessing.right} | {guessing.retry_after or '-'} |"
        for name, guessing in (
            ("admin login form", credentials.admin),
            ("`POST /api/auth/token/`", credentials.token),
        )
    ]
    return [
        "## Guessing credentials",
        "",
        f"Budgets per client address: {credentials.login_limit} failed password "
        f"checks and {credentials.anon_limit} anonymous requests per hour, both "
        "at zero before each attack.",
        "",
        "| target | wrong passwords answered | right password answered | Retry-After |",
        "|---|---|---:|---:|",
        *rows,
        "",
        f"`GET /api/users/me/` with {sum(credentials.bad_tokens.values())} made-up "
        f"tokens: {_outcomes(credentials.bad_tokens)}.",
        "",
    ]


def _bounds_section(result: SuiteResult) -> list[str]:
    """The attacks straight to gunicorn, and client identity through nginx."""
    lines: list[str] = []
    bounds = result.bounds
    if bounds is not None:
        growth = ", ".join(
            f"{pid}: {kib / 1024:.1f} MiB"
            for pid, kib in sorted(bounds.growth_kib.items())
        )
        rows = [
            (
                "8 header values of 40 MiB",
                bounds.headers,
                f"peak memory growth {growth}",
            ),
            *(
                (
                    f"200 MiB body ({name})",
                    answer,
                    f"{bounds.stored} bytes stored in TMPDIR",
                )
                for name, answer in bounds.bodies.items()
            ),
            ("malformed request under /api/", bounds.malformed, ""),
            *(
                (f"partial {name}", answer, f"held {answer.seconds:.1f} s")
                for name, answer in bounds.slow.items()
            ),
        ]
        lines += [
            "## Server bounds (straight to gunicorn)",
            "",
            "| attack | answered | code | cost |",
            "|---|---|---|---|",
            *(
                f"| {name} | {a.status if a else 0} | {(a.code if a else None) or '-'} | {cost} |"
                for name, a, cost in rows
            ),
            f"| {bounds.opened} idle connections | - | - | {bounds.held} held (cap "
            f"{bounds.cap} per worker, connections per worker "
            f"{sorted(bounds.connections.values())}), {bounds.held_after} after the head "
            "timeout |",
            "",
        ]
    for title, clients in (
        ("example's `DJANGO_NUM_PROXIES=1`", result.clients),
        ("`DJANGO_NUM_PROXIES=0`", result.untrusted),
    ):
        if clients is None:
            continue
        lines += [
            f"## Client identity through nginx, {title}",
            "",
            f"Once 127.0.0.1 spent its budget, 127.0.0.2 got {clients.other_status}. "
            f"The access log's `client_ip`: {clients.logged}."
            + (
                f" Forged `X-Forwarded-For` straight to gunicorn: "
                f"{clients.spoofed_allowed} of 20 allowed."
                if clients.proxies == 0
                else ""
            ),
            "",
        ]
    return lines


def render(result: SuiteResult, command: str) -> str:
    """Return the report.

    Args:
        result: The run.
        command: The command line that produced it.

    Returns:
        Markdown.
    """
    options = result.options
    verdict = "all guarantees held" if result.kept else "A GUARANTEE BROKE"
    lines = [
        "# Reliability report",
        "",
        f"Run {result.started_at}: **{verdict}**.",
        "",
        f"Command: `{command}`",
        "",
        f"Machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"Django {version('django')}, DRF {version('djangorestframework')}, "
        f"django-strict-core {version('django-strict-core')}, gunicorn "
        f"{version('gunicorn')} with {options.workers} uvicorn workers behind nginx "
        "(HTTPS), PostgreSQL and Redis through the suite's TCP proxies.",
        "",
        "## Guarantees",
        "",
        "| guarantee | held | figures |",
        "|---|---|---|",
        *(
            f"| {g.name} | {'yes' if g.kept else '**NO**'} | {g.detail} |"
            for g in result.guarantees
        ),
        "",
        "## Load",
        "",
        f"{options.clients} concurrent clients, each alternating `GET /api/health/` "
        f"and `GET /api/articles/?page=1..3` (token-authenticated, 20 per page), "
        f"{options.request_timeout:g} s timeout per request.",
        "",
        f"### Healthy system ({options.baseline:g} s)",
        "",
    ]
    baseline = [s for s in result.samples if s.done <= result.baseline_end]
    lines += _load_table(baseline, result.baseline_end - result.load_started)
    steady = result.steady()
    lines += [
        "",
        f"### Whole run ({result.load_end - result.load_started:.0f} s, faults "
        "included)",
        "",
        *_load_table(result.samples, result.load_end - result.load_started),
        "",
        f"Outside the fault windows: {len(steady)} requests, "
        f"{sum(1 for s in steady if s.failed)} failed.",
        "",
        *_steady_failures(result),
        "### Worker memory (RSS)",
        "",
        "| worker pid | at start MiB | at end MiB |",
        "|---:|---:|---:|",
        *(
            f"| {pid} | {kib / 1024:.1f} | {result.rss_end.get(pid, 0) / 1024:.1f} |"
            for pid, kib in sorted(result.rss_start.items())
        ),
        "",
        "## Faults",
        "",
        f"Each fault held {options.hold:g} s while the load ran; the health endpoint "
        "was asked every 0.25 s over plain HTTP on a new connection each time, as a "
        "container probe does. Health is back when 8 answers in a row are 200 (every "
        "worker keeps its own view of the backends). A request counts in a fault's "
        f"window when it was in flight between the fault and {options.grace:g} s "
        "after health was back to 200.",
        "",
        *_fault_rows(result),
        "",
        "Health answers per probe, seconds after the fault began (`*`: after the "
        "lift):",
        "",
        *(_timeline(fault) for fault in result.faults),
        "",
    ]
    if result.throttle is not None:
        throttle = result.throttle
        lines += [
            "## Throttling across workers",
            "",
            f"Anonymous budget {throttle.limit}/hour, counted in Redis. Bursts of "
            "concurrent requests, each on a new connection (32 at a time):",
            "",
            "| burst | requests | answers |",
            "|---|---:|---|",
            f"| same client | {throttle.sent} | {_outcomes(throttle.outcomes)} |",
            f"| new `X-Forwarded-For` on every request | {throttle.spoofed_sent} | "
            f"{_outcomes(throttle.spoofed_outcomes)} |",
            "",
            f"CPU seconds per worker during the bursts: {throttle.worker_cpu}. "
            f"A throttled answer: `Retry-After: {throttle.retry_after}`, envelope: "
            f"{'yes' if throttle.envelope else 'no'}.",
            "",
        ]
    lines += _fault_log_lines(result)
    lines += _credential_lines(result)
    lines += _bounds_section(result)
    if result.fuzz is not None:
        fuzz = result.fuzz
        lines += [
            "## Schemathesis",
            "",
            f"`{fuzz.command}`",
            "",
            f"{fuzz.operations} operations, {fuzz.generated} test cases in "
            f"{fuzz.seconds:.0f} s; server errors: **{fuzz.server_errors}**; run "
            f"errors: {len(fuzz.errors)}.",
            "",
            "| code | failure | unique | operations |",
            "|---|---|---:|---|",
            *(
                f"| {v.code} | {v.title} | {v.count} | {', '.join(v.operations)} |"
                for v in fuzz.violations
            ),
            "",
            *(f"- run error: `{error}`" for error in fuzz.errors),
            "",
        ]
    lines += [
        "## Bad input tour",
        "",
        "| input | via | expected | answered | code | ok |",
        "|---|---|---|---|---|---|",
        *(
            f"| {o.case.name} | {o.case.via} | {o.case.status} "
            f"{o.case.code or '(normal answer)'} | {o.status} | {o.code or '-'} | "
            f"{'yes' if o.passed else '**NO**: ' + o.note.replace('|', '/')} |"
            for o in result.tour
        ),
        "",
        f"Log records telling of a 5xx during the tour: "
        f"{len(result.tour_server_errors)}.",
        "",
        "## Configuration tour",
        "",
        "`manage.py check` with the production environment and one variable changed:",
        "",
        "| value | variable | exit status | ok |",
        "|---|---|---:|---|",
        *(
            f"| {r.case.name} | `{r.case.variable}` | {r.returncode} | "
            f"{'yes' if r.passed else '**NO**: ' + r.note.replace('|', '/')} |"
            for r in result.configuration
        ),
        "",
        "## Log",
        "",
        "Records of the whole run by level: "
        + ", ".join(f"{k}: {v}" for k, v in sorted(result.log_levels.items()))
        + ".",
        "",
    ]
    return "\n".join(lines)
