"""Process plumbing shared by every entry point: run a worker until a signal (in a forked child its process
replaces at once when it is killed, for a worker whose start is slow), parse ``--profile``, and the
sticky-queue timeouts of the workers."""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import gc
import os
import signal
import sys
import time
from collections.abc import Callable, Coroutine, Sequence
from contextlib import AsyncExitStack
from datetime import timedelta
from typing import Any, NoReturn

from temporalio.worker import Worker

from shared.log import configure_logging, get_logger
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


def start_worker(main: Coroutine[Any, Any, None], preload: Callable[[], bool] | None = None) -> NoReturn:
    """Run a worker's ``main`` to its end, on uvloop where it is installed (``run_on_fastest_loop``);
    unusable settings or an unreachable server end it with their message (exit 2), not a traceback.

    ``preload``, when given, runs first: it imports what the worker's start would wait for (litellm: 3-4 s)
    and says whether to keep it warm. Then ``main`` runs in a forked child of this process and a child that
    is killed is replaced at once by another fork, which starts with everything already imported
    (``supervise_forks``)."""
    try:
        if preload is not None and preload():
            supervise_forks()
        run_on_fastest_loop(main)
    except (SettingsProblem, ServerUnreachable) as problem:
        print(f"The worker cannot start: {problem}", file=sys.stderr)
        exit_process(2)
    exit_process(0)


QUICK_DEATH_SECONDS = 1.0
"""A fork polls 0.3-0.55 s after it is made: one that dies sooner than this most likely crashed as it started."""
RESTART_PAUSE_SECONDS = 1.0
"""After two such quick deaths in a row the next fork waits this long: a worker that cannot start is not
forked again in a tight loop, and a worker killed again and again while it serves is replaced at once."""
MAX_QUICK_DEATHS = 5
"""After this many quick deaths in a row the supervisor gives up (exit 1), so that what runs it (systemd,
Kubernetes) sees a worker that cannot start."""
PASSED_ON = (signal.SIGINT, signal.SIGTERM)
"""The signals a supervisor passes on to its fork, to shut it down as it would alone."""


def supervise_forks() -> None:
    """Fork the process that is to run the worker and return in it; in this process, never: it stays as the
    worker's supervisor, holding what it imported and nothing else (no thread, no connection, no event loop,
    so that a fork of it is sound). A child killed by a signal other than the ones this process passes on
    (SIGKILL from an operator or the kernel's out-of-memory killer, a crash) is replaced at once by another
    fork: it polls within a second, where a fresh process would first import for seconds. When the child
    exits by itself, or after SIGINT or SIGTERM (``PASSED_ON`` to it), this process exits with the child's
    code. The child dies with this process (``die_with_parent``)."""
    supervisor = os.getpid()
    child = 0
    stopping: int | None = None
    quick_deaths = 0

    def pass_on(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = signum
        if child:
            _signal_if_alive(child, signum)

    own_handlers = {signum: signal.signal(signum, pass_on) for signum in PASSED_ON}
    configure_logging()
    gc.freeze()  # what the imports built stays shared with every child, not copied as the collector walks it
    log = get_logger(__name__)
    while stopping is None:
        forked_at = time.monotonic()
        signal.pthread_sigmask(signal.SIG_BLOCK, PASSED_ON)  # until the new child is known: then passed on
        child = os.fork()
        if child == 0:
            for signum, handler in own_handlers.items():
                signal.signal(signum, handler)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, PASSED_ON)
            if (hook := die_with_parent()) is not None:
                hook()
            if os.getppid() != supervisor:  # it died between the fork and the hook
                os._exit(1)
            return
        signal.pthread_sigmask(signal.SIG_UNBLOCK, PASSED_ON)
        _, status = os.waitpid(child, 0)
        dead, child = child, 0
        code = os.waitstatus_to_exitcode(status)
        if stopping is not None or code >= 0 or -code in PASSED_ON:
            exit_process(code if code >= 0 else 128 - code)
        lived = time.monotonic() - forked_at
        quick_deaths = quick_deaths + 1 if lived < QUICK_DEATH_SECONDS else 0
        if quick_deaths >= MAX_QUICK_DEATHS:
            log.error("worker process keeps dying as it starts; giving up", deaths=quick_deaths)
            exit_process(1)
        log.warning(
            "worker process killed; forking another",
            pid=dead,
            signal=signal.strsignal(-code) or -code,
            lived_seconds=round(lived, 2),
        )
        if quick_deaths > 1:
            time.sleep(RESTART_PAUSE_SECONDS)
    exit_process(128 + stopping)


def _signal_if_alive(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass  # it has just exited: waitpid reports how


def die_with_parent() -> Callable[[], None] | None:
    """A hook for a child process to call first (``Popen(preexec_fn=...)``, or after ``os.fork``): Linux then
    SIGKILLs the child when the thread that started it ends, even by ``os._exit`` or SIGKILL. None where there
    is no ``prctl`` (macOS): there, a child outlives a killed parent."""
    if sys.platform != "linux":
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up here: a Popen child only calls it
    pr_set_pdeathsig = 1
    return lambda: prctl(pr_set_pdeathsig, signal.SIGKILL)


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
