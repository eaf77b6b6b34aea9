"""Typed results of one benchmark run; ``BenchmarkReport`` is what ``docs/benchmarks/latest.json`` holds."""

from __future__ import annotations

from pydantic import BaseModel, Field


class LatencyStats(BaseModel):
    """Percentiles of a set of durations, in milliseconds."""

    count: int = Field(description="How many samples.")
    p50_ms: float = Field(description="Median.")
    p95_ms: float = Field(description="95th percentile.")
    mean_ms: float = Field(description="Arithmetic mean.")
    max_ms: float = Field(description="Slowest sample.")


class TurnKindResult(BaseModel):
    """Per-turn latency of one kind of message with the offline model."""

    kind: str = Field(description="no tool, one local tool, one remote tool, two remote tools in parallel.")
    message: str = Field(description="What was sent.")
    tools_used: list[str] = Field(description="The tools the reply says it used (checks the turn's kind).")
    latency: LatencyStats


class ProbeResult(BaseModel):
    """Single steps timed inside a workflow (workflow clock), many iterations in a row."""

    plain_activity: LatencyStats = Field(description="A trivial echo activity on the caller's worker.")
    local_activity: LatencyStats = Field(description="The same echo as a local activity.")
    nexus_sync_operation: LatencyStats = Field(description="Nexus `list_tools` (a synchronous operation).")
    nexus_execute_tool: LatencyStats = Field(description="Nexus `execute_tool` of finance `calculate_roi`.")
    ratio_p50: float = Field(description="execute_tool p50 / plain activity p50.")
    ratio_p95: float = Field(description="execute_tool p95 / plain activity p95.")


class ProcessUsage(BaseModel):
    """CPU and memory of one process over a measured interval."""

    name: str
    pid: int
    cpu_percent: float = Field(description="CPU time over wall time; 100 = one core busy.")
    rss_mb: float = Field(description="Resident memory at the end of the interval.")
    peak_rss_mb: float = Field(description="Highest resident memory sampled during the interval.")


class ConcurrencyResult(BaseModel):
    """Many chats at once against the stub model with a fixed latency."""

    conversations: int
    turns: int = Field(description="Measured turns in total (after one warm-up turn per chat).")
    model_latency_s: float
    latency: LatencyStats
    ratio_p50: float = Field(description="Turn p50 / model latency.")
    ratio_p95: float = Field(description="Turn p95 / model latency.")
    turns_per_second: float
    wall_s: float
    processes: list[ProcessUsage]


class LongChatResult(BaseModel):
    """One chat of many turns with the offline model."""

    turns_requested: int
    turns_completed: int
    message: str
    early_window: str = Field(description="Turns averaged for the 'turn 10' figure.")
    late_window: str = Field(description="Turns averaged for the last figure.")
    early_ms: float = Field(description="Mean turn latency in the early window.")
    late_ms: float = Field(description="Mean turn latency in the late window.")
    ratio: float = Field(description="late_ms / early_ms.")
    history_events: int
    history_bytes: int = Field(description="Serialized size of the run's event history.")
    last_llm_request_bytes: int = Field(description="Size of the last call_llm activity input.")
    samples: list[tuple[int, float]] = Field(description="(turn, latency ms) for the chart, thinned.")
    failure: str | None = Field(default=None, description="Why the chat stopped early, if it did.")
    wall_s: float


class RecoveryResult(BaseModel):
    """A worker SIGKILLed in the middle of a turn and restarted at once."""

    worker: str
    killed_during: str
    restart_to_polling_s: float = Field(description="Restart to the new worker polling its task queue.")
    restart_to_completion_s: float = Field(description="Restart to the interrupted turn's reply.")
    model_latency_after_restart_s: float = Field(description="Model time inside the recovery (stub delay).")
    note: str


class MachineInfo(BaseModel):
    """Where the numbers come from."""

    cpus: int
    cpu_model: str
    memory_gib: float
    os: str
    python: str
    temporalio: str
    temporal_cli: str
    temporal_server: str
    litellm: str


class TargetResult(BaseModel):
    """One goal of the issue: a ratio within this run, and whether it holds."""

    name: str
    measured: float
    limit: float
    unit: str = Field(description="'x' for a ratio, 's' for seconds.")
    holds: bool
    bound_by: str = Field(description="What bounds the figure (why it is missed, or what keeps it low).")


class BenchmarkReport(BaseModel):
    """Everything one run of ``scripts/bench`` measured."""

    started_at: str
    wall_s: float
    options: dict[str, str | int | float | bool]
    machine: MachineInfo
    probes: ProbeResult | None = None
    turns: list[TurnKindResult] = Field(default_factory=list)
    concurrency: list[ConcurrencyResult] = Field(default_factory=list)
    long_chat: LongChatResult | None = None
    recovery: list[RecoveryResult] = Field(default_factory=list)
    skipped: list[str] = Field(default_factory=list, description="Measurements not made, and why.")
    targets: list[TargetResult] = Field(default_factory=list)
