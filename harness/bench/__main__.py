"""``scripts/bench [--quick]`` (``python -m harness.bench``): what durability costs, measured on a suite this
command starts and stops itself. Prints every figure and the targets, and writes latest.json, latest.md and
(with matplotlib, the ``bench`` extra) latest.png."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import tempfile
from pathlib import Path

from harness.bench.measurements import FULL, QUICK, run_bench
from harness.bench.output import as_markdown, write_outputs
from harness.server import REPO_ROOT
from shared.process import exit_process


def main() -> int:
    parser = argparse.ArgumentParser(description="Measure what durability costs, on a suite of its own.")
    parser.add_argument("--quick", action="store_true", help="small counts: a smoke run of about a minute")
    parser.add_argument(
        "--output", type=Path, default=REPO_ROOT / "docs" / "benchmarks", help="where latest.* go"
    )
    arguments = parser.parse_args()
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # unwinds like Ctrl-C: the suite is stopped
    with tempfile.TemporaryDirectory(prefix="bench-") as state_dir:
        report = asyncio.run(run_bench(QUICK if arguments.quick else FULL, Path(state_dir)))
    print(as_markdown(report))
    written = write_outputs(report, arguments.output)
    if not any(path.suffix == ".png" for path in written):
        print("warning: no matplotlib, the chart is skipped (pip install -e '.[bench]')", file=sys.stderr)
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    exit_process(main())
