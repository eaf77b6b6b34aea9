"""Every team's tools over MCP (``python -m orchestrator.mcp``), as a client of the real MCP Python SDK sees
them, over stdio and streamable HTTP, in both protocol eras the SDK speaks: the real dev server, the real team
workers and orchestrator worker, real gateway processes. Each test has a gateway (workflow id) of its own.

What a client sees: the gateway's catalog as its tool list, and a new team in it while connected; a call's
result, made once through Nexus (also when the gateway process dies mid-call and the call is sent again with
its idempotency key); a bad call as a tool error naming the problem; a call that needs a person's yes asked
through elicitation, or explained with the command that decides it."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, cast

import mcp_types as types
import pytest
from mcp import Client
from mcp.client.session import ClientRequestContext, ElicitationFnT
from mcp_types.version import MODERN_PROTOCOL_VERSIONS
from temporalio.client import WorkflowExecutionStatus
from temporalio.service import RPCError

from harness.chaos import tickets_titled
from harness.local_issuer import EVERY_TOOL_SCOPE
from harness.server import REPO_ROOT, free_port
from harness.suite import Suite, offline_settings, running_suite
from harness.workers import WorkerProcess, orchestrator_on, topology_workers
from orchestrator.chat import TOKEN_VARIABLE
from orchestrator.gateway_workflow import ToolGatewayWorkflow
from orchestrator.mcp.calls import IDEMPOTENCY_KEY_META, cancel_and_wait
from orchestrator.settings import TASK_QUEUE_VARIABLE
from orchestrator.tool_gateway import ToolGateway
from shared.contract import EXECUTE_TOOL
from shared.topology import TOPOLOGY_FILE, TOPOLOGY_PATH_ENV, load_topology
from tests.integration.agent_support import nexus_schedules
from tests.integration.test_new_team import write_team_from_guide
from tests.support.gated_calls import tool_runs
from tests.support.mcp_gateway import (
    HttpGateway,
    McpGateway,
    Mode,
    Transport,
    gateway_arguments,
    gateway_env,
    run_command,
)
from tests.support.teams import declared_tools, teams
from tests.support.waiting import eventually

TRANSPORTS: list[Transport] = ["stdio", "http"]
MODES: list[Mode] = ["legacy", "auto"]
ERAS = [(transport, mode) for transport in TRANSPORTS for mode in MODES]
NEW_TEAM_QUEUE = "orchestrator-mcp-new-team"


@pytest.fixture
async def gateway_id(stack: Suite) -> AsyncIterator[str]:
    """A gateway of the test's own; stopped at its end (its processes are gone by then)."""
    gateway_id = f"mcp-gateway-{uuid.uuid4().hex[:12]}"
    yield gateway_id
    try:
        await stack.client.get_workflow_handle(gateway_id).signal(ToolGatewayWorkflow.stop)
    except RPCError:
        pass  # never started


def gateway_of(stack: Suite, gateway_id: str) -> ToolGateway:
    return ToolGateway(stack.client.get_workflow_handle_for(ToolGatewayWorkflow.run, gateway_id))


def keyed(key: str) -> types.RequestParamsMeta:
    """A request's ``_meta`` naming its idempotency key (an open map, to the SDK's types)."""
    return cast(types.RequestParamsMeta, {IDEMPOTENCY_KEY_META: key})


def text_of(result: types.CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if isinstance(block, types.TextContent))


def title(test: str) -> str:
    return f"MCP {test} {uuid.uuid4().hex[:8]}"


def answering(
    action: Literal["accept", "decline", "cancel"], asked: list[str], **content: str | bool
) -> ElicitationFnT:
    """An elicitation callback that notes each question and answers ``action`` (with ``content``)."""

    async def answer(context: ClientRequestContext, params: types.ElicitRequestParams) -> types.ElicitResult:
        asked.append(params.message)
        return types.ElicitResult(action=action, content=dict(content) or None)

    return answer


@pytest.mark.usefixtures("orchestrator_worker")
@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_the_listed_tools_are_the_gateways_catalog_as_the_agent_names_them(
    stack: Suite, gateway_id: str, transport: Transport
) -> None:
    async with McpGateway(stack, gateway_id, transport) as gateway, gateway.client() as client:
        listed = (await client.list_tools()).tools
    catalog = await gateway_of(stack, gateway_id).catalog()

    assert [(tool.name, tool.description, tool.input_schema) for tool in listed] == [
        (tool.name, tool.description, tool.parameters) for tool in catalog.tools
    ]
    every_tool = {f"{team}__{spec.name}" for team in teams() for spec in declared_tools(team)}
    assert {tool.name for tool in listed} == every_tool


@pytest.mark.usefixtures("orchestrator_worker")
@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_a_call_returns_the_tools_result_from_one_nexus_call_and_one_tool_workflow(
    stack: Suite, gateway_id: str, transport: Transport
) -> None:
    since = datetime.now(UTC)
    key = f"quote-{uuid.uuid4()}"
    async with McpGateway(stack, gateway_id, transport) as gateway, gateway.client() as client:
        result = await client.call_tool("finance__stock_price", {"ticker": "MSFT"}, meta=keyed(key))

    assert not result.is_error, text_of(result)
    assert isinstance(result.structured_content, dict)
    assert result.structured_content["ticker"] == "MSFT"
    assert json.loads(text_of(result)) == result.structured_content
    history = stack.client.get_workflow_handle(gateway_id)
    assert len(await nexus_schedules(history, EXECUTE_TOOL)) == 1
    call_id = gateway_of(stack, gateway_id).call_id(key)
    assert len(await tool_runs(stack, "finance", call_id, since, at_least=1)) == 1


@pytest.mark.usefixtures("orchestrator_worker")
async def test_a_call_sent_again_with_its_key_gets_the_first_outcome_without_running_again(
    stack: Suite, gateway_id: str
) -> None:
    key = f"ip-{uuid.uuid4()}"
    async with McpGateway(stack, gateway_id, "http") as gateway, gateway.client() as client:
        first = await client.call_tool("it__get_ip", {}, meta=keyed(key))
        again = await client.call_tool("it__get_ip", {}, meta=keyed(key))

    assert not first.is_error, text_of(first)
    assert again.structured_content == first.structured_content
    assert len(await nexus_schedules(stack.client.get_workflow_handle(gateway_id), EXECUTE_TOOL)) == 1


@pytest.mark.timeout(180)
@pytest.mark.usefixtures("orchestrator_worker")
async def test_a_call_cut_off_by_a_killed_gateway_runs_once_when_sent_again_to_a_new_one(
    stack: Suite, gateway_id: str, ticket_db: Path
) -> None:
    ticket = title("killed gateway")
    key = f"ticket-{uuid.uuid4()}"
    call_id = gateway_of(stack, gateway_id).call_id(key)
    first = await HttpGateway(stack, gateway_id).start()
    asked: list[str] = []

    async def kill_the_gateway(
        context: ClientRequestContext, params: types.ElicitRequestParams
    ) -> types.ElicitResult:
        asked.append(params.message)
        await asyncio.to_thread(first.kill)  # mid-call: the call waits for approval in the gateway workflow
        return types.ElicitResult(action="cancel")

    try:
        with pytest.raises(BaseException):  # noqa: B017 - the connection dies, however the SDK says so
            async with Client(first.url, mode="legacy", elicitation_callback=kill_the_gateway) as client:
                await client.call_tool("it__create_ticket", {"title": ticket}, meta=keyed(key))
    finally:
        first.kill()
    assert asked, "the gateway was killed before the call waited"
    approved = await run_command(stack, "approve", call_id, "--gateway-id", gateway_id)
    assert approved.returncode == 0, approved.stderr
    async with McpGateway(stack, gateway_id, "http") as second, second.client(mode="legacy") as client:
        retried = await client.call_tool("it__create_ticket", {"title": ticket}, meta=keyed(key))
        again = await client.call_tool("it__create_ticket", {"title": ticket}, meta=keyed(key))

    assert not retried.is_error, text_of(retried)
    assert isinstance(retried.structured_content, dict)
    assert retried.structured_content["title"] == ticket
    assert again.structured_content == retried.structured_content
    assert tickets_titled(ticket_db, ticket) == 1


@pytest.mark.usefixtures("orchestrator_worker")
async def test_a_gateway_workflow_that_stopped_is_started_again_and_calls_go_on(
    stack: Suite, gateway_id: str
) -> None:
    async with McpGateway(stack, gateway_id, "http") as gateway, gateway.client() as client:
        before = await stack.client.get_workflow_handle(gateway_id).describe()
        await stack.client.get_workflow_handle(gateway_id).signal(ToolGatewayWorkflow.stop)

        async def started_again() -> bool:
            described = await stack.client.get_workflow_handle(gateway_id).describe()
            return described.run_id != before.run_id and described.status == WorkflowExecutionStatus.RUNNING

        await eventually(started_again, within=30, what="the gateway runs again")
        result = await client.call_tool("it__get_ip", {})

    assert not result.is_error, text_of(result)


@pytest.mark.usefixtures("orchestrator_worker")
async def test_invalid_arguments_are_a_tool_error_naming_the_problem(stack: Suite, gateway_id: str) -> None:
    async with McpGateway(stack, gateway_id, "http") as gateway, gateway.client() as client:
        result = await client.call_tool("finance__stock_price", {"tickr": "MSFT"})

    assert result.is_error
    assert "ticker: Field required" in text_of(result)
    assert "tickr: Extra inputs are not permitted" in text_of(result)


@pytest.mark.usefixtures("orchestrator_worker")
async def test_an_unknown_tool_is_a_tool_error_listing_the_available_tools(
    stack: Suite, gateway_id: str
) -> None:
    async with McpGateway(stack, gateway_id, "stdio") as gateway, gateway.client() as client:
        listed = [tool.name for tool in (await client.list_tools()).tools]
        result = await client.call_tool("it__reboot_everything", {})

    assert result.is_error
    assert (
        text_of(result) == f"There is no tool 'it__reboot_everything'. Available tools: {', '.join(listed)}."
    )


@pytest.mark.usefixtures("orchestrator_worker")
@pytest.mark.parametrize(("transport", "mode"), ERAS)
async def test_a_client_that_can_be_asked_approves_the_call_through_elicitation_and_it_runs_once(
    stack: Suite, gateway_id: str, ticket_db: Path, transport: Transport, mode: Mode
) -> None:
    ticket = title(f"approved {transport} {mode}")
    asked: list[str] = []
    approve = answering("accept", asked, approve=True, reason="printer is on fire")
    async with (
        McpGateway(stack, gateway_id, transport) as gateway,
        gateway.client(mode=mode, elicitation=approve) as client,
    ):
        result = await client.call_tool("it__create_ticket", {"title": ticket})

    assert not result.is_error, text_of(result)
    assert isinstance(result.structured_content, dict)
    assert result.structured_content["title"] == ticket
    assert len(asked) == 1
    assert f'it/create_ticket(title="{ticket}")' in asked[0]
    assert tickets_titled(ticket_db, ticket) == 1


@pytest.mark.usefixtures("orchestrator_worker")
async def test_a_client_that_declines_the_elicitation_denies_the_call(
    stack: Suite, gateway_id: str, ticket_db: Path
) -> None:
    ticket = title("declined")
    asked: list[str] = []
    async with (
        McpGateway(stack, gateway_id, "http") as gateway,
        gateway.client(mode="legacy", elicitation=answering("decline", asked)) as client,
    ):
        result = await client.call_tool("it__create_ticket", {"title": ticket})

    assert result.is_error
    assert "denied" in text_of(result) and "declined in the MCP client" in text_of(result)
    assert tickets_titled(ticket_db, ticket) == 0


@pytest.mark.usefixtures("orchestrator_worker")
async def test_a_client_that_cannot_be_asked_is_told_how_to_approve_and_gets_the_outcome_after(
    stack: Suite, gateway_id: str, ticket_db: Path
) -> None:
    ticket = title("approved from the command line")
    key = f"ticket-{uuid.uuid4()}"
    call_id = gateway_of(stack, gateway_id).call_id(key)
    async with McpGateway(stack, gateway_id, "stdio") as gateway, gateway.client() as client:
        waiting = await client.call_tool("it__create_ticket", {"title": ticket}, meta=keyed(key))
        not_yet = tickets_titled(ticket_db, ticket)
        approved = await run_command(stack, "approve", call_id, "--gateway-id", gateway_id)
        outcome = await client.call_tool("it__create_ticket", {"title": ticket}, meta=keyed(key))

    assert waiting.is_error
    told = text_of(waiting)
    assert "waits for a person's approval" in told
    assert f'it/create_ticket(title="{ticket}")' in told and "no decision by" in told
    assert f"python -m orchestrator.mcp approve {call_id} --gateway-id {gateway_id}" in told
    assert f"python -m orchestrator.mcp deny {call_id} --gateway-id {gateway_id}" in told
    assert repr(key) in told
    assert not_yet == 0
    assert approved.returncode == 0, approved.stderr
    assert f"approved: it/create_ticket, call {call_id}" in approved.stdout
    assert not outcome.is_error, text_of(outcome)
    assert tickets_titled(ticket_db, ticket) == 1


@pytest.mark.usefixtures("orchestrator_worker")
async def test_the_deny_command_refuses_a_waiting_call_with_its_reason(
    stack: Suite, gateway_id: str, ticket_db: Path
) -> None:
    ticket = title("denied from the command line")
    key = f"ticket-{uuid.uuid4()}"
    call_id = gateway_of(stack, gateway_id).call_id(key)
    async with McpGateway(stack, gateway_id, "http") as gateway, gateway.client(mode="legacy") as client:
        await client.call_tool("it__create_ticket", {"title": ticket}, meta=keyed(key))
        denied = await run_command(
            stack, "deny", call_id, "--gateway-id", gateway_id, "--reason", "not today"
        )
        outcome = await client.call_tool("it__create_ticket", {"title": ticket}, meta=keyed(key))
        decided_again = await run_command(stack, "approve", call_id, "--gateway-id", gateway_id)

    assert denied.returncode == 0, denied.stderr
    assert outcome.is_error and "denied" in text_of(outcome) and "not today" in text_of(outcome)
    assert decided_again.returncode == 1
    assert f"No call {call_id} waits for approval" in decided_again.stderr
    assert tickets_titled(ticket_db, ticket) == 0


class ToolListWatch:
    """Whether a client was told that its tools changed: by ``notifications/tools/list_changed`` on its
    connection (handshake era), or on a ``subscriptions/listen`` stream it opened (2026-07-28)."""

    def __init__(self) -> None:
        self.changed = asyncio.Event()
        self.listening = asyncio.Event()

    async def note(self, message: object) -> None:
        if isinstance(message, types.ToolListChangedNotification):
            self.changed.set()

    async def listen(self, client: Client) -> None:
        async with client.listen(tools_list_changed=True) as subscription:
            self.listening.set()
            async for _ in subscription:
                self.changed.set()


async def tool_names(client: Client) -> set[str]:
    return {tool.name for tool in (await client.list_tools()).tools}


@pytest.mark.timeout(300)
async def test_a_team_added_while_clients_are_connected_appears_in_their_lists(
    stack: Suite,
    tool_workers: dict[str, WorkerProcess],
    gateway_id: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    team, site = write_team_from_guide(tmp_path / "code")
    site = {**site, **{key: f"{site[key]}-mcp-check" for key in ("namespace", "task_queue", "endpoint")}}
    topology = json.loads(TOPOLOGY_FILE.read_text())
    topology["tool_services"].pop(team, None)
    topology_path = tmp_path / "topology.json"
    topology_path.write_text(json.dumps(topology))
    monkeypatch.setenv(TOPOLOGY_PATH_ENV, str(topology_path))  # this test's harness calls read it too
    where = {TOPOLOGY_PATH_ENV: str(topology_path), TASK_QUEUE_VARIABLE: NEW_TEAM_QUEUE}
    orchestrator = await stack.start_worker(orchestrator_on(NEW_TEAM_QUEUE, **where))
    new_tool = f"{team}__headcount"
    before: dict[str, set[str]] = {}
    after: dict[str, set[str]] = {}
    try:
        async with AsyncExitStack() as opened:
            clients: dict[str, tuple[Client, ToolListWatch]] = {}
            for transport in TRANSPORTS:
                gateway = await opened.enter_async_context(McpGateway(stack, gateway_id, transport, where))
                for mode in MODES:
                    watch = ToolListWatch()
                    client = await opened.enter_async_context(gateway.client(mode=mode, messages=watch.note))
                    clients[f"{transport}/{mode}"] = (client, watch)
            for era, (client, watch) in clients.items():
                before[era] = await tool_names(client)
                if client.protocol_version in MODERN_PROTOCOL_VERSIONS:
                    listening = asyncio.create_task(watch.listen(client))
                    opened.push_async_callback(cancel_and_wait, listening)
                    await asyncio.wait_for(watch.listening.wait(), timeout=10)

            topology["tool_services"][team] = site
            topology_path.write_text(json.dumps(topology))
            await stack.provision()
            spec = topology_workers(load_topology())[team]
            code = {"PYTHONPATH": str(tmp_path / "code"), TOPOLOGY_PATH_ENV: str(topology_path)}
            new_team = await stack.start_worker(replace(spec, env=code))
            opened.push_async_callback(asyncio.to_thread, new_team.stop)
            for era, (client, watch) in clients.items():
                await asyncio.wait_for(watch.changed.wait(), timeout=60)
                after[era] = await tool_names(client)
    finally:
        await asyncio.to_thread(orchestrator.stop)

    assert set(after) == {f"{transport}/{mode}" for transport in TRANSPORTS for mode in MODES}
    for era, tools in after.items():
        assert new_tool not in before[era], era
        assert new_tool in tools, era


async def test_a_gateway_that_cannot_reach_temporal_says_so_in_one_line() -> None:
    address = f"127.0.0.1:{free_port()}"
    env = {**os.environ, "TEMPORAL_ADDRESS": address, "TEMPORAL_NAMESPACE": "", "TEMPORAL_PROFILE": ""}
    ended = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "orchestrator.mcp"],
        cwd=REPO_ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert ended.returncode == 2
    assert f"Cannot reach Temporal at {address}" in ended.stderr
    assert "Traceback" not in ended.stderr
    assert ended.stdout == "", "stdout is the protocol's alone"


# --- With identity: the suite trusts an issuer ------------------------------------------------------------


@pytest.fixture(scope="module")
async def secured(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Suite]:
    """A suite of this module's own whose parts trust the local identity provider."""
    state = tmp_path_factory.mktemp("mcp-secured")
    async with running_suite(state, env=offline_settings(state / "tickets.db"), identity=True) as suite:
        yield suite


def token(suite: Suite, person: str) -> str:
    assert suite.issuer is not None
    return suite.issuer.mint(person, EVERY_TOOL_SCOPE)


async def test_an_http_caller_calls_as_the_person_their_bearer_token_names(secured: Suite) -> None:
    owner = {TOKEN_VARIABLE: token(secured, "gateway-owner")}
    alice = {"Authorization": f"Bearer {token(secured, 'alice')}"}
    approve = answering("accept", [], approve=True)
    async with McpGateway(secured, f"mcp-gateway-{uuid.uuid4().hex[:12]}", "http", owner) as gateway:
        async with gateway.client(mode="legacy", headers=alice, elicitation=approve) as as_alice:
            made = await as_alice.call_tool("it__create_ticket", {"title": title("alice's")})
        async with gateway.client(mode="legacy") as without_token:
            refused = await without_token.call_tool("it__get_ip", {})

    assert not made.is_error, text_of(made)
    assert isinstance(made.structured_content, dict)
    assert made.structured_content["requested_by"] == "alice"
    assert refused.is_error
    assert "No token" in text_of(refused) and "scripts/token" in text_of(refused)


async def test_a_stdio_caller_calls_as_the_person_whose_token_the_process_holds(secured: Suite) -> None:
    bob = {TOKEN_VARIABLE: token(secured, "bob")}
    approve = answering("accept", [], approve=True)
    async with (
        McpGateway(secured, f"mcp-gateway-{uuid.uuid4().hex[:12]}", "stdio", bob) as gateway,
        gateway.client(mode="legacy", elicitation=approve) as client,
    ):
        made = await client.call_tool("it__create_ticket", {"title": title("bob's")})

    assert not made.is_error, text_of(made)
    assert isinstance(made.structured_content, dict)
    assert made.structured_content["requested_by"] == "bob"


async def test_a_gateway_started_without_a_token_says_why_it_cannot_start(secured: Suite) -> None:
    env = {**gateway_env(secured), TOKEN_VARIABLE: ""}
    ended = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, *gateway_arguments(f"mcp-gateway-{uuid.uuid4().hex[:12]}")],
        cwd=REPO_ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert ended.returncode == 2, ended.stderr
    assert "The MCP gateway cannot start: The gateway was not started." in ended.stderr
    assert "No token" in ended.stderr
    assert "Traceback" not in ended.stderr
    assert ended.stdout == ""
