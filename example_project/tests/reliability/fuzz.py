"""Schemathesis against the example's OpenAPI schema, through nginx.

Every check runs; the suite fails on server errors (``ST101``) only, and reports
every other schema violation with its explanation.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SERVER_ERROR = "ST101"


@dataclass(frozen=True)
class Violation:
    """One kind of failure schemathesis found.

    Attributes:
        code: Its code, e.g. ``ST108``.
        title: What it means.
        count: How many unique failures of this kind.
        operations: Where.
    """

    code: str
    title: str
    count: int
    operations: tuple[str, ...]


@dataclass
class FuzzResult:
    """What schemathesis reported.

    Attributes:
        command: The command line (without the token).
        seconds: How long it ran.
        operations: API operations tested.
        generated: Test cases generated.
        violations: Failures by kind.
        errors: Errors of the run itself (network, schema loading).
        exit_code: Schemathesis' exit code.
        output: The tail of its console output.
    """

    command: str = ""
    seconds: float = 0.0
    operations: int = 0
    generated: int = 0
    violations: list[Violation] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    exit_code: int = 0
    output: str = ""

    @property
    def server_errors(self) -> int:
        """Unique server errors (``ST101``)."""
        return sum(v.count for v in self.violations if v.code == SERVER_ERROR)


def run_schemathesis(
    schema: Path,
    *,
    base_url: str,
    token: str,
    max_examples: int,
    max_seconds: int,
) -> FuzzResult:
    """Run ``schemathesis run`` with every check and read its JSON report.

    Args:
        schema: The OpenAPI schema's file; the reports are written beside it, in
            ``schemathesis/``.
        base_url: Where the API is served.
        token: An API token, sent with every request.
        max_examples: Test cases per operation and phase.
        max_seconds: Time budget of the run.

    Returns:
        The findings.
    """
    workdir = schema.parent / "schemathesis"
    report = workdir / "schemathesis.json"
    arguments = [
        "run",
        str(schema),
        "--url",
        base_url,
        "--tls-verify",
        "false",
        "--checks",
        "all",
        "--max-examples",
        str(max_examples),
        "--max-time",
        str(max_seconds),
        # The same test cases on every run (and no example database), so two runs'
        # findings compare.
        "--generation-deterministic",
        "--workers",
        "2",
        "--request-timeout",
        "10",
        "--no-color",
        "--report",
        "json,junit",
        "--report-dir",
        str(workdir),
        "--report-json-path",
        str(report),
    ]
    schemathesis = Path(sys.executable).with_name("schemathesis")
    finished = subprocess.run(
        [str(schemathesis), *arguments, "--header", f"Authorization: Token {token}"],
        capture_output=True,
        text=True,
        timeout=max_seconds + 120,
        check=False,
    )
    result = FuzzResult(
        command=" ".join(["schemathesis", *arguments, "--header", "Authorization: …"]),
        exit_code=finished.returncode,
        output="\n".join(finished.stdout.splitlines()[-40:]),
    )
    if not report.exists():
        result.errors.append(f"no report; stderr: {finished.stderr[-2000:]}")
        return result
    data: dict[str, Any] = json.loads(report.read_text())
    result.seconds = float(data.get("running_time", 0.0))
    result.operations = int(data["operations"]["tested"])
    result.generated = int(data["test_cases"]["generated"])
    result.violations = [
        Violation(
            str(failure["code"]),
            str(failure["title"]),
            int(failure["count"]),
            tuple(failure["operations"]),
        )
        for failure in data.get("failures", [])
    ]
    result.errors = [json.dumps(error)[:500] for error in data.get("errors", [])]
    return result
