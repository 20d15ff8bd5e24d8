"""Run the reliability suite: ``python -m tests.reliability [options]``.

Writes the markdown report (``--report``, default ``reliability-report.md``) and exits
with 1 when a guarantee broke. ``--quick`` is the bounded form CI runs. Without
PostgreSQL, Redis, nginx or openssl (see :mod:`tests.services`) it says what is
missing and exits with 0, or with 1 when ``STRICT_CORE_REQUIRE_SERVICES=1``.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import shlex
import sys
from pathlib import Path

from tests.reliability.report import render
from tests.reliability.suite import Options, run
from tests.services import REQUIRE_SERVICES, UnavailableError

QUICK = Options(
    baseline=5.0,
    hold=3.0,
    settle=2.0,
    recover_limit=15.0,
    fuzz_examples=10,
    fuzz_seconds=60,
)


def parse(argv: list[str]) -> tuple[Options, argparse.Namespace]:
    """Read the command line.

    Args:
        argv: The arguments.

    Returns:
        The options and the parsed arguments.
    """
    parser = argparse.ArgumentParser(prog="python -m tests.reliability")
    parser.add_argument("--quick", action="store_true", help="the short CI run")
    parser.add_argument("--duration", type=float, help="seconds of healthy load")
    parser.add_argument("--hold", type=float, help="seconds each fault is held")
    parser.add_argument("--clients", type=int, help="concurrent clients")
    parser.add_argument("--fuzz-examples", type=int, help="schemathesis cases")
    parser.add_argument("--fuzz-seconds", type=int, help="schemathesis time budget")
    parser.add_argument("--throttle-limit", type=int, help="anonymous budget")
    parser.add_argument(
        "--report", type=Path, default=Path("reliability-report.md"), help="output"
    )
    parser.add_argument("--workdir", type=Path, help="keep the stack's files here")
    args = parser.parse_args(argv)
    options = QUICK if args.quick else Options()
    overrides = {
        "baseline": args.duration,
        "hold": args.hold,
        "clients": args.clients,
        "fuzz_examples": args.fuzz_examples,
        "fuzz_seconds": args.fuzz_seconds,
        "throttle_limit": args.throttle_limit,
    }
    options = dataclasses.replace(
        options, **{key: value for key, value in overrides.items() if value is not None}
    )
    return options, args


def main(argv: list[str] | None = None) -> int:
    """Run the suite, write the report, and return the exit status.

    Args:
        argv: The arguments (``sys.argv[1:]`` when ``None``).

    Returns:
        0 when every guarantee held, or when the suite could not run and the
        services are not required; else 1.
    """
    arguments = sys.argv[1:] if argv is None else argv
    options, args = parse(arguments)
    try:
        result = asyncio.run(run(options, args.workdir))
    except UnavailableError as exc:
        if REQUIRE_SERVICES:
            sys.stderr.write(
                f"The reliability suite cannot run: {exc} "
                "(STRICT_CORE_REQUIRE_SERVICES=1)\n"
            )
            return 1
        sys.stdout.write(f"SKIPPED the reliability suite: {exc}\n")
        return 0
    command = shlex.join(["python", "-m", "tests.reliability", *arguments])
    report = render(result, command)
    args.report.write_text(report)
    sys.stdout.write(report + f"\nReport written to {args.report}\n")
    return 0 if result.kept else 1


if __name__ == "__main__":
    sys.exit(main())
