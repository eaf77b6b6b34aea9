"""The issue's goals, each a ratio within one run (or seconds), and what bounds each figure."""

from __future__ import annotations

from scripts.benchmark.models import BenchmarkReport, TargetResult

REMOTE_VS_ACTIVITY = 3.0
CONCURRENT_VS_MODEL = 1.3
LATE_VS_EARLY_TURN = 1.2
RECOVERY_SECONDS = 3.0
TARGET_CONVERSATIONS = 100


def _target(name: str, measured: float, limit: float, unit: str, bound_by: str) -> TargetResult:
    return TargetResult(
        name=name, measured=measured, limit=limit, unit=unit, holds=measured <= limit, bound_by=bound_by
    )


def evaluate_targets(report: BenchmarkReport) -> list[TargetResult]:
    """Every goal whose measurement ran in ``report``."""
    targets = []
    if (probes := report.probes) is not None:
        targets.append(
            _target(
                "remote tool call / plain activity (p50)",
                probes.ratio_p50,
                REMOTE_VS_ACTIVITY,
                "x",
                f"execute_tool {probes.nexus_execute_tool.p50_ms:.0f} ms against an activity's "
                f"{probes.plain_activity.p50_ms:.0f} ms: the Nexus start (a sync operation alone takes "
                f"{probes.nexus_sync_operation.p50_ms:.0f} ms), the ToolWorkflow's first workflow task (eagerly "
                "started, outside the sandbox), the tool as a local activity, its second workflow task, and the "
                "completion callback to the caller.",
            )
        )
    full = [level for level in report.concurrency if level.conversations == TARGET_CONVERSATIONS]
    top = (
        full[0]
        if full
        else (max(report.concurrency, key=lambda level: level.conversations) if report.concurrency else None)
    )
    if top is not None:
        busy = max(top.processes, key=lambda process: process.cpu_percent)
        targets.append(
            _target(
                f"turn at {top.conversations} chats / model latency {top.model_latency_s:g} s (p95)",
                top.ratio_p95,
                CONCURRENT_VS_MODEL,
                "x",
                f"p50 {top.ratio_p50:.2f}x. CPU: the {report.machine.cpus} cores carry the dev server, the "
                f"orchestrator worker, the stub model and this client; the busiest, {busy.name}, runs at "
                f"{busy.cpu_percent:.0f}% (one Python event loop processing every workflow task and model call). "
                "Each turn is an update, two workflow tasks and a call_llm activity round trip.",
            )
        )
    if (chat := report.long_chat) is not None:
        stopped = f" The chat stopped early: {chat.failure}." if chat.failure else ""
        targets.append(
            _target(
                f"turn {chat.late_window} / turn {chat.early_window} (long chat, mean)",
                chat.ratio,
                LATE_VS_EARLY_TURN,
                "x",
                f"the model sees at most 40 messages (largest request {chat.last_llm_request_bytes / 1024:.0f} KiB) "
                f"and the chat continues as new every 100 turns (largest run {chat.history_events} events, "
                f"{chat.history_bytes / 1024 / 1024:.1f} MiB), so what is left is noise of a busy 2-core machine "
                f"and the growth of one run's history within its 100 turns.{stopped}",
            )
        )
    for recovery in report.recovery:
        targets.append(
            _target(
                f"recovery of {recovery.worker} after restart",
                recovery.restart_to_completion_s,
                RECOVERY_SECONDS,
                "s",
                f"the worker polls {recovery.restart_to_polling_s:.1f} s after its restart (Python, temporalio and "
                "litellm imports on 2 busy cores), which alone exceeds 3 s. Then: the killed call's 3 s heartbeat "
                "timeout (counted from its last heartbeat, usually already over), a 0.5 s retry backoff, the "
                "first model call of a fresh worker (litellm loads its provider code), and the dead worker's 2 s "
                "sticky-queue timeout for the next workflow task.",
            )
        )
    return targets
