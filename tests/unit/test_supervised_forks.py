"""``shared.process.supervise_forks`` with real processes (no Temporal): a fork that keeps dying as it starts is
not forked again in a tight loop, a fork dies with its supervisor, and SIGTERM ends both. What a killed fork
of a real worker costs is measured in ``tests/reliability/test_recovery_time.py``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import pairwise

import pytest

from harness.server import REPO_ROOT
from shared.process import MAX_QUICK_DEATHS, QUICK_DEATH_SECONDS, RESTART_PAUSE_SECONDS, die_with_parent

pytestmark = pytest.mark.skipif(
    sys.platform != "linux", reason="a fork dies with its supervisor on Linux only"
)

FORK_THEN = """
import os, signal, sys, time
from shared.process import supervise_forks
supervise_forks()
print(os.getpid(), time.monotonic(), flush=True)
{then}
"""
DIES_AT_ONCE = FORK_THEN.format(then="os.kill(os.getpid(), signal.SIGKILL)")
SERVES_UNTIL_SIGTERM = FORK_THEN.format(then="time.sleep(60)")
STOPPED_WITHIN_SECONDS = 30.0


@contextmanager
def supervisor(program: str) -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen(
        [sys.executable, "-c", program],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=die_with_parent(),
    )
    try:
        yield process
    finally:
        process.kill()
        process.wait()


def next_fork(process: subprocess.Popen[str]) -> tuple[int, float]:
    """The pid of the next fork the supervisor made, and when it started (``time.monotonic``)."""
    assert process.stdout is not None
    line = process.stdout.readline()
    assert line, f"the supervisor exited ({process.poll()}) instead of forking"
    pid, started = line.split()
    return int(pid), float(started)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a zombie is dead too
        return stat.read().rsplit(")", 1)[1].split()[0] != "Z"


def test_a_fork_that_dies_as_it_starts_is_forked_again_after_a_pause_then_the_supervisor_gives_up() -> None:
    with supervisor(DIES_AT_ONCE) as process:
        assert process.stdout is not None
        starts = [float(line.split()[1]) for line in process.stdout]  # until it exits
        code = process.wait()

    assert len(starts) == MAX_QUICK_DEATHS
    assert code == 1, "a worker that cannot start ends as a failure its own supervisor (systemd, k8s) sees"
    gaps = [later - earlier for earlier, later in pairwise(starts)]
    assert gaps[0] < QUICK_DEATH_SECONDS, "the first quick death is replaced at once"
    assert all(gap >= RESTART_PAUSE_SECONDS for gap in gaps[1:]), gaps


def test_a_fork_dies_with_its_supervisor_and_sigterm_ends_both() -> None:
    with supervisor(SERVES_UNTIL_SIGTERM) as process:
        fork, _ = next_fork(process)
        process.send_signal(signal.SIGTERM)
        code = process.wait(STOPPED_WITHIN_SECONDS)
        assert code == 128 + signal.SIGTERM, "the fork's own end (by SIGTERM) is the supervisor's exit code"
        assert not alive(fork)

    with supervisor(SERVES_UNTIL_SIGTERM) as process:
        fork, _ = next_fork(process)
        process.kill()
        process.wait()
        deadline = time.monotonic() + 5
        while alive(fork) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not alive(fork), "a fork outlived its SIGKILLed supervisor"
