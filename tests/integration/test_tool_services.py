"""The tool services through Nexus, from a caller in namespace ``default`` that declares its own
``ToolService`` with dict payloads, against the real dev server and the real worker processes."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import nexusrpc
import pytest
from jsonschema import Draft202012Validator
from temporalio.client import WorkflowFailureError
from temporalio.exceptions import ApplicationError, NexusOperationError
from temporalio.service import RPCError, RPCStatusCode

from harness.suite import Suite
from shared.failures import root_cause
from shared.topology import load_topology
from tests.integration.conftest import NexusCaller
from tests.support.nexus_http import post_start
from tests.support.teams import declared_tools, teams
from tests.support.tool_runs import tool_attempts
from tests.support.visibility import list_when_indexed

IT_SITE = load_topology().tool_service("it")
IT = IT_SITE.endpoint
FINANCE = load_topology().tool_service("finance").endpoint


async def failure_of(call: Any) -> tuple[NexusOperationError, BaseException]:
    """Run a call that must fail; return the Nexus operation error and its root cause."""
    with pytest.raises(WorkflowFailureError) as raised:
        await call
    nexus_error = raised.value.cause
    assert isinstance(nexus_error, NexusOperationError), raised.value
    return nexus_error, root_cause(nexus_error)


@pytest.mark.parametrize("team", teams())
async def test_list_tools_returns_the_catalog_with_valid_json_schemas(
    nexus_caller: NexusCaller, team: str
) -> None:
    catalog = await nexus_caller(load_topology().tool_service(team).endpoint, "list_tools", {})

    assert [tool["name"] for tool in catalog["tools"]] == [spec.name for spec in declared_tools(team)]
    for tool in catalog["tools"]:
        assert tool["description"]
        Draft202012Validator.check_schema(tool["input_schema"])
        assert tool["input_schema"]["type"] == "object"


async def test_stock_price_runs_through_execute_tool(nexus_caller: NexusCaller) -> None:
    output = await nexus_caller(
        FINANCE, "execute_tool", {"tool": "stock_price", "arguments": {"ticker": "tsla"}, "call_id": "c-1"}
    )

    assert output["tool"] == "stock_price"
    assert output["call_id"] == "c-1"
    assert output["result"]["ticker"] == "TSLA"
    assert output["result"]["price"] == 402.15
    assert output["result"]["currency"] == "USD"


async def test_calculate_roi_runs_through_execute_tool(nexus_caller: NexusCaller) -> None:
    output = await nexus_caller(
        FINANCE,
        "execute_tool",
        {
            "tool": "calculate_roi",
            "arguments": {"principal": 10000, "rate": 5, "years": 10},
            "call_id": "c-2",
        },
    )

    assert output["result"]["final_value"] == 16288.95
    assert output["result"]["roi_percent"] == 62.89


async def test_get_jira_metrics_runs_through_execute_tool(nexus_caller: NexusCaller) -> None:
    output = await nexus_caller(
        IT, "execute_tool", {"tool": "get_jira_metrics", "arguments": {"project": "DEMO"}, "call_id": "c-3"}
    )

    assert output["result"]["project"] == "DEMO"
    assert output["result"]["open_issues"] == 42
    assert output["result"]["source"] == "offline"


async def test_get_ip_runs_through_execute_tool(nexus_caller: NexusCaller) -> None:
    output = await nexus_caller(IT, "execute_tool", {"tool": "get_ip", "arguments": {}, "call_id": "c-4"})

    assert output["result"] == {"ip": "203.0.113.24", "version": 4, "source": "offline"}


@pytest.mark.usefixtures("tool_workers")
async def test_the_tool_workflow_runs_in_the_teams_own_namespace(stack: Suite) -> None:
    request_id = str(uuid.uuid4())
    body = {"tool": "get_ip", "arguments": {}, "call_id": "c-ns"}
    await asyncio.to_thread(post_start, stack.nexus_url(IT, "execute_tool"), request_id, body)
    workflow_id = "it-get_ip-c-ns"  # <team>-<tool>-<the caller's call id>
    it_client = await stack.client_for(IT_SITE.namespace)

    await it_client.get_workflow_handle(workflow_id).result()
    description = await it_client.get_workflow_handle(workflow_id).describe()

    assert (description.namespace, description.task_queue) == (IT_SITE.namespace, IT_SITE.task_queue)
    assert description.workflow_type == "ToolWorkflow"
    with pytest.raises(RPCError) as raised:
        await stack.client.get_workflow_handle(workflow_id).describe()
    assert raised.value.status == RPCStatusCode.NOT_FOUND, "the tool workflow must not run in default"


async def test_unknown_tool_fails_fast_as_bad_request(nexus_caller: NexusCaller) -> None:
    started = time.monotonic()
    _, cause = await failure_of(
        nexus_caller(IT, "execute_tool", {"tool": "reboot_everything", "arguments": {}, "call_id": "c-5"})
    )

    assert isinstance(cause, nexusrpc.HandlerError)
    assert cause.type == nexusrpc.HandlerErrorType.BAD_REQUEST
    known = ", ".join(sorted(spec.name for spec in declared_tools("it")))
    assert f"Unknown tool 'reboot_everything' in team 'it'; known tools: {known}" in str(cause)
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    ("tool", "arguments", "problem"),
    [
        ("stock_price", {"ticker": "$$$"}, "ticker"),
        ("stock_price", {}, "ticker: Field required"),
        ("calculate_roi", {"principal": -5, "rate": 5, "years": 10}, "principal"),
        ("calculate_roi", {"principal": 100, "rate": 5, "years": 10, "fee": 1}, "fee: Extra inputs"),
    ],
)
async def test_invalid_arguments_fail_fast_as_bad_request(
    nexus_caller: NexusCaller, tool: str, arguments: dict[str, Any], problem: str
) -> None:
    started = time.monotonic()
    _, cause = await failure_of(
        nexus_caller(FINANCE, "execute_tool", {"tool": tool, "arguments": arguments, "call_id": "c-6"})
    )

    assert isinstance(cause, nexusrpc.HandlerError)
    assert cause.type == nexusrpc.HandlerErrorType.BAD_REQUEST
    assert f"Invalid arguments for tool {tool!r}" in str(cause)
    assert problem in str(cause)
    assert time.monotonic() - started < 5


async def test_a_tools_own_failure_ends_the_operation_with_its_message(nexus_caller: NexusCaller) -> None:
    started = time.monotonic()
    _, cause = await failure_of(
        nexus_caller(
            FINANCE, "execute_tool", {"tool": "stock_price", "arguments": {"ticker": "ZZZZ"}, "call_id": "c"}
        )
    )

    assert isinstance(cause, ApplicationError)
    assert "No quote for ticker 'ZZZZ'" in cause.message
    assert time.monotonic() - started < 5, "a tool's own failure must not be retried"


async def test_two_starts_with_the_same_request_id_run_the_tool_once(
    stack: Suite, nexus_caller: NexusCaller
) -> None:
    url = stack.nexus_url(IT, "execute_tool")
    request_id = str(uuid.uuid4())
    body = {"tool": "get_jira_metrics", "arguments": {"project": "OPS"}, "call_id": f"dup-{request_id}"}
    it_client = await stack.client_for(IT_SITE.namespace)

    first = await asyncio.to_thread(post_start, url, request_id, body)
    workflow_id = f"it-get_jira_metrics-dup-{request_id}"
    handle = it_client.get_workflow_handle(workflow_id)
    await handle.result()  # the retry arrives after the run finished
    first_run_id = (await handle.describe()).run_id
    second = await asyncio.to_thread(post_start, url, request_id, body)

    assert first[0] == second[0] == 201
    assert first[1]["token"] == second[1]["token"]
    assert (await handle.describe()).run_id == first_run_id
    # Give a second run, if there were one, time to be listed: still exactly one.
    runs = await list_when_indexed(it_client, f"WorkflowId = '{workflow_id}'", at_least=2, within=3)
    assert [run.run_id for run in runs] == [first_run_id]
    assert tool_attempts(await handle.fetch_history()) == [1], "the tool ran more than once"
