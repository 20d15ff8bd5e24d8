"""What a run of the health checks found: one result per check, and the answer's body."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class CheckResult:
    """The outcome of one check.

    Attributes:
        key: Its key in the answer.
        critical: Whether a failure makes the answer unhealthy.
        reason: ``None`` when healthy, else the short reason (``timeout``, ...).
        detail: The exception type and text, for DEBUG answers and the log.
        duration: Seconds the check took, up to its deadline.
        exception: What the check raised, for the log's traceback.
    """

    key: str
    critical: bool
    reason: str | None = None
    detail: str = ""
    duration: float = 0.0
    exception: BaseException | None = dataclasses.field(
        default=None, repr=False, compare=False
    )

    @property
    def ok(self) -> bool:
        """Whether the check passed."""
        return self.reason is None


@dataclasses.dataclass(frozen=True)
class HealthReport:
    """The outcome of every check of one run.

    Attributes:
        results: One result per check, in answer order.
    """

    results: tuple[CheckResult, ...]

    @property
    def healthy(self) -> bool:
        """Whether every critical check passed."""
        return all(result.ok or not result.critical for result in self.results)

    def as_dict(self, *, debug: bool = False) -> dict[str, str]:
        """Return the JSON body: ``status`` first, then one entry per check.

        Args:
            debug: Append the exception type and text to each failure. Only for
                DEBUG: the text may name hosts, ports or users.

        Returns:
            ``{"status": "healthy" | "unhealthy", key: "ok" | "error: <reason>"}``.
        """
        body = {"status": "healthy" if self.healthy else "unhealthy"}
        for result in self.results:
            if result.ok:
                body[result.key] = "ok"
            elif debug and result.detail:
                body[result.key] = f"error: {result.reason} ({result.detail})"
            else:
                body[result.key] = f"error: {result.reason}"
        return body
