"""What a person reads of a bench run: the same tables in the terminal and in ``latest.md``, the JSON, and a
chart, drawn only where matplotlib (the optional ``bench`` extra) is installed."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from harness.bench.results import BUSY_TURN_VS_MODEL, BenchReport, Latency

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
            f"Chats at once, the model answering in {report.model_latency_s:g} s",
            ["chats", "turns", "p50 / model", "p95 / model", "turns/s", "CPU % worker, server (100: a core)"],
            [
                [
                    str(c.chats),
                    str(c.turns),
                    f"{c.p50_vs_model:.2f}x",
                    f"{c.p95_vs_model:.2f}x",
                    f"{c.turns_per_second:g}",
                    f"{c.worker_cpu_percent:.0f}, {c.server_cpu_percent:.0f}",
                ]
                for c in report.concurrency
            ],
        ),
        (
            f"One chat of {len(chat.latencies_ms)} turns (offline model), and recovery",
            ["figure", "value"],
            [
                ["mean turn, turns 6-15 / last ten", f"{chat.early_ms:g} ms / {chat.late_ms:g} ms"],
                ["largest run's history", f"{chat.largest_run_bytes:,} bytes"],
                ["worker restart -> polling", f"{report.restart_to_polling_s:.2f} s"],
                ["worker restart -> interrupted turn done", f"{report.restart_to_done_s:.2f} s"],
            ],
        ),
    ]


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
    chats.plot(levels, [level.p50_vs_model for level in report.concurrency], "o-", label="p50")
    chats.plot(levels, [level.p95_vs_model for level in report.concurrency], "s-", label="p95")
    chats.axhline(BUSY_TURN_VS_MODEL, color="red", linestyle="--", label="target")
    chats.set(
        xscale="log", xlabel="chats at once", ylabel="turn latency / model latency", title="Chats at once"
    )
    chats.legend()

    turns = report.long_chat.latencies_ms
    chat.plot(range(1, len(turns) + 1), turns, ".", markersize=2)
    chat.set(xlabel="turn", ylabel="ms", title=f"One chat of {len(turns)} turns (offline model)")

    figure.suptitle(f"scripts/bench, {report.started_at}, {report.machine.split(',')[0]}")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
