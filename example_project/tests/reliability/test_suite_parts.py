"""The reliability suite's own parts: the figures and the verdicts.

The fault proxies are django_strict_core.testing's, tested with the library.
"""

from __future__ import annotations

import math
from collections import Counter

from tests.reliability.attacks import (
    Answer,
    AttackResult,
    _answer,
    verdicts as attack_verdicts,
)
from tests.reliability.badinput import _envelope_code, server_errors_logged
from tests.reliability.credentials import Guessing
from tests.reliability.identity import (
    OTHER_CLIENT,
    Identity,
    verdicts as identity_verdicts,
)
from tests.reliability.load import Sample, _first_code, percentile, summarize
from tests.reliability.suite import FaultLog, Window, _proxied


def test_percentiles_are_nearest_rank() -> None:
    values = [float(n) for n in range(1, 101)]

    assert percentile(values, 0.5) == 50.0
    assert percentile(values, 0.99) == 99.0
    assert math.isnan(percentile([], 0.5))


def test_a_summary_counts_failures_and_ignores_lost_requests_in_latency() -> None:
    samples = [
        Sample("articles", 0.0, 0.1, 200),
        Sample("articles", 0.1, 0.3, 503),
        Sample("articles", 0.2, 10.0, 0, "timeout"),
    ]

    summary = summarize(samples, seconds=2.0)

    assert summary.outcomes == Counter({"200": 1, "503": 1, "timeout": 1})
    assert summary.failures == 2
    assert summary.p99 == 0.3
    assert summary.per_second == 1.5


def test_a_window_holds_the_requests_in_flight_during_it() -> None:
    window = Window("redis hang", start=10.0, end=20.0)

    assert window.overlaps(Sample("health", 9.0, 1.5, 200))
    assert window.overlaps(Sample("health", 19.9, 0.1, 200))
    assert not window.overlaps(Sample("health", 8.0, 1.0, 200))
    assert not window.overlaps(Sample("health", 20.0, 0.1, 200))


def test_only_the_exact_envelope_counts() -> None:
    envelope = b'{"type": "client_error", "errors": [{"code": "x", "detail": "d", "attr": null}]}'

    assert _envelope_code(envelope) == "x"
    assert _envelope_code(b"<html>413</html>") is None
    assert _envelope_code(b'{"type": "client_error", "errors": []}') is None
    assert _envelope_code(b'{"detail": "Not found."}') is None


def test_server_errors_are_found_in_access_and_request_records() -> None:
    records = [
        {"logger": "django_strict_core.access", "status": 200},
        {"logger": "django_strict_core.access", "status": 500},
        {"logger": "django.request", "status_code": 503},
        {"logger": "django.security.DisallowedHost", "status_code": 400},
    ]

    assert server_errors_logged(records) == records[1:3]


def test_backend_urls_are_pointed_at_the_proxy() -> None:
    assert _proxied("postgres://postgres:pw@db.example:5432/app", 4242) == (
        "postgres://postgres:pw@127.0.0.1:4242/app"
    )
    assert _proxied("redis://127.0.0.1:6379/0", 4243) == "redis://127.0.0.1:4243/0"


def test_the_fault_log_counts_health_errors_apart_from_other_server_errors() -> None:
    records: list[dict[str, object]] = [
        {
            "logger": "django.request",
            "level": "ERROR",
            "message": "Service Unavailable: /api/health/",
            "status_code": 503,
        },
        {
            "logger": "django.request",
            "level": "ERROR",
            "message": "Service Unavailable: /api/articles/ (the database ...)",
            "status_code": 503,
            "request_id": "a",
            "exception": "Traceback ...",
        },
        {
            "logger": "django.request",
            "level": "ERROR",
            "message": "Service Unavailable: /api/articles/",
            "status_code": 503,
            "request_id": "b",
        },
        {"logger": "django.request", "level": "WARNING", "status_code": 404},
        {"logger": "django_strict_core.healthcheck", "level": "ERROR"},
        {"logger": "django_strict_core.healthcheck", "level": "DEBUG"},
    ]

    log = FaultLog.read(records)

    assert (log.health_errors, log.health_records) == (1, 1)
    assert log.server_errors == Counter({"a": 1, "b": 1})
    assert log.without_cause == 1


def test_a_guess_refused_with_429_was_not_checked() -> None:
    assert Guessing(wrong=[200, 200, 429, 429], right=429).checked == 2


def test_the_first_code_of_a_5xx_body_is_read_when_it_is_an_envelope() -> None:
    envelope = b'{"type": "server_error", "errors": [{"code": "service_unavailable"}]}'

    assert _first_code(envelope) == "service_unavailable"
    assert _first_code(b"<html>502</html>") == ""
    assert _first_code(b'{"errors": []}') == ""


def test_an_attack_answer_is_read_from_the_raw_response() -> None:
    raw = (
        b"HTTP/1.1 413 Request Entity Too Large\r\ncontent-type: application/json\r\n\r\n"
        b'{"type": "client_error", "errors": [{"code": "request_too_large", '
        b'"detail": "Request body too large.", "attr": null}]}'
    )

    assert _answer(raw, 0.5) == Answer(413, "request_too_large", 0.5)
    assert _answer(b"HTTP/1.1 400 Bad Request\r\n\r\nBad Request", 0.1).code is None
    assert _answer(b"", 3.0) == Answer(0, None, 3.0)


def _bounded_run(**changes: object) -> AttackResult:
    result = AttackResult(
        headers=Answer(431, "request_header_fields_too_large", 0.1),
        growth_kib={1: 0, 2: 2048},
        bodies={
            "Content-Length": Answer(413, "request_too_large", 0.1),
            "chunked": Answer(413, "request_too_large", 0.1),
        },
        malformed=Answer(400, "bad_request", 0.0),
        slow={
            "head": Answer(408, "request_timeout", 10.0),
            "body": Answer(408, "request_timeout", 30.0),
        },
        opened=3000,
        held=1997,
        connections={1: 998, 2: 1000},
    )
    for name, value in changes.items():
        setattr(result, name, value)
    return result


def test_the_bounds_hold_only_when_every_figure_is_within_them() -> None:
    assert all(kept for _, kept, _ in attack_verdicts(_bounded_run()))

    broken = {
        "grown": _bounded_run(growth_kib={1: 400 * 1024}),
        "stored": _bounded_run(stored=146 * 2**20),
        "plain 400": _bounded_run(malformed=Answer(400, None, 0.0)),
        "held open": _bounded_run(slow={"head": Answer(0, None, 40.0)}),
        "uncapped": _bounded_run(held=3000, connections={1: 3000}),
        "never closed": _bounded_run(held_after=1000),
    }
    for name, result in broken.items():
        assert not all(kept for _, kept, _ in attack_verdicts(result)), name


def test_client_identity_holds_when_each_client_is_itself() -> None:
    trusted = Identity(1, 200, {"127.0.0.1": "127.0.0.1", OTHER_CLIENT: OTHER_CLIENT})
    untrusted = Identity(
        0, 429, {"127.0.0.1": "127.0.0.1", OTHER_CLIENT: "127.0.0.1"}, 0
    )

    assert all(kept for _, kept, _ in identity_verdicts(trusted, untrusted))
    shared = Identity(1, 429, {"127.0.0.1": "127.0.0.1", OTHER_CLIENT: "127.0.0.1"})
    forged = Identity(0, 429, untrusted.logged, spoofed_allowed=20)
    assert not identity_verdicts(shared, None)[0][1]
    assert not identity_verdicts(trusted, forged)[1][1]
