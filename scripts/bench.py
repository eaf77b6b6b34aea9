"""``scripts/bench``: what durability costs, measured on a stack this command starts and stops itself.

It starts a dev server on free ports (state in a temporary directory), the tool workers and two
orchestrator workers (offline model; a stub model on 127.0.0.1 with a fixed latency), then measures: one
remote tool call against one plain activity, per-turn latency for four kinds of turn, 1-100 chats at once,
one long chat, and recovery after a SIGKILL mid-turn. It prints a table and writes JSON, Markdown and a PNG.

    scripts/bench                 # the full run (a few minutes)
    scripts/bench --quick         # small counts, for a smoke run
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import signal
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from scripts.benchmark.concurrency import measure_concurrency
from scripts.benchmark.long_chat import measure_long_chat
from scripts.benchmark.machine import machine_info
from scripts.benchmark.models import BenchmarkReport
from scripts.benchmark.probes import measure_probes
from scripts.benchmark.recovery import measure_worker_recovery
from scripts.benchmark.report import markdown_report, text_report
from scripts.benchmark.stack import bench_stack
from scripts.benchmark.targets import evaluate_targets
from scripts.benchmark.turns import measure_turns

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = REPO_ROOT / "docs" / "benchmarks"
PHASES = ("probes", "turns", "concurrency", "long", "recovery")
NO_SLOW_TOOL = (
    "recovery of a tool worker: no IT or Finance tool runs long enough to kill its worker mid-call "
    "(all answer in milliseconds from offline data)"
)


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Measure what durability costs the agent, on a stack of its own."
    )
    parser.add_argument("--quick", action="store_true", help="small counts everywhere (a smoke run)")
    parser.add_argument("--iterations", type=int, help="probe rounds: activity vs execute_tool (default 200)")
    parser.add_argument("--turns", type=int, help="timed turns per turn kind (default 40)")
    parser.add_argument("--concurrency", help="chats at once, comma-separated (default 1,10,50,100)")
    parser.add_argument("--concurrent-turns", type=int, help="measured turns per chat (default 3)")
    parser.add_argument("--model-latency", type=float, default=1.0, help="stub model latency, s (default 1)")
    parser.add_argument("--long-turns", type=int, help="turns of the long chat (default 1000)")
    parser.add_argument(
        "--skip", default="", help=f"phases to leave out, comma-separated: {', '.join(PHASES)}"
    )
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="where latest.{json,md,png} go")
    parser.add_argument("--no-chart", action="store_true", help="do not draw the PNG")
    arguments = parser.parse_args(argv)
    quick = arguments.quick
    arguments.iterations = arguments.iterations or (20 if quick else 200)
    arguments.turns = arguments.turns or (5 if quick else 40)
    arguments.concurrency = [
        int(n) for n in (arguments.concurrency or ("1,10" if quick else "1,10,50,100")).split(",")
    ]
    arguments.concurrent_turns = arguments.concurrent_turns or (2 if quick else 3)
    arguments.long_turns = arguments.long_turns or (50 if quick else 1000)
    arguments.skip = {phase.strip() for phase in arguments.skip.split(",") if phase.strip()}
    if unknown := arguments.skip - set(PHASES):
        parser.error(f"unknown phase(s) to skip: {', '.join(sorted(unknown))}")
    return arguments


def progress(message: str) -> None:
    print(f"== {message}", file=sys.stderr, flush=True)


async def run(arguments: argparse.Namespace) -> BenchmarkReport:
    started = time.perf_counter()
    report = BenchmarkReport(
        started_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        wall_s=0.0,
        options={
            "iterations": arguments.iterations,
            "turns": arguments.turns,
            "concurrency": ",".join(map(str, arguments.concurrency)),
            "concurrent_turns": arguments.concurrent_turns,
            "model_latency": arguments.model_latency,
            "long_turns": arguments.long_turns,
            "skip": ",".join(sorted(arguments.skip)),
        },
        machine=machine_info(),
    )
    progress("starting the stack: dev server on free ports, tool workers, two orchestrator workers")
    async with bench_stack() as stack:
        if "probes" not in arguments.skip:
            progress(
                f"one step in a workflow: {arguments.iterations} rounds of activity / Nexus execute_tool"
            )
            report.probes = await measure_probes(stack, arguments.iterations)
        if "turns" not in arguments.skip:
            progress(f"per-turn latency, offline model: {arguments.turns} turns of each kind")
            report.turns = await measure_turns(stack, arguments.turns)
        if "concurrency" not in arguments.skip:
            progress(
                f"concurrency {arguments.concurrency} against a {arguments.model_latency:g} s stub model"
            )
            report.concurrency = await measure_concurrency(
                stack, arguments.concurrency, arguments.model_latency, arguments.concurrent_turns
            )
        if "long" not in arguments.skip:
            progress(f"a long chat of {arguments.long_turns} turns, offline model")
            report.long_chat = await measure_long_chat(stack, arguments.long_turns)
        if "recovery" not in arguments.skip:
            progress("recovery: SIGKILL the orchestrator worker mid-turn, restart it")
            report.recovery = [await measure_worker_recovery(stack)]
            report.skipped.append(NO_SLOW_TOOL)
        progress("stopping the stack")
    report.wall_s = round(time.perf_counter() - started, 1)
    report.targets = evaluate_targets(report)
    return report


def write_outputs(report: BenchmarkReport, output: Path, chart: bool) -> list[Path]:
    output.mkdir(parents=True, exist_ok=True)
    written = [output / "latest.json", output / "latest.md"]
    written[0].write_text(report.model_dump_json(indent=2) + "\n")
    written[1].write_text(markdown_report(report))
    if chart:
        from scripts.benchmark.chart import write_chart

        write_chart(report, output / "latest.png")
        written.append(output / "latest.png")
    return written


def main(argv: Sequence[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    # SIGTERM unwinds like Ctrl-C, so the stack is stopped either way.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    report = asyncio.run(run(arguments))
    print(text_report(report))
    print(f"\nwall time {report.wall_s:.0f} s")
    chart = not arguments.no_chart and importlib.util.find_spec("matplotlib") is not None
    if not arguments.no_chart and not chart:
        print("no matplotlib: the chart is skipped (pip install matplotlib)", file=sys.stderr)
    for path in write_outputs(report, arguments.output, chart=chart):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
