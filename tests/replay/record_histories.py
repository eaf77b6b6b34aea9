"""Record workflow histories from real end-to-end runs into ``histories/``, for ``test_replay.py``.

    python -m tests.replay.record_histories

It starts its own dev server on free ports, a worker per part of the topology (plus an orchestrator worker
whose model is the scripted server), runs a few conversations that cover the workflows' paths (an approval
included), and saves each history as JSON under names ending in ``RECORDED``: histories recorded by older
code stay and keep guarding the runs that older code started (give ``RECORDED`` a new value when recording
after a change that took a ``workflow.patched``). A chat's workflow id is its file's
stem, because the replayer takes the id from the file name and call ids (which approvals wait on) hold it.
Re-record only for an intended change of workflow code that no running workflow depends on; a change that
running workflows would see needs ``workflow.patched`` instead.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from harness.llm_stub import LlmStub, completion, error
from harness.suite import Suite, offline_settings, running_suite
from harness.workers import orchestrator_on, topology_workers
from orchestrator.conversation import Conversation
from orchestrator.gateway_workflow import ToolGatewayWorkflow
from orchestrator.tool_gateway import ToolGateway
from shared.kit.tool_workflow import TOOL_WORKFLOW_NAME
from shared.topology import load_topology
from tests.integration.agent_support import nexus_schedules
from tests.support.visibility import list_when_indexed
from tests.support.waiting import eventually

HISTORIES = Path(__file__).with_name("histories")
RECORDED = "2026_11_28_open_chat"
"""Names this recording's files: the day of its code's newest patches and, as that day had two recordings,
the newest (``open-chat``, in the bundle ``patches-2026-11-28``)."""
OFFLINE_CHAT = f"agent_offline_chat_{RECORDED}"
SCRIPTED_CHAT = f"agent_scripted_chat_{RECORDED}"
GATEWAY = f"gateway_{RECORDED}"
STUB_QUEUE = "orchestrator-replay-recording"
OFFLINE_MESSAGES = (
    "What is 125 * 8?",
    "What is the stock price of TSLA and the JIRA metrics for project DEMO?",
    "Open a ticket titled 'Replay recording' with high priority",
    "What is the stock price of ZZZZ?",
)


async def record(suite: Suite, stub: LlmStub) -> dict[str, str]:
    """Run the conversations; return file name -> history JSON."""
    client = suite.client
    saved: dict[str, str] = {}

    offline = await Conversation.start(client, workflow_id=OFFLINE_CHAT)
    for text in OFFLINE_MESSAGES:
        await offline.send_approving(text, approver="replay recording")
    await offline.end()
    saved[f"{OFFLINE_CHAT}.json"] = (await offline.handle.fetch_history()).to_json()

    stub.script(
        error(503, "overloaded"),
        completion(
            tool_calls=[
                ("a", "finance__stock_price", '{"ticker": "MSFT"}'),
                ("b", "it__get_ip", "{}"),
                ("c", "calculator", '{"expression": "1/0"}'),
                ("d", "hr__unknown", "{}"),
                ("e", "weather", '{"city": "Paris"'),
            ]
        ),
        completion("Done."),
    )
    scripted = await Conversation.start(client, workflow_id=SCRIPTED_CHAT, task_queue=STUB_QUEUE)
    await scripted.send("Everything at once")
    await scripted.end()
    saved[f"{SCRIPTED_CHAT}.json"] = (await scripted.handle.fetch_history()).to_json()

    gateway = await ToolGateway.open(client, workflow_id=GATEWAY)
    await gateway.discovered_catalog()
    await gateway.call("finance__stock_price", {"ticker": "MSFT"}, key="quote")
    ticket = await gateway.start_call(
        "it__create_ticket", {"title": "Replay recording (gateway)"}, key="ticket"
    )

    async def ticket_waits() -> bool:
        return bool(await gateway.pending_approvals())

    await eventually(ticket_waits, within=30, what="the gateway's ticket waiting for approval")
    [pending] = await gateway.pending_approvals()
    await gateway.decide(pending, approve=True, approver="replay recording")
    await ticket.result()
    await gateway.handle.signal(ToolGatewayWorkflow.stop)
    await gateway.handle.result()
    saved[f"{GATEWAY}.json"] = (await gateway.handle.fetch_history()).to_json()

    tool_calls = [
        event.nexus_operation_scheduled_event_attributes.endpoint
        for handle in (offline.handle, scripted.handle, gateway.handle)
        for event in await nexus_schedules(handle, "execute_tool")
    ]
    for team, site in load_topology().tool_services.items():
        team_client = await suite.client_for(site.namespace)
        # Closed runs are listed a moment after they close: wait for every one the chats started.
        runs = await list_when_indexed(
            team_client,
            f"WorkflowType = '{TOOL_WORKFLOW_NAME}' AND ExecutionStatus != 'Running'",
            at_least=tool_calls.count(site.endpoint),
        )
        for run in runs:
            history = await team_client.get_workflow_handle(run.id).fetch_history()
            status = run.status.name.lower() if run.status else "unknown"
            name = f"tool_{team}-{run.id.split('-')[1]}_{status}_{RECORDED}.json"
            saved.setdefault(name, history.to_json())
    return saved


async def main() -> None:
    with tempfile.TemporaryDirectory() as state_dir:
        stub = LlmStub().start()
        try:
            scripted_orchestrator = orchestrator_on(
                STUB_QUEUE,
                **stub.model_settings(),
                # The calculator call of the scripted chat waits for a decision that never comes.
                AGENT_APPROVAL_REQUIRED="local/calculator",
                AGENT_APPROVAL_TIMEOUT="1",
            )
            async with running_suite(
                Path(state_dir) / "stack",
                # The offline model, whatever model the developer's shell names: it is what gets recorded.
                env=offline_settings(Path(state_dir) / "tickets.db"),
                workers=[*topology_workers(load_topology()).values(), scripted_orchestrator],
                # Histories kept in the repository must replay anywhere, with no key: recorded in the clear.
                encrypted=False,
            ) as suite:
                saved = await record(suite, stub)
        finally:
            stub.stop()
    HISTORIES.mkdir(exist_ok=True)
    for name, history in saved.items():
        (HISTORIES / name).write_text(history)
        print(f"recorded {name}")


if __name__ == "__main__":
    asyncio.run(main())
