"""CPU and memory of processes, read from /proc (Linux) so the benchmark needs no extra dependency."""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass, field

from scripts.benchmark.models import ProcessUsage

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of ``pid`` so far."""
    with open(f"/proc/{pid}/stat") as stat:
        # The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` in MiB."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


@dataclass
class _Tracked:
    name: str
    pid: int
    cpu_start: float
    peak_rss: float = 0.0


@dataclass
class UsageSampler:
    """Measures CPU% and RSS of named processes between ``start()`` and ``stop()``, sampling memory meanwhile."""

    processes: dict[str, int]
    every_seconds: float = 0.25
    _tracked: list[_Tracked] = field(default_factory=list)
    _started: float = 0.0
    _task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._started = time.monotonic()
        self._tracked = [_Tracked(name, pid, cpu_seconds(pid)) for name, pid in self.processes.items()]
        self._task = asyncio.create_task(self._sample())

    async def _sample(self) -> None:
        while True:
            for tracked in self._tracked:
                tracked.peak_rss = max(tracked.peak_rss, rss_mb(tracked.pid))
            await asyncio.sleep(self.every_seconds)

    async def stop(self) -> list[ProcessUsage]:
        wall = time.monotonic() - self._started
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        usages = []
        for tracked in self._tracked:
            current = rss_mb(tracked.pid)
            usages.append(
                ProcessUsage(
                    name=tracked.name,
                    pid=tracked.pid,
                    cpu_percent=round(100 * (cpu_seconds(tracked.pid) - tracked.cpu_start) / wall, 1),
                    rss_mb=round(current, 1),
                    peak_rss_mb=round(max(tracked.peak_rss, current), 1),
                )
            )
        return usages
