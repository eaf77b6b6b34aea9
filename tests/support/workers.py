"""Worker processes that tests start, crash and restart: each knows the queue it polls, so a (re)start
waits until that very process is polling."""

from __future__ import annotations

from dataclasses import dataclass

from scripts.localstack import wait_for_pollers
from scripts.processes import WorkerProcess
from tests.support.stack import Stack


@dataclass
class PollingWorker:
    """A ``python -m <module>`` worker on one task queue of one namespace."""

    stack: Stack
    process: WorkerProcess
    namespace: str
    task_queue: str

    async def start(self) -> PollingWorker:
        self.process.start()
        try:
            await wait_for_pollers(self.stack.client, self.namespace, self.task_queue, pid=self.process.pid)
        except Exception:
            self.process.stop()
            raise AssertionError(f"{self.process.module} did not start:\n{self.process.log()}") from None
        return self

    async def restart(self, env: dict[str, str] | None = None) -> None:
        """Stop and start again; with ``env``, the new process runs with these settings instead."""
        self.process.stop()
        if env is not None:
            self.process = WorkerProcess(self.process.module, {**self.stack.worker_env, **env})
        await self.start()

    def kill(self) -> None:
        """SIGKILL: the worker vanishes mid-work, as when its machine dies."""
        self.process.kill()

    def stop(self) -> None:
        self.process.stop()
