"""The check protocol, the failures a check raises, and the reasons a probe shows.

A check is anything with a ``run()`` method, synchronous or asynchronous, that returns
when the service is healthy and raises when it is not. The answer shows a short
*reason* per failed check (``error: timeout``, ``error: unavailable``, ...); the
exception itself goes to the log only.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final, Protocol, runtime_checkable

import redis.exceptions
from django.core.exceptions import ImproperlyConfigured
from django.db import Error as DatabaseError

if TYPE_CHECKING:
    from collections.abc import Awaitable

TIMEOUT: Final = "timeout"
UNAVAILABLE: Final = "unavailable"
UNEXPECTED_RESULT: Final = "unexpected result"
MISCONFIGURED: Final = "misconfigured"
FAILED: Final = "failed"

# A reason is shown to anyone who can reach the probe, so it must be a short phrase
# chosen in code, never text that could carry a host, a URL or a credential.
_SAFE_REASON = re.compile(r"^[a-z][a-z0-9 _-]{0,39}$")

_UNAVAILABLE_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    DatabaseError,
    redis.exceptions.RedisError,
)


@runtime_checkable
class HealthCheck(Protocol):
    """What the runner needs from a check: a ``run()`` method, sync or async.

    ``run()`` returns when the service is healthy and raises when it is not; raise a
    :class:`CheckFailed` subclass to choose the reason shown in the answer. A
    synchronous ``run()`` is called in the health check threads, an asynchronous one
    on the event loop; either is abandoned at its deadline.

    Example:
        ```python
        @dataclasses.dataclass(frozen=True)
        class SearchIndex:
            url: str = dataclasses.field(repr=False)

            async def run(self) -> None:
                ...
        ```
    """

    def run(self) -> Awaitable[None] | None:
        """Return when the service is healthy; raise when it is not."""
        ...


class CheckFailed(Exception):  # noqa: N818 - reads as the event, like Django's Http404
    """A check found its service unhealthy.

    Attributes:
        reason: The short phrase shown after ``error:`` in the answer. It must match
            ``[a-z][a-z0-9 _-]*`` (at most 40 characters); anything else is shown as
            ``failed``. The exception message goes to the log only.
    """

    reason: str = FAILED

    def __init__(self, message: str = "", *, reason: str | None = None) -> None:
        """Create the failure.

        Args:
            message: Details for the log; never shown in a production answer.
            reason: Overrides the class's :attr:`reason`.
        """
        super().__init__(message)
        if reason is not None:
            self.reason = reason


class ServiceUnavailable(CheckFailed):
    """The service could not be reached or refused the work (``error: unavailable``)."""

    reason = UNAVAILABLE


class UnexpectedResult(CheckFailed):
    """The service answered, but not what the check expected (``error: unexpected result``)."""

    reason = UNEXPECTED_RESULT


def reason_for(exc: BaseException) -> str:
    """Return the short reason shown for an exception raised by a check.

    The exception and its causes are searched, so a driver error wrapped by Django or
    django-redis is classified by what happened underneath. A timeout is a
    :class:`TimeoutError` or any exception whose class name contains ``Timeout``
    (psycopg's ``ConnectionTimeout``, redis-py's ``TimeoutError``, httpx's
    ``ReadTimeout``...), so drivers are recognised without importing them.

    Args:
        exc: What the check raised.

    Returns:
        ``timeout``, ``unavailable``, ``misconfigured``, the :class:`CheckFailed`
        reason when it is safe to show, or ``failed``.
    """
    if isinstance(exc, CheckFailed):
        return exc.reason if _SAFE_REASON.match(exc.reason) else FAILED
    if isinstance(exc, ImproperlyConfigured):
        return MISCONFIGURED
    chain = _causes(exc)
    if any(_is_timeout(e) for e in chain):
        return TIMEOUT
    if any(isinstance(e, _UNAVAILABLE_ERRORS) for e in chain):
        return UNAVAILABLE
    return FAILED


def _is_timeout(exc: BaseException) -> bool:
    """Tell whether an exception reports a timeout, whatever library raised it."""
    return isinstance(exc, TimeoutError) or any(
        "Timeout" in cls.__name__ for cls in type(exc).__mro__
    )


def _causes(exc: BaseException) -> list[BaseException]:
    """Return ``exc`` followed by its explicit and implicit causes, without cycles."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and not any(current is e for e in seen):
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen
