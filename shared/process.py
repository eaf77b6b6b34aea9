"""Process plumbing shared by every entry point: run a worker until a signal, parse ``--profile``, and the
sticky-queue timeouts of the workers."""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import signal
import sys
from collections.abc import Coroutine, Sequence
from contextlib import AsyncExitStack
from datetime import timedelta
from typing import Any, NoReturn

from temporalio.worker import Worker

from shared.telemetry import flush_traces


class SettingsProblem(ValueError):
    """A process's settings are unusable or inconsistent; the message names what is missing. A worker
    refuses to start with it (``start_worker``), never runs half-configured."""


class ServerUnreachable(RuntimeError):
    """No Temporal server answers at the configured address (``shared.connection.connect``); the message, one
    line, names the address and what to start. A ``RuntimeError``, as the SDK's own connection failure is."""


STICKY_QUEUE_TIMEOUT = timedelta(seconds=2)
"""The orchestrator's ``sticky_queue_schedule_to_start_timeout`` (tool workers keep no workflow cached): a
killed worker's workflows move to another worker after this, not the 10 s default. Not shorter: at 100 chats
at once on 2 cores a busy but live worker takes over 1 s to pick up some of its sticky tasks (1 s gave 25 such
timeouts in 400 turns, 2 s none), and each one costs a replay of the chat's whole history on whichever worker
takes it."""


async def run_until_stopped(*workers: Worker) -> None:
    """Run ``workers`` until SIGINT or SIGTERM, then shut them down so in-flight tasks finish or hand over."""
    set_aside_startup_objects()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        async with AsyncExitStack() as running:
            for worker in workers:
                await running.enter_async_context(worker)
            await stop.wait()
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)


def set_aside_startup_objects() -> None:
    """Keep what the process built before serving (its imports: litellm alone leaves some 440,000 objects)
    out of the garbage collector's full collections, which otherwise walk all of it again each time: in a
    model-call worker each took 250-340 ms of CPU, two in 600 calls at 100 chats, holding up every call in
    flight. Frozen, a full collection walks only what serving created (23-28 ms there)."""
    gc.freeze()


def start_worker(main: Coroutine[Any, Any, None]) -> NoReturn:
    """Run a worker's ``main`` to its end, on uvloop where it is installed (``run_on_fastest_loop``);
    unusable settings or an unreachable server end it with their message (exit 2), not a traceback."""
    try:
        run_on_fastest_loop(main)
    except (SettingsProblem, ServerUnreachable) as problem:
        print(f"The worker cannot start: {problem}", file=sys.stderr)
        exit_process(2)
    exit_process(0)


def run_on_fastest_loop(main: Coroutine[Any, Any, None]) -> None:
    """Run ``main`` on uvloop (a dependency wherever it builds: not on Windows), else on asyncio's own loop.
    A worker is mostly its event loop's work: sockets to the server and to the model, callbacks from the
    Temporal core's threads and from litellm's executor. On uvloop each of the orchestrator's two workers
    took about a tenth less CPU per turn (docs/benchmarks.md)."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(main)
    else:
        uvloop.run(main)


def worker_arguments(description: str, argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line every worker accepts: ``--profile`` (an envconfig profile, else ``TEMPORAL_PROFILE``)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--profile",
        default=None,
        help="temporalio.envconfig profile to connect with (default: TEMPORAL_PROFILE, else the default profile)",
    )
    return parser.parse_args(argv)


def exit_process(code: int) -> NoReturn:
    """End a short-lived client process (a chat, a script) now, with ``code``, skipping interpreter
    teardown: the Temporal client's Rust threads can touch the interpreter while it finalizes, which aborts
    the process now and then (exit 134, "PyGILState_Release: thread state ... must be current";
    temporalio/sdk-python#300). Output and buffered spans are flushed first; call it only once the work is
    done."""
    flush_traces()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
