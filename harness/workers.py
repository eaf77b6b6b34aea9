"""Worker processes: real ``python -m <module>`` processes, each started from a ``WorkerSpec``, awaited until
that very process (or the fork it runs its worker in, ``shared.process.supervise_forks``) polls its task
queue, and stopped (or crashed, or restarted) by its own pid.

A part's worker module comes from the topology (``worker``), so a new team needs no change here.
"""

from __future__ import annotations

import asyncio
import compileall
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client

from harness.server import REPO_ROOT, StackError
from orchestrator.settings import ROLE_VARIABLE, TASK_QUEUE_VARIABLE
from shared.process import die_with_parent
from shared.topology import ORCHESTRATOR, Topology, load_topology

POLLING_WITHIN_SECONDS = 60.0
STOPPED_WITHIN_SECONDS = 20.0


@dataclass(frozen=True)
class WorkerSpec:
    """One worker process to run: its module, the queue it polls (to know when it is up), its own settings."""

    name: str
    module: str
    namespace: str
    task_queue: str
    env: Mapping[str, str] = field(default_factory=dict)
    serves_nexus: bool = False
    """A tool team's worker: up only once its Nexus poller polls too, not just its workflow poller."""
    serves_workflows: bool = True
    """False for a worker of activities alone (the orchestrator's ``activities`` role): up once it polls for
    them."""


def topology_workers(topology: Topology) -> dict[str, WorkerSpec]:
    """A worker for every part of the topology, by part name: the tool teams first, then the orchestrator."""
    return {
        part: WorkerSpec(
            part, site.worker, site.namespace, site.task_queue, serves_nexus=part != ORCHESTRATOR
        )
        for part, site in topology.sites().items()
    }


def orchestrator_on(task_queue: str, **env: str) -> WorkerSpec:
    """A second orchestrator worker on a task queue of its own (another model, say), named after it."""
    spec = topology_workers(load_topology())[ORCHESTRATOR]
    return replace(spec, name=task_queue, task_queue=task_queue, env={**env, TASK_QUEUE_VARIABLE: task_queue})


def by_role(spec: WorkerSpec) -> tuple[WorkerSpec, WorkerSpec]:
    """An orchestrator worker as two processes by role: one for the chats' workflows (``workflows``) and one
    for their activities, the model calls among them (``activities``)."""
    workflows = replace(spec, env={**spec.env, ROLE_VARIABLE: "workflows"})
    activities = replace(
        spec,
        name=f"{spec.name}-activities",
        env={**spec.env, ROLE_VARIABLE: "activities"},
        serves_workflows=False,
    )
    return workflows, activities


def replica(spec: WorkerSpec, number: int = 2) -> WorkerSpec:
    """Another process of the same worker on the same task queue, as a deployment runs two for failover."""
    return replace(spec, name=f"{spec.name}-{number}")


def pid_in(identity: str) -> int | None:
    """The pid in a worker's identity as the SDK makes it, ``<pid>@<host>``; None for another identity."""
    pid = identity.partition("@")[0]
    return int(pid) if pid.isdigit() else None


def children_of(pid: int) -> list[int]:
    """The live processes whose parent is ``pid`` (from /proc; none where there is none)."""
    children = []
    for entry in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = entry.read_text().rsplit(")", 1)[1].split()  # the name before ")" may hold spaces
        except OSError:  # gone meanwhile
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            children.append(int(entry.parent.name))
    return children


@cache
def compile_package(package: str) -> None:
    """Write the bytecode of ``package`` (and of ``shared``, which every worker imports), once per process,
    as a deployment image ships it: without it (``PYTHONDONTWRITEBYTECODE``, set on many CI machines) every
    worker start compiles the sources again (importing the orchestrator's worker took 0.63 s against 0.50 s
    here), and a restarted worker polls that much later."""
    for name in (package, "shared"):
        compileall.compile_dir(REPO_ROOT / name, quiet=2)


@cache
def log_dir() -> Path:
    """One folder for the logs of every worker this process starts (kept: a failure shows them)."""
    return Path(tempfile.mkdtemp(prefix="nexus-agents-workers-"))


class WorkerProcess:
    """One worker process of a running server; its output goes to a log file that a failure can show."""

    def __init__(self, spec: WorkerSpec, base_env: Mapping[str, str], client: Client) -> None:
        self.spec = spec
        self._base_env = dict(base_env)
        self._client = client
        self.process: subprocess.Popen[bytes] | None = None
        descriptor, path = tempfile.mkstemp(prefix=f"{spec.name}-", suffix=".log", dir=log_dir())
        os.close(descriptor)  # each run of the process opens it again
        self.log_path = Path(path)

    @property
    def module(self) -> str:
        return self.spec.module

    @property
    def pid(self) -> int:
        assert self.process is not None, f"{self.spec.name} was never started"
        return self.process.pid

    def pids(self) -> list[int]:
        """This process and its live children: the fork it runs its worker in, if it does
        (``supervise_forks``; a worker starts no other process)."""
        return [self.pid, *children_of(self.pid)]

    def spawn(self) -> WorkerProcess:
        """Start the process and return at once (``start`` also waits until it polls)."""
        compile_package(self.spec.module.split(".")[0])
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", self.spec.module],
                cwd=REPO_ROOT,
                env={**os.environ, **self._base_env, **self.spec.env},
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=die_with_parent(),  # even when this process is killed or os._exit()s
            )
        return self

    async def start(self) -> WorkerProcess:
        """Start the process and return once it polls its task queue."""
        self.spawn()
        try:
            await self.until_polling()
        except BaseException:
            self.stop()
            raise
        return self

    async def until_polling(self, within: float = POLLING_WITHIN_SECONDS) -> None:
        """Wait until this very process polls its task queue (a tool team's worker: for workflow and Nexus
        tasks both; a worker of activities alone: for activity tasks). Pollers are told apart by their identity
        (``<pid>@<host>``, this process's or its fork's), since a killed predecessor stays listed for a while.
        Fails at once, with the worker's log, if the process exits instead."""
        queue_types = [
            TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW
            if self.spec.serves_workflows
            else TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY
        ]
        if self.spec.serves_nexus:
            queue_types.append(TaskQueueType.TASK_QUEUE_TYPE_NEXUS)
        deadline = time.monotonic() + within
        for queue_type in queue_types:
            request = DescribeTaskQueueRequest(
                namespace=self.spec.namespace,
                task_queue=TaskQueue(name=self.spec.task_queue),
                task_queue_type=queue_type,
            )
            while not await self._polls(request):
                if time.monotonic() > deadline:
                    raise StackError(
                        f"worker {self.spec.name} does not poll {self.spec.namespace}/{self.spec.task_queue} "
                        f"({TaskQueueType.Name(queue_type)}) after {within:.0f} s:\n{self.log()}"
                    )
                await asyncio.sleep(0.05)

    async def _polls(self, request: DescribeTaskQueueRequest) -> bool:
        if not self.running():
            raise StackError(f"worker {self.spec.name} ({self.spec.module}) exited:\n{self.log()}")
        # retry=True: a busy server's transient errors (a cancelled or unavailable call) are retried, not fatal.
        response = await self._client.workflow_service.describe_task_queue(request, retry=True)
        ours = self.pids()
        return any(pid_in(poller.identity) in ours for poller in response.pollers)

    async def restart(self, env: Mapping[str, str] | None = None) -> None:
        """Stop and start again; with ``env``, the new process runs with these settings instead of the
        spec's own (``{}``: back to the suite's settings alone)."""
        self.stop()
        if env is not None:
            self.spec = replace(self.spec, env=dict(env))
        await self.start()

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout: float = STOPPED_WITHIN_SECONDS) -> int | None:
        """Ask the worker to shut down (SIGTERM), as an operator would; SIGKILL if it does not."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def kill(self) -> None:
        """Crash the worker (SIGKILL): nothing is shut down, as when a machine dies."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def kill_fork(self) -> int:
        """Crash the process this worker runs in, a fork of its supervisor (SIGKILL, as the kernel's
        out-of-memory killer would), and return its pid once it is dead (a zombie at most, which its
        supervisor reaps before it forks another; ``until_polling`` waits for that one)."""
        forks = children_of(self.pid)
        if len(forks) != 1:
            raise StackError(f"{self.spec.name} runs {len(forks)} forks of itself, not one")
        os.kill(forks[0], signal.SIGKILL)
        deadline = time.monotonic() + STOPPED_WITHIN_SECONDS
        while forks[0] in children_of(self.pid):
            if time.monotonic() > deadline:
                raise StackError(f"{self.spec.name} never reaped its killed fork {forks[0]}")
            time.sleep(0.01)
        return forks[0]

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")
