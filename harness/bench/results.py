"""The results of one bench run (what ``docs/benchmarks/latest.json`` holds) and the targets they are held to:
each a ratio within the run (or seconds), so that a slower machine moves both sides of it alike."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from pydantic import BaseModel, Field, computed_field

from harness.bench.first_reply_steps import FirstReplySteps

REMOTE_TOOL_VS_ACTIVITY = 3.0
STEADY_TURN_VS_BASELINE = 1.3
FIRST_REPLY_VS_BASELINE = 2.0
LATE_TURN_VS_EARLY = 1.2
RECOVERY_SECONDS = 3.0


class Latency(BaseModel):
    """Percentiles of one set of durations, in milliseconds."""

    n: int = Field(description="How many samples.")
    p50_ms: float = Field(description="Median.")
    p95_ms: float = Field(description="95th percentile (linear between closest ranks).")

    @classmethod
    def of(cls, seconds: Sequence[float]) -> Latency:
        if len(seconds) == 1:  # quantiles need two
            return cls(n=1, p50_ms=round(seconds[0] * 1000, 1), p95_ms=round(seconds[0] * 1000, 1))
        cuts = statistics.quantiles([value * 1000 for value in seconds], n=100, method="inclusive")
        return cls(n=len(seconds), p50_ms=round(cuts[49], 1), p95_ms=round(cuts[94], 1))


class LoadRun(BaseModel):
    """One kind of chat (the agent, or the baseline) at one level of chats at once."""

    first_reply: Latency = Field(
        description="Each chat's start and first turn, every chat opened at the same moment (the agent's "
        "first turn also discovers the tools)."
    )
    first_reply_steps: FirstReplySteps | None = Field(
        default=None,
        description="Where the first replies went, from the chats' histories (None in reports from before "
        "the bench read them).",
    )
    steady: Latency = Field(
        description="The measured turns after the first, every chat taking turns at once."
    )
    turns_per_second: float = Field(description="Steady turns / their wall time.")
    worker_cpu_percent: float = Field(
        description="The chats' worker processes (the agent's two: workflows and model calls): CPU time / "
        "wall time (100: a core)."
    )
    server_cpu_percent: float = Field(description="The dev server, likewise.")
    load_cpu_percent: float = Field(
        description="The bench process (the load generator: its clients), the stub's share left out."
    )
    stub_cpu_percent: float = Field(description="The stub model's request threads, in the bench process.")
    server_requests_per_turn: dict[str, float] = Field(
        default_factory=dict,
        description="What the dev server was asked during the steady turns, per turn, by kind "
        "(``harness.bench.server_requests``; empty in reports from before the bench counted them).",
    )


class ChatsAtOnce(BaseModel):
    """Chats taking turns all at once: the agent against a stub model that answers after a fixed latency, and
    the baseline (one activity sleeping as long) on the same server, one right after the other."""

    chats: int
    agent: LoadRun
    baseline: LoadRun

    @computed_field  # type: ignore[prop-decorator]
    @property
    def steady_p50_vs_baseline(self) -> float:
        return round(self.agent.steady.p50_ms / self.baseline.steady.p50_ms, 2)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def steady_p95_vs_baseline(self) -> float:
        return round(self.agent.steady.p95_ms / self.baseline.steady.p95_ms, 2)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def first_reply_p50_vs_baseline(self) -> float:
        return round(self.agent.first_reply.p50_ms / self.baseline.first_reply.p50_ms, 2)


class RecoveryPhases(BaseModel):
    """Where a recovery's time went, from the history of the workflow whose worker was killed (the server's
    event times against the moment of the kill, on the same clock)."""

    until_retry_s: float = Field(
        description="Kill -> the retried attempt started: the heartbeat timeout noticing the dead worker, "
        "the retry's backoff (and a restarted worker's start, when there is no other); 0 when no attempt "
        "was lost (the workflow's worker was killed, not the activity's)."
    )
    retry_s: float = Field(
        description="The retried attempt, its start to its completion; when no attempt was lost, the rest "
        "of the activity under way at the kill."
    )
    until_workflow_task_s: float = Field(
        description="The attempt's completion -> the workflow's next task started: the sticky-queue timeout "
        "when the workflow's own worker was the one killed."
    )
    sticky_timed_out: bool = Field(
        description="Whether that workflow task first waited out the sticky-queue timeout of the dead worker."
    )


class Recovery(BaseModel):
    """A worker SIGKILLed mid-call, timed from the kill to the interrupted turn's reply."""

    path: str = Field(description="Which worker was killed, and what else ran.")
    kill_to_reply_s: float
    rerun_s: float = Field(
        default=0.0,
        description="Work in the reply's time that is not the failure's: a tool run again from its start, "
        "or the rest of a model call that went on while its workflow's worker was replaced.",
    )
    kill_to_polling_s: float | None = Field(
        default=None,
        description="The worker polls again: restarted, or replaced by its supervisor (only where it is).",
    )
    phases: RecoveryPhases

    @property
    def rerun_label(self) -> str:
        """What ``rerun_s`` was: the tool's run again, or the rest of a model call that was not retried."""
        return "the rest of the model call" if self.phases.until_retry_s == 0 else "the tool's run again"

    @computed_field  # type: ignore[prop-decorator]
    @property
    def recovery_s(self) -> float:
        """What the failure cost: the kill to the reply, less the work done again."""
        return round(self.kill_to_reply_s - self.rerun_s, 2)


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
    recovery: list[Recovery]

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
                name=f"steady turn at {busiest.chats} chats at once / the baseline's, p50",
                measured=busiest.steady_p50_vs_baseline,
                limit=STEADY_TURN_VS_BASELINE,
                detail=f"{busiest.agent.steady.p50_ms:.0f} ms vs {busiest.baseline.steady.p50_ms:.0f} ms",
            ),
            Target(
                name=f"steady turn at {busiest.chats} chats at once / the baseline's, p95",
                measured=busiest.steady_p95_vs_baseline,
                limit=STEADY_TURN_VS_BASELINE,
                detail=f"{busiest.agent.steady.p95_ms:.0f} ms vs {busiest.baseline.steady.p95_ms:.0f} ms",
            ),
            Target(
                name=f"first reply of {busiest.chats} chats opened at once / the baseline's, p50",
                measured=busiest.first_reply_p50_vs_baseline,
                limit=FIRST_REPLY_VS_BASELINE,
                detail=(
                    f"{busiest.agent.first_reply.p50_ms:.0f} ms vs {busiest.baseline.first_reply.p50_ms:.0f} ms"
                ),
            ),
            Target(
                name=f"turn {len(chat.latencies_ms)} / turn 10 of one chat (means of ten turns)",
                measured=chat.late_ms / chat.early_ms,
                limit=LATE_TURN_VS_EARLY,
                detail=f"largest run {chat.largest_run_bytes / 2**20:.1f} MiB",
            ),
            *(
                Target(
                    name=f"recovery: {path.path} -> turn done",
                    measured=path.recovery_s,
                    limit=RECOVERY_SECONDS,
                    unit=" s",
                    detail=recovery_detail(path),
                )
                for path in self.recovery
            ),
        ]


def recovery_detail(path: Recovery) -> str:
    """The figures behind a recovery: kill to reply, and what is not recovery's (the restart, a rerun)."""
    parts = [f"kill -> reply {path.kill_to_reply_s:.1f} s"]
    if path.kill_to_polling_s is not None:
        parts.append(f"the new worker polls after {path.kill_to_polling_s:.1f} s")
    if path.rerun_s:
        parts.append(f"less {path.rerun_label} ({path.rerun_s:g} s)")
    return "; ".join(parts)


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
