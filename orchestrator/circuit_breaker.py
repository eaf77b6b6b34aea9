"""A circuit breaker per tool service, in workflow state: after a few failures in a row the agent stops
calling that service for a while and tells the model at once, instead of every call waiting out its timeout.

Pure and deterministic: the workflow passes in ``workflow.now()``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

FAILURES_TO_OPEN = 3
COOLDOWN = timedelta(seconds=30)


@dataclass
class CircuitBreaker:
    """Closed: calls go through. After ``FAILURES_TO_OPEN`` failures in a row, open: calls are refused for
    ``COOLDOWN``. Then half-open: one trial call goes through (others are still refused); its success
    closes the circuit, its failure opens it for another cooldown."""

    failures: int = 0
    open_until: datetime | None = None
    trial_in_flight: bool = False

    def admit(self, now: datetime) -> bool:
        """Whether a call may go out now (taking the half-open trial if this is it)."""
        if self.open_until is None:
            return True
        if now < self.open_until or self.trial_in_flight:
            return False
        self.trial_in_flight = True
        return True

    def record_success(self) -> None:
        self.failures = 0
        self.open_until = None
        self.trial_in_flight = False

    def record_failure(self, now: datetime) -> None:
        self.failures += 1
        self.trial_in_flight = False
        if self.failures >= FAILURES_TO_OPEN:
            self.open_until = now + COOLDOWN

    def refusal(self, service: str, now: datetime) -> str:
        """What the model reads for a call that is not made."""
        wait = max(0, round(((self.open_until or now) - now).total_seconds()))
        return (
            f"The {service} service failed {self.failures} times in a row, so the agent is not calling it "
            f"for the next {wait} s. Tell the user it is unavailable right now."
        )
