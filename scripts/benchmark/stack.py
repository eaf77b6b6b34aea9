"""The stack a benchmark run owns: a dev server on free ports with its state in a temporary directory, the
namespaces and Nexus endpoints, the tool workers, two orchestrator workers (the offline model, and a stub
model on 127.0.0.1 with its own task queue), all real processes stopped by pid when the run ends."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from scripts.llm_stub import LlmStub, completion
from scripts.localstack import LocalStack, ServerState, free_port, setup
from scripts.processes import WorkerProcess
from shared.topology import load_topology

STUB_TASK_QUEUE = "bench-stub-llm"
STUB_REPLY = "Hello from the stub model."
OFFLINE = "orchestrator"
STUB = "orchestrator-stub"


@dataclass(frozen=True)
class WorkerSpec:
    """How to start (and restart) one worker process, and where it polls."""

    module: str
    namespace: str
    task_queue: str
    env: dict[str, str]


@dataclass
class BenchStack:
    """What the measurements use: a client on ``default``, the worker processes by name, the stub model."""

    server: ServerState
    client: Client
    stub: LlmStub
    specs: dict[str, WorkerSpec]
    workers: dict[str, WorkerProcess] = field(default_factory=dict)

    @property
    def offline_task_queue(self) -> str:
        return self.specs[OFFLINE].task_queue

    async def start_worker(self, name: str) -> WorkerProcess:
        """Start the worker ``name`` and return once it polls its task queue."""
        spec = self.specs[name]
        worker = WorkerProcess(spec.module, spec.env).start()
        self.workers[name] = worker
        await self.until_polling(name)
        return worker

    async def until_polling(self, name: str, within: float = 60.0) -> None:
        """Wait until this very process polls its task queue (a killed predecessor stays listed as a poller
        for a while, so pollers are told apart by their identity, ``<pid>@<host>``); fail at once, with the
        worker's log, if it exits instead."""
        spec, worker = self.specs[name], self.workers[name]
        request = DescribeTaskQueueRequest(
            namespace=spec.namespace,
            task_queue=TaskQueue(name=spec.task_queue),
            task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        )
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if not worker.running():
                raise RuntimeError(f"{spec.module} exited at start:\n{worker.log()}")
            response = await self.client.workflow_service.describe_task_queue(request)
            if any(poller.identity.startswith(f"{worker.pid}@") for poller in response.pollers):
                return
            await asyncio.sleep(0.05)
        raise RuntimeError(f"{spec.module} does not poll after {within:.0f} s:\n{worker.log()}")

    def kill(self, name: str) -> None:
        """SIGKILL the worker ``name``, as when its machine dies."""
        self.workers[name].kill()

    def pids(self) -> dict[str, int]:
        return {name: worker.pid for name, worker in self.workers.items() if worker.running()}

    def stop_workers(self) -> None:
        for worker in self.workers.values():
            worker.stop()
            worker.log_path.unlink(missing_ok=True)


def _worker_specs(address: str, stub: LlmStub) -> dict[str, WorkerSpec]:
    topology = load_topology()
    base = {
        "TEMPORAL_ADDRESS": address,
        "TEMPORAL_NAMESPACE": "",
        "TEMPORAL_PROFILE": "",
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
    }
    specs = {
        team: WorkerSpec(f"{team}_service.worker", site.namespace, site.task_queue, base)
        for team, site in topology.tool_services.items()
    }
    site = topology.orchestrator
    offline = {"AGENT_MODEL": "", "AGENT_API_BASE": "", "AGENT_API_KEY": "", "ORCHESTRATOR_TASK_QUEUE": ""}
    specs[OFFLINE] = WorkerSpec("orchestrator.worker", site.namespace, site.task_queue, {**base, **offline})
    stubbed = {
        "AGENT_MODEL": "openai/stub-model",
        "AGENT_API_BASE": stub.base_url,
        "AGENT_API_KEY": "stub-key-not-a-secret",
        "ORCHESTRATOR_TASK_QUEUE": STUB_TASK_QUEUE,
    }
    specs[STUB] = WorkerSpec("orchestrator.worker", site.namespace, STUB_TASK_QUEUE, {**base, **stubbed})
    return specs


@asynccontextmanager
async def bench_stack() -> AsyncIterator[BenchStack]:
    """Bring the whole stack up; on the way out (also on Ctrl-C or an error) stop everything it started."""
    state_dir = Path(tempfile.mkdtemp(prefix="bench-stack-"))
    local = LocalStack(state_dir)
    stub = LlmStub(responder=lambda _body: completion(STUB_REPLY), record_requests=False).start()
    stack: BenchStack | None = None
    try:
        server = local.start(free_port(), free_port())
        setup(server.address)
        client = await Client.connect(
            server.address,
            namespace=load_topology().orchestrator.namespace,
            data_converter=pydantic_data_converter,
        )
        stack = BenchStack(
            server=server,
            client=client,
            stub=stub,
            specs=_worker_specs(server.address, stub),
        )
        for name in stack.specs:
            stack.workers[name] = WorkerProcess(stack.specs[name].module, stack.specs[name].env).start()
        for name in stack.specs:
            await stack.until_polling(name)
        yield stack
    finally:
        if stack is not None:
            stack.stop_workers()
        stub.stop()
        local.stop()
        shutil.rmtree(state_dir, ignore_errors=True)
