"""Process plumbing shared by every entry point: run a worker until a signal, parse ``--profile``."""

from __future__ import annotations

import argparse
import asyncio
import signal
from collections.abc import Sequence

from temporalio.worker import Worker


async def run_until_stopped(worker: Worker) -> None:
    """Run ``worker`` until SIGINT or SIGTERM, then shut it down so in-flight tasks finish or hand over."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        async with worker:
            await stop.wait()
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)


def worker_arguments(description: str, argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line every worker accepts: ``--profile`` (an envconfig profile, else ``TEMPORAL_PROFILE``)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--profile",
        default=None,
        help="temporalio.envconfig profile to connect with (default: TEMPORAL_PROFILE, else the default profile)",
    )
    return parser.parse_args(argv)
