"""The results as one PNG of four panels (matplotlib, installed by ``scripts/bench`` if missing; it is not a
dependency of the project)."""

from __future__ import annotations

from pathlib import Path

from scripts.benchmark.models import BenchmarkReport


def write_chart(report: BenchmarkReport, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(2, 2, figsize=(13, 9))
    steps, concurrency, long_chat, targets = axes.flat

    labels: list[str] = []
    p50: list[float] = []
    p95: list[float] = []
    if report.probes is not None:
        for label, stats in (
            ("activity", report.probes.plain_activity),
            ("local act.", report.probes.local_activity),
            ("Nexus sync", report.probes.nexus_sync_operation),
            ("execute_tool", report.probes.nexus_execute_tool),
        ):
            labels.append(label)
            p50.append(stats.p50_ms)
            p95.append(stats.p95_ms)
    for turn in report.turns:
        labels.append(
            "turn: " + turn.kind.replace(" in parallel", "").replace("one ", "1 ").replace("two ", "2 ")
        )
        p50.append(turn.latency.p50_ms)
        p95.append(turn.latency.p95_ms)
    positions = range(len(labels))
    steps.bar([x - 0.2 for x in positions], p50, width=0.4, label="p50")
    steps.bar([x + 0.2 for x in positions], p95, width=0.4, label="p95")
    steps.set_xticks(list(positions), labels, rotation=30, ha="right", fontsize=8)
    steps.set_ylabel("ms")
    steps.set_title("One step in a workflow, and one turn (offline model)")
    steps.legend()

    if report.concurrency:
        chats = [level.conversations for level in report.concurrency]
        concurrency.plot(
            chats, [level.latency.p50_ms / 1000 for level in report.concurrency], "o-", label="turn p50"
        )
        concurrency.plot(
            chats, [level.latency.p95_ms / 1000 for level in report.concurrency], "s-", label="turn p95"
        )
        model = report.concurrency[0].model_latency_s
        concurrency.axhline(model, color="grey", linestyle=":", label="model latency")
        concurrency.axhline(model * 1.3, color="red", linestyle="--", label="target 1.3x")
        throughput = concurrency.twinx()
        throughput.bar(chats, [level.turns_per_second for level in report.concurrency], width=[c * 0.15 + 0.5 for c in chats], alpha=0.2, color="green")  # fmt: skip
        throughput.set_ylabel("turns/s (bars)")
        concurrency.set_xscale("log")
        concurrency.set_xlabel("chats at once")
        concurrency.set_ylabel("turn latency, s")
        concurrency.set_title("Concurrency against a stub model")
        concurrency.legend(loc="upper left", fontsize=8)

    if report.long_chat is not None and report.long_chat.samples:
        turns, latencies = zip(*report.long_chat.samples, strict=True)
        long_chat.plot(turns, latencies, ".", markersize=3)
        long_chat.set_xlabel("turn")
        long_chat.set_ylabel("turn latency, ms")
        long_chat.set_title(
            f"Long chat: {report.long_chat.turns_completed} turns, "
            f"{report.long_chat.history_bytes / 1024 / 1024:.1f} MiB history"
        )

    if report.targets:
        names = [target.name.split(" (")[0] for target in report.targets]
        shares = [target.measured / target.limit for target in report.targets]
        colors = ["tab:green" if target.holds else "tab:red" for target in report.targets]
        targets.barh(names, shares, color=colors)
        targets.axvline(1.0, color="black", linestyle="--")
        targets.set_xlabel("measured / limit (left of the line: held)")
        targets.tick_params(axis="y", labelsize=7)
        targets.set_title("Targets")

    figure.suptitle(f"scripts/bench, {report.started_at}, {report.machine.cpus} CPUs")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
