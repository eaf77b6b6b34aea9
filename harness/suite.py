"""The whole suite on one local server: ``running_suite`` starts (or reuses) the dev server, provisions the
topology, starts a worker process per part (or the ones asked for) and waits until each polls; on the way
out, even on an error or Ctrl-C, it stops exactly the processes it started, by pid.

Payloads are encrypted unless ``encrypted=False``: every worker gets the state folder's key file
(``PAYLOAD_KEYS_FILE``) and the suite's own clients encrypt and decrypt with the same keys.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from temporalio.client import Client

from harness.codec import NO_ENCRYPTION_ENV, StackEncryption
from harness.local_issuer import LocalIssuer
from harness.provisioning import create_endpoint, delete_endpoint, provision
from harness.server import DevServer, ServerState, free_port
from harness.workers import WorkerProcess, WorkerSpec, topology_workers
from shared.connection import data_converter_for
from shared.contract import SERVICE_NAME
from shared.encryption.keyring import load_keyring
from shared.nexus_endpoints import nexus_endpoint_ids
from shared.topology import ToolServiceSite, load_topology


@dataclass
class Suite:
    """A running server, a client on the orchestrator's namespace, and the worker processes by name."""

    server: DevServer
    state: ServerState
    client: Client
    base_env: dict[str, str]
    """Every worker's environment: the server's address, the suite's settings."""
    workers: dict[str, WorkerProcess] = field(default_factory=dict)
    created: list[str] = field(default_factory=list)
    """What provisioning created (namespaces, endpoints) that was not there yet."""
    endpoint_ids: dict[str, str] = field(default_factory=dict)
    encryption: StackEncryption | None = None
    """The key file and codec secret every part uses, when payloads are encrypted."""
    issuer: LocalIssuer | None = None
    """The local identity provider every part trusts, when identity is on."""
    _cleanup: AsyncExitStack = field(default_factory=AsyncExitStack)

    async def start_worker(self, spec: WorkerSpec) -> WorkerProcess:
        """Start a worker process (stopped with the suite) and return once it polls."""
        worker = WorkerProcess(spec, self.base_env, self.client)
        self._cleanup.push_async_callback(asyncio.to_thread, worker.stop)
        self.workers[spec.name] = worker
        return await worker.start()

    async def client_for(self, namespace: str) -> Client:
        """A client on ``namespace`` with the suite's data converter (its keys included)."""
        return await Client.connect(
            self.state.address, namespace=namespace, data_converter=self.client.data_converter
        )

    def show_command(self, workflow_id: str, namespace: str) -> str | None:
        """The ``temporal workflow show`` command that prints the workflow decoded through the codec server
        (None when payloads are not encrypted, or the server runs no codec server)."""
        if self.encryption is None or self.state.codec_port is None:
            return None
        return self.encryption.show_command(self.state.address, namespace, workflow_id, self.state.codec_port)

    def cli_env(self) -> dict[str, str]:
        """Environment for a ``temporal`` CLI process that reads and writes this suite's payloads through
        the codec server (empty when payloads are not encrypted or no codec server runs)."""
        if self.encryption is None or self.state.codec_port is None:
            return {}
        return self.encryption.cli_env(self.state.codec_port)

    def how_to_view(self, workflow_id: str, namespace: str) -> list[str]:
        """Lines telling a person how to see the workflow's payloads: decoded, when they are encrypted."""
        if self.encryption is None:
            return ["Payloads are not encrypted (--no-encryption): the UI and the CLI show them as stored."]
        key_id = load_keyring(self.encryption.keys_file).newest.id
        command = self.show_command(workflow_id, namespace)
        if command is None or self.state.codec_port is None:
            return [
                f"Payloads are encrypted (key {key_id}), but this dev server was started without a codec "
                "server: restart it (scripts/stack stop) to see them decoded."
            ]
        return [
            f"Payloads are encrypted (AES-256-GCM, key {key_id}): the server stores only ciphertext. To see "
            "the chat decoded:",
            f"  {command}",
            f"  or in the Temporal UI: {self.encryption.ui_hint(self.state.codec_port)}",
        ]

    async def provision(self) -> list[str]:
        """Create what the topology (as it is now) lists and the server lacks."""
        created = await provision(self.client, load_topology())
        self.endpoint_ids = await nexus_endpoint_ids(self.client)
        return created

    async def delete_endpoint(self, site: ToolServiceSite) -> None:
        """Delete ``site``'s Nexus endpoint, as if its team had never been set up."""
        await delete_endpoint(self.client, self.endpoint_ids.pop(site.endpoint))

    async def create_endpoint(self, site: ToolServiceSite) -> str:
        """Create ``site``'s Nexus endpoint (again, after a test deleted it); returns its id."""
        self.endpoint_ids[site.endpoint] = await create_endpoint(self.client, site)
        return self.endpoint_ids[site.endpoint]

    def nexus_url(self, endpoint: str, operation: str) -> str:
        """The HTTP address of a ``ToolService`` operation on the server: how any Nexus caller reaches it."""
        endpoint_id = self.endpoint_ids[endpoint]
        return (
            f"http://127.0.0.1:{self.state.http_port}/nexus/endpoints/{endpoint_id}"
            f"/services/{SERVICE_NAME}/{operation}"
        )


def connection_env(state: ServerState) -> dict[str, str]:
    """How a worker of this server connects: its address only. Each worker picks its own namespace, and a
    profile or namespace left in the developer's shell must not redirect it."""
    return {"TEMPORAL_ADDRESS": state.address, "TEMPORAL_NAMESPACE": "", "TEMPORAL_PROFILE": ""}


def offline_settings(ticket_db: Path) -> dict[str, str]:
    """Settings for a suite that must not depend on the developer's shell: the orchestrator's offline model
    (whatever model the shell names), no approval policy beyond the teams' own, and an IT ticket ledger of
    its own."""
    return {
        "AGENT_MODEL": "",
        "AGENT_API_BASE": "",
        "AGENT_API_KEY": "",
        "AGENT_APPROVAL_REQUIRED": "",
        "IT_TICKET_DB": str(ticket_db),
    }


@asynccontextmanager
async def running_suite(
    state_dir: Path,
    *,
    port: int | None = None,
    ui_port: int | None = None,
    env: Mapping[str, str] | None = None,
    workers: Sequence[WorkerSpec] | None = None,
    stop_server: bool = True,
    encrypted: bool = True,
    identity: bool = False,
) -> AsyncIterator[Suite]:
    """The suite on the dev server of ``state_dir`` (started on free ports unless given; a running one is
    reused). ``workers`` defaults to one per part of the topology; each runs with ``env``, then its own
    settings, and, unless ``encrypted`` is false, the folder's payload key file (made on first use). On exit
    the workers stop in reverse order, then the server if this call started it and ``stop_server`` is true
    (such a server, and its codec server, also die with this process, however it ends). With ``identity``,
    every part trusts the folder's local identity provider (``suite.issuer`` mints tokens); without it,
    every caller is the local developer, whatever the shell says."""
    server = DevServer(state_dir)
    async with AsyncExitStack() as cleanup:
        ours = server.running() is None
        if stop_server and ours:
            cleanup.push_async_callback(asyncio.to_thread, server.stop)
        state = await asyncio.to_thread(
            server.start,
            port or free_port(),
            ui_port or free_port(),
            outlive_caller=not stop_server,
            encrypted=encrypted,
        )
        # A reused server may have been started without encryption: the keys are made here all the same.
        encryption = await asyncio.to_thread(server.encryption.ensure) if encrypted else None
        client = await Client.connect(
            state.address,
            namespace=load_topology().orchestrator.namespace,
            data_converter=data_converter_for(encryption.keys_file if encryption else None),
        )
        encryption_env = encryption.worker_env() if encryption else NO_ENCRYPTION_ENV
        issuer = LocalIssuer(state_dir).ensure_keys() if identity else None
        identity_env = issuer.settings() if issuer else LocalIssuer.settings_off()
        suite = Suite(
            server,
            state,
            client,
            base_env={**connection_env(state), **(env or {}), **encryption_env, **identity_env},
            encryption=encryption,
            issuer=issuer,
        )
        await cleanup.enter_async_context(suite._cleanup)
        suite.created = await suite.provision()
        specs = list(topology_workers(load_topology()).values()) if workers is None else list(workers)
        processes = [WorkerProcess(spec, suite.base_env, client) for spec in specs]
        for process in processes:  # all at once: each takes seconds to import and connect
            suite._cleanup.push_async_callback(asyncio.to_thread, process.stop)
            suite.workers[process.spec.name] = process.spawn()
        for process in processes:
            await process.until_polling()
        yield suite
