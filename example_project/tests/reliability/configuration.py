"""Configuration that would misbehave once deployed, refused when the settings load.

Each case runs ``manage.py check`` with the application's production environment and
one variable changed. A value that Django would accept and then misuse (a host
pattern that matches nothing, a URL whose password would be read as a host name)
must stop the command, name the variable, say how to fix it, and never print any
part of the value.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tests.e2e.stack import PROJECT_DIR

if TYPE_CHECKING:
    from tests.e2e.stack import Stack

SECRET_PART = "Secr3tPart"


@dataclass(frozen=True)
class Misconfiguration:
    """One bad value and what the refusal must say.

    Attributes:
        name: What is wrong.
        variable: The environment variable set.
        value: Its value.
        fix: Words the message must contain.
        hidden: Parts of the value the output must not contain.
    """

    name: str
    variable: str
    value: str
    fix: str
    hidden: tuple[str, ...] = ()


@dataclass(frozen=True)
class Refusal:
    """How ``manage.py check`` answered one case.

    Attributes:
        case: The case.
        returncode: The command's exit status.
        passed: Whether it stopped, named the variable, gave the fix and hid the value.
        note: Why it did not pass.
    """

    case: Misconfiguration
    returncode: int
    passed: bool
    note: str = ""


def cases(database_url: str) -> list[Misconfiguration]:
    """Return the cases.

    Args:
        database_url: The application's database URL, whose host and port the bad
            URLs keep.

    Returns:
        The cases, in order.
    """
    server = database_url.rpartition("@")[2].partition("/")[0]
    return [
        Misconfiguration(
            "host pattern written as a shell wildcard",
            "DJANGO_ALLOWED_HOSTS",
            "*.example.com",
            ".example.com",
        ),
        Misconfiguration(
            "Redis URL with an unencoded @ and # in the password",
            "REDIS_URL",
            f"redis://:a@{SECRET_PART}#c@127.0.0.1:6379/0",
            "percent-encode",
            (SECRET_PART,),
        ),
        Misconfiguration(
            "database URL with an unencoded @ and # in the password",
            "DATABASE_URL",
            f"postgres://postgres:p@{SECRET_PART}#w@{server}/strict",
            "percent-encode",
            (SECRET_PART,),
        ),
        Misconfiguration(
            "PostgreSQL URL without a database name",
            "DATABASE_URL",
            f"postgres://postgres@{server}",
            "database name",
        ),
    ]


def refuse(stack: Stack, case: Misconfiguration) -> Refusal:
    """Run ``manage.py check`` with the case's value and judge the answer.

    Args:
        stack: The project (only its environment is used).
        case: The case.

    Returns:
        The outcome.
    """
    env = {**stack.app_env(), case.variable: case.value}
    done = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = done.stdout + done.stderr
    notes = []
    if done.returncode == 0:
        notes.append("accepted")
    if case.variable not in output:
        notes.append(f"{case.variable} not named")
    if case.fix not in output:
        notes.append(f"no {case.fix!r} in the message")
    notes += [f"prints {part!r}" for part in case.hidden if part in output]
    return Refusal(case, done.returncode, passed=not notes, note="; ".join(notes))


def run_configuration_tour(stack: Stack) -> list[Refusal]:
    """Run every case.

    Args:
        stack: The project.

    Returns:
        The outcomes, in order.
    """
    return [refuse(stack, case) for case in cases(stack.database_url)]
