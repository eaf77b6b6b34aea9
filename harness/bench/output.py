"""What a person reads of a bench run: the same tables in the terminal and in ``latest.md``, the JSON, and a
chart, drawn only where matplotlib (the optional ``bench`` extra) is installed."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from harness.bench.results import STEADY_TURN_VS_BASELINE, BenchReport, Latency, Recovery

Table = tuple[str, list[str], list[list[str]]]
"""A title, the column headers, the rows."""


def tables(report: BenchReport) -> list[Table]:
    chat = report.long_chat
    return [
        (
            "Targets (each a figure within this run)",
            ["target", "measured", "limit", "holds"],
            [
                [
                    t.name,
                    f"{t.measured:.2f}{t.unit} ({t.detail})",
                    f"{t.limit:g}{t.unit}",
                    "yes" if t.holds else "no",
                ]
                for t in report.targets
            ],
        ),
        (
            "One step inside a workflow, and one turn with the offline model (ms)",
            ["step", "p50", "p95", "n"],
            [[name, f"{s.p50_ms:g}", f"{s.p95_ms:g}", str(s.n)] for name, s in latencies(report)],
        ),
        (
            f"Chats at once: steady turns, the agent's model answering in {report.model_latency_s:g} s, the "
            "baseline's one activity sleeping as long (ms)",
            ["chats", "turns", "agent p50, p95", "baseline p50, p95", "agent / baseline p50, p95", "turns/s"],
            [
                [
                    str(c.chats),
                    str(c.agent.steady.n),
                    f"{c.agent.steady.p50_ms:.0f}, {c.agent.steady.p95_ms:.0f}",
                    f"{c.baseline.steady.p50_ms:.0f}, {c.baseline.steady.p95_ms:.0f}",
                    f"{c.steady_p50_vs_baseline:.2f}x, {c.steady_p95_vs_baseline:.2f}x",
                    f"{c.agent.turns_per_second:g} vs {c.baseline.turns_per_second:g}",
                ]
                for c in report.concurrency
            ],
        ),
        (
            "Chats opened at once: each chat's start to its first reply (ms)",
            ["chats", "agent p50, p95", "baseline p50, p95", "agent / baseline p50"],
            [
                [
                    str(c.chats),
                    f"{c.agent.first_reply.p50_ms:.0f}, {c.agent.first_reply.p95_ms:.0f}",
                    f"{c.baseline.first_reply.p50_ms:.0f}, {c.baseline.first_reply.p95_ms:.0f}",
                    f"{c.first_reply_p50_vs_baseline:.2f}x",
                ]
                for c in report.concurrency
            ],
        ),
        *first_reply_steps_table(report),
        (
            "CPU during steady turns, % of wall time (100: a core): agent / baseline",
            ["chats", "chat worker", "dev server", "load generator", "stub model"],
            [
                [
                    str(c.chats),
                    f"{c.agent.worker_cpu_percent:.0f} / {c.baseline.worker_cpu_percent:.0f}",
                    f"{c.agent.server_cpu_percent:.0f} / {c.baseline.server_cpu_percent:.0f}",
                    f"{c.agent.load_cpu_percent:.0f} / {c.baseline.load_cpu_percent:.0f}",
                    f"{c.agent.stub_cpu_percent:.0f} / {c.baseline.stub_cpu_percent:.0f}",
                ]
                for c in report.concurrency
            ],
        ),
        server_requests_table(report),
        (
            f"One chat of {len(chat.latencies_ms)} turns (offline model)",
            ["figure", "value"],
            [
                ["mean turn, turns 6-15 / last ten", f"{chat.early_ms:g} ms / {chat.late_ms:g} ms"],
                ["largest run's history", f"{chat.largest_run_bytes:,} bytes"],
            ],
        ),
        (
            "Recovery: a worker SIGKILLed mid-turn (a retried call answered at once), and where the time went",
            [
                "path",
                "kill -> reply",
                "kill -> retry started",
                "retry",
                "-> next workflow task",
                "rest",
                "recovery",
            ],
            [
                [
                    path.path,
                    f"{path.kill_to_reply_s:.2f} s",
                    f"{path.phases.until_retry_s:.2f} s" + restart_note(path),
                    f"{path.phases.retry_s:.2f} s" + rerun_note(path),
                    f"{path.phases.until_workflow_task_s:.2f} s"
                    + (" (sticky timeout)" if path.phases.sticky_timed_out else ""),
                    f"{rest(path):.2f} s",
                    f"{path.recovery_s:.2f} s",
                ]
                for path in report.recovery
            ],
        ),
    ]


def first_reply_steps_table(report: BenchReport) -> list[Table]:
    """Where the first replies went at the most chats opened at once, agent against baseline (none in a
    report from before the bench read the chats' histories)."""
    busiest = report.concurrency[-1]
    agent, baseline = busiest.agent.first_reply_steps, busiest.baseline.first_reply_steps
    if agent is None or baseline is None:
        return []
    a, b = agent.median, baseline.median
    return [
        (
            f"A new chat's first reply, step by step, at {busiest.chats} chats opened at once (medians, ms, "
            "on the server's clock, from the chats' histories)",
            ["step", "agent", "baseline"],
            [
                [
                    "waiting for a worker to take the chat's first workflow task",
                    f"{a.first_task_wait_ms:.0f}",
                    f"{b.first_task_wait_ms:.0f}",
                ],
                [
                    "-> the answering call started (the agent: its chat opened, its tools found through Nexus)",
                    f"{a.before_answer_ms:.0f}",
                    f"{b.before_answer_ms:.0f}",
                ],
                [
                    "the answering call (the agent's model call, the baseline's activity)",
                    f"{a.answer_ms:.0f}",
                    f"{b.answer_ms:.0f}",
                ],
                ["-> the reply", f"{a.after_answer_ms:.0f}", f"{b.after_answer_ms:.0f}"],
                ["start -> reply", f"{a.total_ms:.0f}", f"{b.total_ms:.0f}"],
                [
                    "workflow tasks, activities, Nexus operations",
                    f"{a.workflow_tasks}, {a.activities}, {a.nexus_operations}",
                    f"{b.workflow_tasks}, {b.activities}, {b.nexus_operations}",
                ],
            ],
        )
    ]


def server_requests_table(report: BenchReport) -> Table:
    """What the dev server was asked per steady turn at the most chats at once, agent against baseline."""
    busiest = report.concurrency[-1]
    agent, baseline = busiest.agent.server_requests_per_turn, busiest.baseline.server_requests_per_turn
    return (
        f"The dev server's requests per steady turn at {busiest.chats} chats (its own /metrics): what a turn "
        "costs it besides CPU",
        ["request", "agent", "baseline"],
        [[name, f"{agent[name]:.2f}", f"{baseline.get(name, 0):.2f}"] for name in agent],
    )


def restart_note(path: Recovery) -> str:
    """When the worker was restarted: how long until it polled, which the retry waited for."""
    return "" if path.kill_to_polling_s is None else f" (polling after {path.kill_to_polling_s:.2f} s)"


def rerun_note(path: Recovery) -> str:
    """The part of the retry that is not the failure's: the tool's run again, or the rest of a model call."""
    return f" ({path.rerun_label})" if path.rerun_s else ""


def rest(path: Recovery) -> float:
    """Kill to reply, less the phases read from the history: the workflow's own work after the retry (for a
    tool, the Nexus completion, the caller's workflow task and its next model call) and the update's reply."""
    phases = path.phases
    return path.kill_to_reply_s - phases.until_retry_s - phases.retry_s - phases.until_workflow_task_s


def latencies(report: BenchReport) -> list[tuple[str, Latency]]:
    """The steps, then the turns with the offline model."""
    return [*report.steps.items(), *((f"turn: {kind}", stats) for kind, stats in report.turns.items())]


def as_markdown(report: BenchReport) -> str:
    """Every table, padded so that the terminal shows the same Markdown that ``latest.md`` holds."""
    parts = [
        f"Run of {report.started_at}{' (--quick)' * report.quick}, {report.wall_s:.0f} s, on {report.machine}."
    ]
    for title, headers, rows in tables(report):
        widths = [max(len(row[column]) for row in [headers, *rows]) for column in range(len(headers))]
        lines = [headers, ["-" * width for width in widths], *rows]
        body = ["| " + " | ".join(map(str.ljust, line, widths)) + " |" for line in lines]
        parts.append("\n".join([f"**{title}**", "", *body]))
    return "\n\n".join(parts) + "\n"


def write_outputs(report: BenchReport, folder: Path) -> list[Path]:
    """``latest.json``, ``latest.md`` and, with matplotlib, ``latest.png``; returns what it wrote."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "latest.json").write_text(report.model_dump_json(indent=2) + "\n")
    (folder / "latest.md").write_text(as_markdown(report))
    written = [folder / "latest.json", folder / "latest.md"]
    if importlib.util.find_spec("matplotlib") is not None:
        draw_chart(report, folder / "latest.png")
        written.append(folder / "latest.png")
    return written


def draw_chart(report: BenchReport, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")  # no display needed
    import matplotlib.pyplot as plt

    figure, (steps, chats, chat) = plt.subplots(1, 3, figsize=(16, 5))
    named = latencies(report)
    positions = range(len(named))
    steps.bar([x - 0.2 for x in positions], [stats.p50_ms for _, stats in named], width=0.4, label="p50")
    steps.bar([x + 0.2 for x in positions], [stats.p95_ms for _, stats in named], width=0.4, label="p95")
    steps.set_xticks(list(positions), [name for name, _ in named], rotation=20, ha="right", fontsize=8)
    steps.set(ylabel="ms", title="One step, one turn (offline model)")
    steps.legend()

    levels = [level.chats for level in report.concurrency]
    chats.plot(levels, [level.steady_p50_vs_baseline for level in report.concurrency], "o-", label="p50")
    chats.plot(levels, [level.steady_p95_vs_baseline for level in report.concurrency], "s-", label="p95")
    chats.plot(
        levels,
        [level.first_reply_p50_vs_baseline for level in report.concurrency],
        "^--",
        label="first reply p50",
    )
    chats.axhline(STEADY_TURN_VS_BASELINE, color="red", linestyle="--", label="steady target")
    chats.set(
        xscale="log",
        xlabel="chats at once",
        ylabel="agent / baseline",
        title="Chats at once, vs the baseline",
    )
    chats.legend()

    turns = report.long_chat.latencies_ms
    chat.plot(range(1, len(turns) + 1), turns, ".", markersize=2)
    chat.set(xlabel="turn", ylabel="ms", title=f"One chat of {len(turns)} turns (offline model)")

    figure.suptitle(f"scripts/bench, {report.started_at}, {report.machine.split(',')[0]}")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
