"""The results of one bench run (what ``docs/benchmarks/latest.json`` holds) and the targets they are held to:
each a ratio within the run (or seconds), so that a slower machine moves both sides of it alike."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from pydantic import BaseModel, Field, computed_field

REMOTE_TOOL_VS_ACTIVITY = 3.0
BUSY_TURN_VS_MODEL = 1.3
LATE_TURN_VS_EARLY = 1.2
RECOVERY_SECONDS = 3.0


class Latency(BaseModel):
    """Percentiles of one set of durations, in milliseconds."""

    n: int = Field(description="How many samples.")
    p50_ms: float = Field(description="Median.")
    p95_ms: float = Field(description="95th percentile (linear between closest ranks).")

    @classmethod
    def of(cls, seconds: Sequence[float]) -> Latency:
        cuts = statistics.quantiles([value * 1000 for value in seconds], n=100, method="inclusive")
        return cls(n=len(seconds), p50_ms=round(cuts[49], 1), p95_ms=round(cuts[94], 1))


class ChatsAtOnce(BaseModel):
    """Chats taking turns all at once, against a stub model that answers after a fixed latency."""

    chats: int
    turns: int = Field(description="Measured turns, after one warm-up turn per chat.")
    p50_vs_model: float = Field(description="Turn latency p50 / the model's latency.")
    p95_vs_model: float = Field(description="Turn latency p95 / the model's latency.")
    turns_per_second: float
    worker_cpu_percent: float = Field(
        description="The orchestrator worker's CPU time / wall time (100: a core)."
    )
    server_cpu_percent: float = Field(description="The dev server's CPU time / wall time (100: a core).")


class LongChat(BaseModel):
    """One chat of many turns with the offline model."""

    early_ms: float = Field(description="Mean latency of turns 6-15.")
    late_ms: float = Field(description="Mean latency of the last ten turns.")
    largest_run_bytes: int = Field(description="Serialized history of the chat's largest run.")
    latencies_ms: list[float] = Field(description="Every turn, in order.")


class BenchReport(BaseModel):
    """Everything one run of ``scripts/bench`` measured."""

    started_at: str
    machine: str
    quick: bool = Field(description="A smoke run, with small counts.")
    wall_s: float
    steps: dict[str, Latency] = Field(description="One step inside a workflow: activity, remote tool call.")
    turns: dict[str, Latency] = Field(description="Turns with the offline model, by kind.")
    model_latency_s: float = Field(description="How long the stub model takes to answer, for chats at once.")
    concurrency: list[ChatsAtOnce]
    long_chat: LongChat
    restart_to_polling_s: float = Field(description="A worker restarted after a SIGKILL polls again.")
    restart_to_done_s: float = Field(description="The turn the SIGKILL interrupted is answered.")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def targets(self) -> list[Target]:
        activity, remote = self.steps["plain activity"], self.steps["Nexus execute_tool"]
        busiest, chat = self.concurrency[-1], self.long_chat
        return [
            Target(
                name="one remote tool call (Nexus execute_tool) / one plain activity, p50",
                measured=remote.p50_ms / activity.p50_ms,
                limit=REMOTE_TOOL_VS_ACTIVITY,
                detail=f"{remote.p50_ms:.0f} ms vs {activity.p50_ms:.0f} ms",
            ),
            Target(
                name=f"turn latency at {busiest.chats} concurrent chats / a {self.model_latency_s:g} s model, p95",
                measured=busiest.p95_vs_model,
                limit=BUSY_TURN_VS_MODEL,
                detail=f"p50 {busiest.p50_vs_model:.2f}x",
            ),
            Target(
                name=f"turn {len(chat.latencies_ms)} / turn 10 of one chat (means of ten turns)",
                measured=chat.late_ms / chat.early_ms,
                limit=LATE_TURN_VS_EARLY,
                detail=f"largest run {chat.largest_run_bytes / 2**20:.1f} MiB",
            ),
            Target(
                name="recovery: worker restart after SIGKILL mid-turn -> turn done",
                measured=self.restart_to_done_s,
                limit=RECOVERY_SECONDS,
                unit=" s",
                detail=f"the worker polls {self.restart_to_polling_s:.1f} s after its restart",
            ),
        ]


class Target(BaseModel):
    """One goal: a figure of this run, the limit it must stay within, and whether it does."""

    name: str
    measured: float
    limit: float
    unit: str = Field(default="x", description="'x' for a ratio, ' s' for seconds.")
    detail: str = Field(description="The figures behind the ratio.")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def holds(self) -> bool:
        return self.measured <= self.limit
