"""The results as tables: plain text for the terminal and Markdown for ``docs/``, from the same rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from scripts.benchmark.models import BenchmarkReport, LatencyStats


@dataclass(frozen=True)
class Table:
    title: str
    headers: tuple[str, ...]
    rows: Sequence[tuple[str, ...]]


def _ms(value: float) -> str:
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def _p(stats: LatencyStats) -> tuple[str, str]:
    return _ms(stats.p50_ms), _ms(stats.p95_ms)


def tables(report: BenchmarkReport) -> list[Table]:
    """Every figure of the report, grouped as the issue asks for them."""
    result = []
    if (probes := report.probes) is not None:
        steps = [
            ("plain activity (echo)", probes.plain_activity),
            ("local activity (echo)", probes.local_activity),
            ("Nexus sync operation (list_tools)", probes.nexus_sync_operation),
            ("Nexus execute_tool (finance calculate_roi)", probes.nexus_execute_tool),
        ]
        rows: list[tuple[str, ...]] = [(name, *_p(stats), str(stats.count)) for name, stats in steps]
        rows.append(
            (
                "ratio execute_tool / plain activity",
                f"{probes.ratio_p50:.2f}x",
                f"{probes.ratio_p95:.2f}x",
                "",
            )
        )
        result.append(Table("One step, timed inside a workflow (ms)", ("step", "p50", "p95", "n"), rows))
    if report.turns:
        result.append(
            Table(
                "Per-turn latency, offline model (ms)",
                ("turn", "p50", "p95", "n", "tools used"),
                [
                    (turn.kind, *_p(turn.latency), str(turn.latency.count), ", ".join(turn.tools_used) or "-")
                    for turn in report.turns
                ],
            )
        )
    if report.concurrency:
        result.append(
            Table(
                f"Concurrent chats, stub model answering after {report.concurrency[0].model_latency_s:g} s",
                ("chats", "turns", "p50 ms", "p95 ms", "p50/model", "p95/model", "turns/s"),
                [
                    (
                        str(level.conversations),
                        str(level.turns),
                        *_p(level.latency),
                        f"{level.ratio_p50:.3f}x",
                        f"{level.ratio_p95:.3f}x",
                        f"{level.turns_per_second:.1f}",
                    )
                    for level in report.concurrency
                ],
            )
        )
        result.append(
            Table(
                "CPU and memory while the chats ran (CPU 100% = one core)",
                ("chats", "process", "CPU %", "RSS MiB", "peak RSS MiB"),
                [
                    (
                        str(level.conversations),
                        process.name,
                        f"{process.cpu_percent:.0f}",
                        f"{process.rss_mb:.0f}",
                        f"{process.peak_rss_mb:.0f}",
                    )
                    for level in report.concurrency
                    for process in level.processes
                ],
            )
        )
    if (chat := report.long_chat) is not None:
        figures: list[tuple[str, ...]] = [
            ("turns completed", f"{chat.turns_completed} of {chat.turns_requested} ({chat.message!r})"),
            (f"mean latency, turns {chat.early_window}", f"{_ms(chat.early_ms)} ms"),
            (f"mean latency, turns {chat.late_window}", f"{_ms(chat.late_ms)} ms"),
            ("ratio late / early", f"{chat.ratio:.2f}x"),
            ("history events per run", f"{chat.history_events:,}"),
            ("history bytes per run", f"{chat.history_bytes:,} ({chat.history_bytes / 1024 / 1024:.1f} MiB)"),
            ("last call_llm input", f"{chat.last_llm_request_bytes:,} bytes"),
            ("wall time of the chat", f"{chat.wall_s:.0f} s"),
        ]
        if chat.failure:
            figures.append(("stopped early", chat.failure))
        result.append(Table("Long conversation, offline model", ("figure", "value"), figures))
    if report.recovery:
        result.append(
            Table(
                "Recovery after SIGKILL mid-turn and an immediate restart",
                ("worker", "killed during", "restart -> polling", "restart -> turn done"),
                [
                    (
                        r.worker,
                        r.killed_during,
                        f"{r.restart_to_polling_s:.1f} s",
                        f"{r.restart_to_completion_s:.1f} s",
                    )
                    for r in report.recovery
                ],
            )
        )
    if report.targets:
        result.append(
            Table(
                "Targets (each a figure within this run)",
                ("target", "measured", "limit", "status"),
                [
                    (
                        t.name,
                        f"{t.measured:.2f}{t.unit}",
                        f"{t.limit:g}{t.unit}",
                        "held" if t.holds else "MISSED",
                    )
                    for t in report.targets
                ],
            )
        )
    return result


def render_text(table: Table) -> str:
    widths = [max(len(row[i]) for row in [table.headers, *table.rows]) for i in range(len(table.headers))]
    line = "  ".join("-" * width for width in widths)
    body = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in table.rows
    ]
    header = "  ".join(h.ljust(w) for h, w in zip(table.headers, widths, strict=True)).rstrip()
    return "\n".join([table.title, header, line, *body])


def render_markdown(table: Table) -> str:
    def row(cells: tuple[str, ...]) -> str:
        return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"

    return "\n".join(
        [
            f"**{table.title}**",
            "",
            row(table.headers),
            row(tuple("---" for _ in table.headers)),
            *map(row, table.rows),
        ]
    )


def text_report(report: BenchmarkReport) -> str:
    """What the command prints: every table, the bounds of the targets, and what was skipped."""
    parts = [render_text(table) for table in tables(report)]
    if report.targets:
        parts.append(
            "What bounds each target:\n" + "\n".join(f"- {t.name}: {t.bound_by}" for t in report.targets)
        )
    if report.skipped:
        parts.append("Not measured:\n" + "\n".join(f"- {note}" for note in report.skipped))
    return "\n\n".join(parts)


def markdown_report(report: BenchmarkReport) -> str:
    """The same tables in Markdown, with the machine (``docs/benchmarks/latest.md``)."""
    machine = report.machine
    parts = [
        f"Run of {report.started_at}, {report.wall_s:.0f} s, options: "
        + ", ".join(f"`{key}={value}`" for key, value in report.options.items()),
        f"Machine: {machine.cpus} CPUs ({machine.cpu_model}), {machine.memory_gib} GiB, {machine.os}; "
        f"Python {machine.python}, temporalio {machine.temporalio}, Temporal CLI {machine.temporal_cli} "
        f"(Server {machine.temporal_server}), litellm {machine.litellm}.",
        *(render_markdown(table) for table in tables(report)),
    ]
    if report.targets:
        parts.append(
            "What bounds each target:\n\n"
            + "\n".join(f"- **{t.name}**: {t.bound_by}" for t in report.targets)
        )
    if report.skipped:
        parts.append("Not measured:\n\n" + "\n".join(f"- {note}" for note in report.skipped))
    return "\n\n".join(parts) + "\n"
