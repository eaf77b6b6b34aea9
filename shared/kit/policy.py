"""How a tool's activity is run: timeouts and retries, as data that travels in the tool workflow's input."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field
from temporalio.common import RetryPolicy


class ActivityPolicy(BaseModel):
    """Timeouts and retry policy of one tool's activity."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start_to_close_timeout: timedelta = Field(
        default=timedelta(seconds=30), description="Longest one attempt may take."
    )
    heartbeat_timeout: timedelta | None = Field(
        default=None,
        description="Set for long tools: the kit heartbeats for them, and a dead worker is noticed this fast.",
    )
    maximum_attempts: int = Field(default=3, ge=1, description="Attempts before the tool call fails.")
    initial_interval: timedelta = Field(default=timedelta(milliseconds=500), description="First retry delay.")
    backoff_coefficient: float = Field(default=2.0, ge=1.0, description="Growth of the retry delay.")
    maximum_interval: timedelta = Field(default=timedelta(seconds=10), description="Largest retry delay.")

    def retry_policy(self) -> RetryPolicy:
        """The Temporal retry policy; a ``ToolError`` is never retried."""
        return RetryPolicy(
            maximum_attempts=self.maximum_attempts,
            initial_interval=self.initial_interval,
            backoff_coefficient=self.backoff_coefficient,
            maximum_interval=self.maximum_interval,
            non_retryable_error_types=["ToolError"],
        )
