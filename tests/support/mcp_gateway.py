"""The MCP gateway (``python -m orchestrator.mcp``) as the tests run it: a real process on the suite's server,
reached by the MCP SDK's own client. Over HTTP the test starts the process (and stops or kills it, by pid);
over stdio each client spawns its own, as Claude Desktop does. Every process's log is kept for a failure."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, TextIO

import httpx2
from mcp import Client
from mcp.client.session import ElicitationFnT, MessageHandlerFnT
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client

from harness.server import REPO_ROOT, free_port
from harness.suite import Suite
from harness.workers import log_dir
from shared.process import die_with_parent

Transport = Literal["stdio", "http"]
Mode = Literal["legacy", "auto"]
"""The MCP SDK client's protocol era: ``legacy`` opens with the initialize handshake (as most clients do),
``auto`` with 2026-07-28 discovery."""
MODULE = "orchestrator.mcp"
REFRESH_SECONDS = "1"
CATALOG_MAX_AGE_SECONDS = "1"
"""The gateways the tests start find the teams' tools again every second: a team added shows at once."""
SERVING_WITHIN_SECONDS = 60.0
STOPPED_WITHIN_SECONDS = 20.0
READ_TIMEOUT_SECONDS = 60.0


def gateway_env(stack: Suite, env: Mapping[str, str] | None = None) -> dict[str, str]:
    """How a gateway process of this suite connects (and encrypts), as its workers do."""
    return {**os.environ, **stack.base_env, **(env or {})}


def gateway_arguments(gateway_id: str, *more: str) -> list[str]:
    return [
        *("-m", MODULE, "--gateway-id", gateway_id),
        *("--refresh-seconds", REFRESH_SECONDS, "--catalog-max-age", CATALOG_MAX_AGE_SECONDS),
        *more,
    ]


async def run_command(stack: Suite, *arguments: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m orchestrator.mcp <arguments>`` (``approve``, ``deny``) to its end."""
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", MODULE, *arguments],
        cwd=REPO_ROOT,
        env=gateway_env(stack),
        capture_output=True,
        text=True,
        timeout=60,
    )


def new_log(name: str) -> Path:
    descriptor, path = tempfile.mkstemp(prefix=f"{name}-", suffix=".log", dir=log_dir())
    os.close(descriptor)
    return Path(path)


class HttpGateway:
    """One ``python -m orchestrator.mcp --http`` process on a free loopback port."""

    def __init__(self, stack: Suite, gateway_id: str, env: Mapping[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/mcp"
        self.log_path = new_log(f"mcp-http-{gateway_id}")
        self._command = [
            sys.executable,
            *gateway_arguments(gateway_id, "--http", "--port", str(self.port)),
        ]
        self._env = gateway_env(stack, env)
        self.process: subprocess.Popen[bytes] | None = None

    def spawn(self) -> subprocess.Popen[bytes]:
        """Start the process and return at once (``start`` also waits until it serves)."""
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self._command,
                cwd=REPO_ROOT,
                env=self._env,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=die_with_parent(),
            )
        return self.process

    async def start(self) -> HttpGateway:
        """Start the process and return once it accepts connections (its tools are found by then)."""
        process = self.spawn()
        deadline = time.monotonic() + SERVING_WITHIN_SECONDS
        while not self._accepts():
            if process.poll() is not None:
                raise AssertionError(f"the MCP gateway exited ({process.returncode}):\n{self.log()}")
            if time.monotonic() > deadline:
                self.stop()
                raise AssertionError(
                    f"the MCP gateway does not listen after {SERVING_WITHIN_SECONDS:.0f} s:\n{self.log()}"
                )
            await asyncio.sleep(0.1)
        return self

    def _accepts(self) -> bool:
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", self.port)) == 0

    def kill(self) -> None:
        """Crash it (SIGKILL), as when its machine dies."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def stop(self) -> None:
        """Stop it (SIGTERM), as an operator would; SIGKILL if it does not."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(STOPPED_WITHIN_SECONDS)
        except subprocess.TimeoutExpired:
            self.kill()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


class McpGateway:
    """One gateway id under test, over one transport: clients of the MCP SDK connect to it."""

    def __init__(
        self, stack: Suite, gateway_id: str, transport: Transport, env: Mapping[str, str] | None = None
    ) -> None:
        self.stack = stack
        self.gateway_id = gateway_id
        self.transport = transport
        self._env = env
        self.http: HttpGateway | None = None
        self._stdio_logs: list[Path] = []
        self._open_logs: list[TextIO] = []

    async def __aenter__(self) -> McpGateway:
        if self.transport == "http":
            self.http = await HttpGateway(self.stack, self.gateway_id, self._env).start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self.http is not None:
            await asyncio.to_thread(self.http.stop)
        for log in self._open_logs:
            log.close()

    def client(
        self,
        *,
        mode: Mode = "auto",
        elicitation: ElicitationFnT | None = None,
        messages: MessageHandlerFnT | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Client:
        """A client of the MCP SDK; over stdio it spawns a gateway process of its own."""
        server: Any
        if self.http is not None:
            server = self.http.url
            if headers:  # the SDK's HTTP client, sending them with every request
                server = streamable_http_client(
                    self.http.url, http_client=httpx2.AsyncClient(headers=dict(headers))
                )
        else:
            path = new_log(f"mcp-stdio-{self.gateway_id}")
            self._stdio_logs.append(path)
            self._open_logs.append(path.open("a"))
            parameters = StdioServerParameters(
                command=sys.executable,
                args=gateway_arguments(self.gateway_id),
                env=gateway_env(self.stack, self._env),
                cwd=REPO_ROOT,
            )
            server = stdio_client(parameters, errlog=self._open_logs[-1])
        return Client(
            server,
            mode=mode,
            elicitation_callback=elicitation,
            message_handler=messages,
            read_timeout_seconds=READ_TIMEOUT_SECONDS,
        )

    def logs(self) -> str:
        """Every process's log, for a failure's message."""
        parts = [self.http.log()] if self.http is not None else []
        parts.extend(log.read_text(errors="replace") for log in self._stdio_logs)
        return "\n---\n".join(parts)
