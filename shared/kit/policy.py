"""How a tool's activity is run: timeouts and retries, as data that travels in the tool workflow's input.

This is the one place a policy becomes activity options (``ActivityPolicy.execute_activity``), for the tool
workflow of every team and for the orchestrator's local tools alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from temporalio import workflow
from temporalio.common import RetryPolicy

from shared.contract import TOOL_ERROR


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
    retry_budget: timedelta = Field(
        default=timedelta(seconds=45),
        description="Schedule-to-close: how long retries may go on. Long enough that a bug fixed and "
        "redeployed within it is picked up by the next attempt, short enough to answer within the caller's "
        "60 s operation timeout.",
    )
    maximum_attempts: int = Field(
        default=0, ge=0, description="Attempts at most; 0: as many as the budget allows."
    )
    initial_interval: timedelta = Field(default=timedelta(milliseconds=500), description="First retry delay.")
    backoff_coefficient: float = Field(default=2.0, ge=1.0, description="Growth of the retry delay.")
    maximum_interval: timedelta = Field(default=timedelta(seconds=5), description="Largest retry delay.")

    def retry_policy(self) -> RetryPolicy:
        """The Temporal retry policy; a ``ToolError`` is never retried."""
        return RetryPolicy(
            maximum_attempts=self.maximum_attempts,
            initial_interval=self.initial_interval,
            backoff_coefficient=self.backoff_coefficient,
            maximum_interval=self.maximum_interval,
            non_retryable_error_types=[TOOL_ERROR],
        )

    async def execute_activity(
        self, activity: str, arguments: Mapping[str, Any], *, local: bool, requester: str | None = None
    ) -> dict[str, Any]:
        """From inside a workflow: run the tool activity named ``activity`` under this policy and return its
        JSON result. ``local`` runs it as a local activity, which has no heartbeats: only for a policy
        without ``heartbeat_timeout``. ``requester``, when known, is who asked (the tool reads it in
        ``current_call()``)."""
        inputs: list[Any] = [arguments] if requester is None else [arguments, requester]
        if local:
            assert self.heartbeat_timeout is None, "a local activity cannot heartbeat"
            local_result: dict[str, Any] = await workflow.execute_local_activity(
                activity,
                args=inputs,
                start_to_close_timeout=self.start_to_close_timeout,
                schedule_to_close_timeout=self.retry_budget,
                retry_policy=self.retry_policy(),
                result_type=dict,
            )
            return local_result
        result: dict[str, Any] = await workflow.execute_activity(
            activity,
            args=inputs,
            start_to_close_timeout=self.start_to_close_timeout,
            schedule_to_close_timeout=self.retry_budget,
            heartbeat_timeout=self.heartbeat_timeout,
            retry_policy=self.retry_policy(),
            result_type=dict,
        )
        return result
