"""Make the project-wide fixtures of tests/conftest.py available to every app's tests.

pytest applies a conftest.py only to its own directory; the apps' tests live beside
their code, so the global fixtures are re-exported from the project root. The end of
a run sums up the skipped tests by reason.
"""

from __future__ import annotations

from collections import Counter

import pytest

from tests.conftest import (
    _fast_password_hashing,
    _isolated_cache,
    api_client,
    auth_client,
    user,
)

__all__ = [
    "_fast_password_hashing",
    "_isolated_cache",
    "api_client",
    "auth_client",
    "user",
]


# After the coverage report, so that it is the last thing before the totals.
@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say plainly how many tests were skipped, and why."""
    reasons = Counter(
        report.longrepr[2].removeprefix("Skipped: ")
        for report in terminalreporter.stats.get("skipped", [])
        if isinstance(report.longrepr, tuple)
    )
    if reasons:
        terminalreporter.write_sep("=", "skipped")
    for reason, count in reasons.items():
        terminalreporter.write_line(
            f"SKIPPED {count} {'test' if count == 1 else 'tests'}: {reason}",
            yellow=True,
            bold=True,
        )
