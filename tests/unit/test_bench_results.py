"""The bench's results: the ratios and recoveries its targets are held to, from figures given here."""

from __future__ import annotations

from harness.bench.first_reply_steps import FirstReply, FirstReplySteps
from harness.bench.output import as_markdown
from harness.bench.results import (
    BenchReport,
    ChatsAtOnce,
    Latency,
    LoadRun,
    LongChat,
    Recovery,
    RecoveryPhases,
)

FIRST_REPLY = FirstReply(
    first_task_wait_ms=2374,
    before_answer_ms=1200,
    answer_ms=1106,
    after_answer_ms=180,
    total_ms=4860,
    workflow_tasks=4,
    activities=2,
    nexus_operations=2,
)
PHASES = RecoveryPhases(until_retry_s=3.4, retry_s=2.0, until_workflow_task_s=0.5, sticky_timed_out=True)


def load(first_p50: float, steady_p50: float, steady_p95: float) -> LoadRun:
    return LoadRun(
        first_reply=Latency(n=100, p50_ms=first_p50, p95_ms=first_p50),
        steady=Latency(n=300, p50_ms=steady_p50, p95_ms=steady_p95),
        turns_per_second=50.0,
        worker_cpu_percent=70,
        server_cpu_percent=60,
        load_cpu_percent=5,
        stub_cpu_percent=2,
    )


def report(recovery: list[Recovery]) -> BenchReport:
    return BenchReport(
        started_at="2026-11-27 12:00 UTC",
        machine="2 CPUs",
        quick=True,
        wall_s=80.0,
        steps={
            "plain activity": Latency(n=22, p50_ms=10, p95_ms=12),
            "Nexus execute_tool": Latency(n=22, p50_ms=28, p95_ms=35),
        },
        turns={},
        model_latency_s=1.0,
        concurrency=[ChatsAtOnce(chats=100, agent=load(4000, 2000, 3000), baseline=load(2000, 1250, 1500))],
        long_chat=LongChat(early_ms=30, late_ms=33, largest_run_bytes=1000, latencies_ms=[30.0, 33.0]),
        recovery=recovery,
    )


def test_the_agent_is_held_to_the_baseline_of_the_same_run() -> None:
    level = ChatsAtOnce(chats=100, agent=load(4000, 2000, 3000), baseline=load(2000, 1250, 1500))

    assert (level.steady_p50_vs_baseline, level.steady_p95_vs_baseline) == (1.6, 2.0)
    assert level.first_reply_p50_vs_baseline == 2.0


def test_a_recovery_leaves_out_the_tool_run_again_by_its_retry() -> None:
    tool = Recovery(path="it worker killed mid-tool", kill_to_reply_s=5.95, rerun_s=2.0, phases=PHASES)

    assert tool.recovery_s == 3.95


def test_every_recovery_is_a_target_of_three_seconds() -> None:
    paths = [
        Recovery(path="lone worker", kill_to_reply_s=6.9, kill_to_polling_s=4.2, phases=PHASES),
        Recovery(path="it worker", kill_to_reply_s=4.9, rerun_s=2.0, phases=PHASES),
    ]

    targets = {target.name: target for target in report(paths).targets}

    assert not targets["recovery: lone worker -> turn done"].holds
    assert targets["recovery: it worker -> turn done"].holds
    assert targets["steady turn at 100 chats at once / the baseline's, p95"].measured == 2.0


def test_a_single_sample_is_its_own_percentiles() -> None:
    assert Latency.of([1.5]) == Latency(n=1, p50_ms=1500.0, p95_ms=1500.0)


def test_the_tables_show_the_baseline_and_where_a_recovery_went() -> None:
    text = as_markdown(report([Recovery(path="it worker", kill_to_reply_s=5.95, rerun_s=2.0, phases=PHASES)]))

    steady = next(line for line in text.splitlines() if "2000, 3000" in line)
    assert "1250, 1500" in steady and "1.60x, 2.00x" in steady
    assert "0.50 s (sticky timeout)" in text and "2.00 s (the tool's run again)" in text


def test_a_workflow_worker_killed_mid_call_leaves_out_the_rest_of_the_call() -> None:
    went_on = RecoveryPhases(until_retry_s=0.0, retry_s=0.5, until_workflow_task_s=2.0, sticky_timed_out=True)
    killed = Recovery(path="workflow worker", kill_to_reply_s=2.6, rerun_s=0.5, phases=went_on)

    assert killed.recovery_s == 2.1
    text = as_markdown(report([killed]))
    assert "0.50 s (the rest of the model call)" in text
    assert "less the rest of the model call (0.5 s)" in next(
        t.detail for t in report([killed]).targets if "workflow worker" in t.name
    )


def test_the_tables_show_the_steps_of_agent_and_baseline() -> None:
    baseline_reply = FIRST_REPLY.model_copy(
        update={"first_task_wait_ms": 1252, "workflow_tasks": 2, "activities": 1, "nexus_operations": 0}
    )
    run = report([])
    busiest = run.concurrency[-1]
    busiest.agent.first_reply_steps = FirstReplySteps.of([FIRST_REPLY])
    busiest.baseline.first_reply_steps = FirstReplySteps.of([baseline_reply])

    text = as_markdown(run)

    waiting = next(line for line in text.splitlines() if "take the chat's first workflow task" in line)
    assert [cell.strip() for cell in waiting.split("|")[2:4]] == ["2374", "1252"]
    counts = next(line for line in text.splitlines() if "Nexus operations" in line).split("|")
    assert counts[2].strip() == "4, 2, 2" and counts[3].strip() == "2, 1, 0"
