"""A person's yes before a consequential tool call, on the real dev server with real worker processes (only
the model is scripted, through litellm and the stub server): a gated call runs only after approval and
exactly once, also across a crash of the orchestrator worker, and never after a denial, a timeout or a
decision on other arguments; the other calls of the same response are not held up.

Two orchestrator workers: the suite's ``stub_llm_worker``, whose own policy gates nothing (so only the IT
team's ``create_ticket`` waits, for the team's 5 minutes), and this module's ``approvals_worker``, whose policy
gates ``finance/stock_price``, ``local/calculator`` and ``it/create_ticket`` for ``POLICY_TIMEOUT_SECONDS``: a timeout takes seconds,
and the IT team's own 5 minutes still hold for ``create_ticket``."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from temporalio.service import RPCError

from harness.chaos import tickets_titled
from harness.llm_stub import LlmStub, ScriptedReply, completion
from harness.server import temporal_binary
from harness.suite import Suite
from harness.workers import WorkerProcess, orchestrator_on
from orchestrator.conversation import Conversation
from orchestrator.llm.names import CALL_LLM
from orchestrator.models import AgentReply, ApprovalRecord, ToolCallRecord
from shared.contract import DEFAULT_APPROVAL_TIMEOUT_SECONDS, arguments_digest
from shared.topology import load_topology
from tests.conftest import STUB_LLM_TASK_QUEUE
from tests.integration.agent_support import activities_scheduled
from tests.support.chat_reading import tool_results
from tests.support.gated_calls import (
    accepted_decisions,
    refused_decision,
    remote_tool_calls,
    tool_runs,
    waiting_call,
    waiting_calls,
)
from tests.support.tool_runs import tool_attempts
from tests.support.waiting import eventually

APPROVALS_TASK_QUEUE = "orchestrator-approvals"
POLICY_TIMEOUT_SECONDS = 5  # long enough to look and decide on a busy 2-core machine, short for a test
TURN_SECONDS = 60.0
"""How long a test waits for a turn once nothing holds it up any more."""


@pytest.fixture(scope="module")
async def approvals_worker(
    stack: Suite, tool_workers: dict[str, WorkerProcess], llm_stub: LlmStub
) -> AsyncIterator[WorkerProcess]:
    """An orchestrator worker of this module's own, with the scripted model and a policy of its own:
    ``finance/stock_price``, ``local/calculator`` and ``it/create_ticket`` need a person's yes, and wait for
    it ``POLICY_TIMEOUT_SECONDS`` (unless their team says otherwise)."""
    worker = await stack.start_worker(
        orchestrator_on(
            APPROVALS_TASK_QUEUE,
            **llm_stub.model_settings(),
            AGENT_LLM_TIMEOUT="3",
            AGENT_APPROVAL_REQUIRED="finance/stock_price,local/calculator,it/create_ticket",
            AGENT_APPROVAL_TIMEOUT=str(POLICY_TIMEOUT_SECONDS),
        )
    )
    yield worker
    await asyncio.to_thread(worker.stop)


class Chats:
    """The chats a test starts and the turns it sends. At the test's end, a turn still waiting is cancelled
    and every chat terminated: a chat left waiting would ask the model later, taking another test's reply."""

    def __init__(self, stack: Suite) -> None:
        self._stack = stack
        self._chats: list[Conversation] = []
        self._turns: list[asyncio.Task[AgentReply]] = []

    async def start(self, task_queue: str) -> Conversation:
        chat = await Conversation.start(self._stack.client, task_queue=task_queue)
        self._chats.append(chat)
        return chat

    def send(self, chat: Conversation, text: str, sender: str | None = None) -> asyncio.Task[AgentReply]:
        """The turn, running while the test looks at and decides its waiting calls."""
        turn = asyncio.create_task(chat.send(text, sender=sender))
        self._turns.append(turn)
        return turn

    async def close(self) -> None:
        for turn in self._turns:
            turn.cancel()
        for chat in self._chats:
            with contextlib.suppress(RPCError):  # it has ended already: nothing to clean up
                await chat.handle.terminate("the test is over")


@pytest.fixture
async def chats(stack: Suite) -> AsyncIterator[Chats]:
    opened = Chats(stack)
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
def since() -> datetime:
    """When the test began (less a second of leeway): tool runs started after it are the test's."""
    return datetime.now(UTC) - timedelta(seconds=1)


def unique(title: str) -> str:
    return f"{title} {uuid.uuid4().hex[:8]}"


def asks_for(*calls: tuple[str, str, dict[str, Any]]) -> ScriptedReply:
    """A model response asking for tool calls, each given as (id, tool's model name, arguments)."""
    return completion(
        tool_calls=[(call_id, name, json.dumps(arguments)) for call_id, name, arguments in calls]
    )


async def finished(turn: asyncio.Task[AgentReply]) -> AgentReply:
    return await asyncio.wait_for(turn, TURN_SECONDS)


def only_record(reply: AgentReply) -> ToolCallRecord:
    (record,) = reply.tool_calls
    return record


def approval_of(record: ToolCallRecord) -> ApprovalRecord:
    """The decision the record of a gated call carries (the test fails if it carries none)."""
    assert record.approval is not None, f"the record of {record.tool} carries no approval"
    return record.approval


# --- What a waiting call shows ----------------------------------------------------------------------------


@pytest.mark.parametrize(("sender", "requested_by"), [("alice", "alice"), (None, "the chat's user")])
@pytest.mark.usefixtures("stub_llm_worker")
async def test_a_gated_call_waits_showing_its_tool_team_exact_arguments_digest_asker_and_deadline(
    chats: Chats, llm_stub: LlmStub, ticket_db: Path, sender: str | None, requested_by: str
) -> None:
    arguments = {"title": unique("VPN drops every hour"), "priority": "high"}
    llm_stub.script(asks_for(("call_ticket", "it__create_ticket", arguments)), completion("Not opened."))
    chat = await chats.start(STUB_LLM_TASK_QUEUE)
    asked = datetime.now(UTC) - timedelta(seconds=1)
    turn = chats.send(chat, "Open a ticket: the VPN drops every hour", sender=sender)

    pending = await waiting_call(chat)
    progress = await chat.progress()

    assert (pending.service, pending.tool, pending.arguments) == ("it", "create_ticket", arguments)
    assert pending.digest == arguments_digest("it", "create_ticket", arguments)
    assert pending.requested_by == requested_by
    assert asked <= pending.requested_at <= datetime.now(UTC)
    assert pending.expires_at - pending.requested_at == timedelta(seconds=DEFAULT_APPROVAL_TIMEOUT_SECONDS)
    assert (progress.state, progress.pending_approvals, progress.running) == ("running_tools", [pending], [])
    assert await remote_tool_calls(chat.handle) == [], "the call ran before anyone decided"
    assert tickets_titled(ticket_db, str(arguments["title"])) == 0
    await chat.decide(pending, approve=False, approver="test")
    await finished(turn)


# --- Approved, denied, no decision ------------------------------------------------------------------------


@pytest.mark.usefixtures("stub_llm_worker")
async def test_an_approved_call_runs_exactly_once_under_its_call_id_and_its_record_carries_the_approval(
    stack: Suite, chats: Chats, llm_stub: LlmStub, ticket_db: Path, since: datetime
) -> None:
    title = unique("Printer on fire")
    llm_stub.script(asks_for(("call_ticket", "it__create_ticket", {"title": title})), completion("Opened."))
    chat = await chats.start(STUB_LLM_TASK_QUEUE)
    turn = chats.send(chat, "Open a ticket: the printer is on fire", sender="alice")
    pending = await waiting_call(chat)

    await chat.decide(pending, approve=True, approver="bob", reason="a real fire")
    reply = await finished(turn)

    assert reply.text == "Opened."
    assert tickets_titled(ticket_db, title) == 1
    (call,) = await remote_tool_calls(chat.handle)
    assert (call.tool, call.call_id, call.arguments) == ("create_ticket", pending.call_id, {"title": title})
    assert await tool_runs(stack, "it", pending.call_id, since, at_least=1) == [
        f"it-create_ticket-{call.call_id}"
    ], "one tool workflow ran the call, under the call's own id"
    it_client = await stack.client_for(load_topology().tool_service("it").namespace)
    tool_run = await it_client.get_workflow_handle(f"it-create_ticket-{call.call_id}").fetch_history()
    assert tool_attempts(tool_run) == [1], "the ticket tool ran more than once"
    assert tool_results(llm_stub.requests[1])["call_ticket"]["result"]["title"] == title

    record = only_record(reply)
    assert (record.ok, record.call_id) == (True, pending.call_id)
    approval = approval_of(record)
    assert (approval.outcome, approval.approver, approval.reason) == ("approved", "bob", "a real fire")
    assert (approval.digest, approval.requested_by) == (pending.digest, "alice")
    assert approval.requested_at == pending.requested_at < approval.decided_at < pending.expires_at
    waited_ms = (approval.decided_at - approval.requested_at).total_seconds() * 1000
    assert record.duration_ms is not None and record.duration_ms >= waited_ms - 0.1, (
        "the wait is in duration_ms"
    )
    assert (await chat.transcript()).entries[-1].reply.tool_calls == [record], "the audit trail keeps it"


@pytest.mark.usefixtures("stub_llm_worker")
async def test_a_denied_call_never_runs_and_the_model_reads_who_denied_it_and_why(
    stack: Suite, chats: Chats, llm_stub: LlmStub, ticket_db: Path, since: datetime
) -> None:
    title = unique("Buy everyone new laptops")
    llm_stub.script(
        asks_for(("call_ticket", "it__create_ticket", {"title": title})), completion("Bob said no.")
    )
    chat = await chats.start(STUB_LLM_TASK_QUEUE)
    turn = chats.send(chat, "Open a ticket for new laptops", sender="alice")
    pending = await waiting_call(chat)

    await chat.decide(pending, approve=False, approver="bob", reason="not in this quarter's budget")
    reply = await finished(turn)

    assert tool_results(llm_stub.requests[1])["call_ticket"] == {
        "ok": False,
        "error": "The call was denied by bob: not in this quarter's budget. Do not retry it; tell the user.",
    }
    assert reply.text == "Bob said no."
    assert tickets_titled(ticket_db, title) == 0
    assert await remote_tool_calls(chat.handle) == []
    assert await tool_runs(stack, "it", pending.call_id, since) == []
    record = only_record(reply)
    assert record.ok is False
    approval = approval_of(record)
    assert (approval.outcome, approval.approver, approval.reason) == (
        "denied",
        "bob",
        "not in this quarter's budget",
    )


@pytest.mark.usefixtures("approvals_worker")
async def test_a_call_without_a_decision_in_time_counts_as_denied_and_never_runs(
    stack: Suite, chats: Chats, llm_stub: LlmStub, since: datetime
) -> None:
    llm_stub.script(
        asks_for(("call_quote", "finance__stock_price", {"ticker": "NVDA"})),
        completion("The quote needs someone's approval."),
    )
    chat = await chats.start(APPROVALS_TASK_QUEUE)
    turn = chats.send(chat, "NVDA?")
    pending = await waiting_call(chat)

    reply = await finished(turn)

    assert pending.expires_at - pending.requested_at == timedelta(seconds=POLICY_TIMEOUT_SECONDS)
    error = tool_results(llm_stub.requests[1])["call_quote"]["error"]
    assert error.startswith(f"No decision on the call in {POLICY_TIMEOUT_SECONDS} s, so it did not run.")
    assert reply.text == "The quote needs someone's approval."
    record = only_record(reply)
    assert record.ok is False
    approval = approval_of(record)
    assert (approval.outcome, approval.approver) == ("expired", None)
    assert approval.decided_at >= pending.expires_at
    assert await chat.pending_approvals() == []
    assert await remote_tool_calls(chat.handle) == [], "no execute_tool in the chat's history"
    assert await activities_scheduled(chat.handle) == [CALL_LLM, CALL_LLM], "only the model was called"
    assert await tool_runs(stack, "finance", pending.call_id, since) == [], "a tool workflow ran in Finance"


# --- Refused decisions: each says why, and nothing changes ---------------------------------------------


@pytest.mark.usefixtures("stub_llm_worker")
async def test_a_decision_on_a_call_that_does_not_wait_is_refused_and_the_waiting_call_still_waits(
    chats: Chats, llm_stub: LlmStub
) -> None:
    llm_stub.script(
        asks_for(("call_ticket", "it__create_ticket", {"title": unique("Door badge broken")})),
        completion("Not opened."),
    )
    chat = await chats.start(STUB_LLM_TASK_QUEUE)
    turn = chats.send(chat, "Open a ticket for my badge")
    pending = await waiting_call(chat)
    unknown = pending.model_copy(update={"call_id": f"{chat.workflow_id}/9.9.9"})

    why = await refused_decision(chat, unknown)

    assert why == f"No call '{chat.workflow_id}/9.9.9' waits for approval; see the pending_approvals query."
    assert await chat.pending_approvals() == [pending]
    assert await accepted_decisions(chat.handle) == []
    await chat.decide(pending, approve=False, approver="test")
    await finished(turn)


@pytest.mark.usefixtures("approvals_worker")
async def test_a_decision_quoting_other_arguments_is_refused_and_the_call_never_runs(
    stack: Suite, chats: Chats, llm_stub: LlmStub, since: datetime
) -> None:
    llm_stub.script(
        asks_for(("call_quote", "finance__stock_price", {"ticker": "NVDA"})), completion("No quote.")
    )
    chat = await chats.start(APPROVALS_TASK_QUEUE)
    turn = chats.send(chat, "NVDA?")
    pending = await waiting_call(chat)
    shown_elsewhere = pending.model_copy(
        update={"digest": arguments_digest("finance", "stock_price", {"ticker": "TSLA"})}
    )

    why = await refused_decision(chat, shown_elsewhere, approve=True)
    reply = await finished(turn)

    assert why == (
        f"The digest does not match the arguments of '{pending.call_id}': a decision is for exactly what "
        "pending_approvals shows."
    )
    assert await accepted_decisions(chat.handle) == []
    assert approval_of(only_record(reply)).outcome == "expired"
    assert await remote_tool_calls(chat.handle) == []
    assert await tool_runs(stack, "finance", pending.call_id, since) == []


@pytest.mark.usefixtures("stub_llm_worker")
async def test_a_second_decision_on_a_call_is_refused_and_the_first_stands(
    chats: Chats, llm_stub: LlmStub, ticket_db: Path
) -> None:
    title = unique("Give me admin rights")
    llm_stub.script(asks_for(("call_ticket", "it__create_ticket", {"title": title})), completion("Denied."))
    chat = await chats.start(STUB_LLM_TASK_QUEUE)
    turn = chats.send(chat, "Open a ticket for admin rights")
    pending = await waiting_call(chat)
    await chat.decide(pending, approve=False, approver="bob", reason="no")

    why = await refused_decision(chat, pending, approve=True, approver="mallory")
    reply = await finished(turn)

    assert why == f"The call '{pending.call_id}' has been decided already."
    assert len(await accepted_decisions(chat.handle)) == 1
    approval = approval_of(only_record(reply))
    assert (approval.outcome, approval.approver) == ("denied", "bob")
    assert tickets_titled(ticket_db, title) == 0
    assert await remote_tool_calls(chat.handle) == []


@pytest.mark.usefixtures("approvals_worker")
async def test_a_decision_after_the_time_ran_out_is_refused_as_expired(
    chats: Chats, llm_stub: LlmStub
) -> None:
    llm_stub.script(
        asks_for(("call_quote", "finance__stock_price", {"ticker": "NVDA"})), completion("No quote.")
    )
    chat = await chats.start(APPROVALS_TASK_QUEUE)
    turn = chats.send(chat, "NVDA?")
    pending = await waiting_call(chat)
    reply = await finished(turn)

    why = await refused_decision(chat, pending, approve=True)

    assert why == f"The approval of '{pending.call_id}' expired at {pending.expires_at.isoformat()}."
    assert await accepted_decisions(chat.handle) == []
    assert (await chat.transcript()).entries[-1].reply == reply
    assert await remote_tool_calls(chat.handle) == []


# --- Gated and ungated calls of one response ----------------------------------------------------------


@pytest.mark.usefixtures("stub_llm_worker")
async def test_an_ungated_call_of_the_same_response_completes_while_the_gated_one_waits(
    chats: Chats, llm_stub: LlmStub, ticket_db: Path
) -> None:
    title = unique("Monitor flickers")
    llm_stub.script(
        asks_for(
            ("call_ticket", "it__create_ticket", {"title": title}),
            ("call_quote", "finance__stock_price", {"ticker": "NVDA"}),
        ),
        completion("Ticket opened; NVDA is at 187.64."),
    )
    chat = await chats.start(STUB_LLM_TASK_QUEUE)
    turn = chats.send(chat, "Open a ticket for my monitor, and what is NVDA at?")
    pending = await waiting_call(chat)

    async def quote_answered() -> bool:
        return any(call.completed_event_id for call in await remote_tool_calls(chat.handle))

    await eventually(quote_answered, what="the quote is answered while the ticket waits for approval")
    progress = await chat.progress()
    await chat.decide(pending, approve=True, approver="bob")
    reply = await finished(turn)

    assert (progress.pending_approvals, progress.running) == ([pending], []), "only the ticket was left"
    quote, ticket = await remote_tool_calls(chat.handle)
    (decided,) = await accepted_decisions(chat.handle)
    assert (quote.tool, ticket.tool) == ("stock_price", "create_ticket")
    assert quote.completed_event_id is not None
    assert quote.completed_event_id < decided < ticket.scheduled_event_id
    assert [(call.tool, call.ok, call.approval is None) for call in reply.tool_calls] == [
        ("create_ticket", True, False),
        ("stock_price", True, True),
    ]
    assert tickets_titled(ticket_db, title) == 1


# --- Whose rule gates a call ------------------------------------------------------------------------------


@pytest.mark.usefixtures("approvals_worker")
async def test_the_orchestrator_policy_gates_a_tool_its_team_does_not_mark(
    chats: Chats, llm_stub: LlmStub
) -> None:
    llm_stub.script(
        asks_for(("call_calc", "calculator", {"expression": "6*7"})), completion("6 times 7 is 42.")
    )
    chat = await chats.start(APPROVALS_TASK_QUEUE)
    turn = chats.send(chat, "What is 6 times 7?")
    pending = await waiting_call(chat)
    scheduled_while_waiting = await activities_scheduled(chat.handle)

    await chat.decide(pending, approve=True, approver="bob")
    reply = await finished(turn)

    assert (pending.service, pending.tool, pending.arguments) == (
        "local",
        "calculator",
        {"expression": "6*7"},
    )
    assert pending.expires_at - pending.requested_at == timedelta(seconds=POLICY_TIMEOUT_SECONDS)
    assert "calculator" not in scheduled_while_waiting
    record = only_record(reply)
    assert (record.ok, record.result) == (True, {"expression": "6*7", "value": 42.0})
    assert approval_of(record).outcome == "approved"
    assert (await activities_scheduled(chat.handle)).count("calculator") == 1


@pytest.mark.usefixtures("stub_llm_worker")
async def test_a_tool_its_team_marks_stays_gated_when_the_orchestrator_policy_lists_nothing(
    chats: Chats, llm_stub: LlmStub, ticket_db: Path
) -> None:
    title = unique("Laptop will not boot")
    llm_stub.script(
        asks_for(("call_ticket", "it__create_ticket", {"title": title})), completion("Not opened.")
    )
    chat = await chats.start(STUB_LLM_TASK_QUEUE)  # this worker's AGENT_APPROVAL_REQUIRED is unset
    turn = chats.send(chat, "Open a ticket for my laptop")

    pending = await waiting_call(chat)

    assert (pending.service, pending.tool) == ("it", "create_ticket")
    assert await remote_tool_calls(chat.handle) == []
    await chat.decide(pending, approve=False, approver="test")
    await finished(turn)
    assert tickets_titled(ticket_db, title) == 0


@pytest.mark.usefixtures("approvals_worker")
async def test_a_tool_its_team_marks_keeps_the_teams_time_limit_under_a_policy_naming_it_with_a_shorter_one(
    chats: Chats, llm_stub: LlmStub, ticket_db: Path
) -> None:
    title = unique("Wi-Fi down on floor 3")
    llm_stub.script(
        asks_for(
            ("call_ticket", "it__create_ticket", {"title": title}),
            ("call_quote", "finance__stock_price", {"ticker": "NVDA"}),
        ),
        completion("Neither went ahead."),
    )
    chat = await chats.start(APPROVALS_TASK_QUEUE)  # its policy names both tools, for POLICY_TIMEOUT_SECONDS
    turn = chats.send(chat, "Open a Wi-Fi ticket and get me NVDA")
    both = await waiting_calls(chat, 2)

    async def only_the_ticket_waits() -> bool:
        return [pending.tool for pending in await chat.pending_approvals()] == ["create_ticket"]

    await eventually(only_the_ticket_waits, what="the quote's time ran out while the ticket still waits")
    ticket = next(pending for pending in both if pending.tool == "create_ticket")
    await chat.decide(ticket, approve=False, approver="test")
    reply = await finished(turn)

    assert ticket.expires_at - ticket.requested_at == timedelta(seconds=DEFAULT_APPROVAL_TIMEOUT_SECONDS)
    outcomes = {call.tool: call.approval.outcome for call in reply.tool_calls if call.approval is not None}
    assert outcomes == {"create_ticket": "denied", "stock_price": "expired"}
    assert tickets_titled(ticket_db, title) == 0


# --- The orchestrator worker crashes --------------------------------------------------------------------


@pytest.mark.timeout(240)
async def test_the_orchestrator_killed_after_the_approval_with_the_call_in_flight_runs_it_exactly_once(
    stack: Suite,
    chats: Chats,
    approvals_worker: WorkerProcess,
    tool_workers: dict[str, WorkerProcess],
    llm_stub: LlmStub,
    ticket_db: Path,
) -> None:
    title = unique("Server room too hot")
    llm_stub.script(asks_for(("call_ticket", "it__create_ticket", {"title": title})), completion("Opened."))
    chat = await chats.start(APPROVALS_TASK_QUEUE)
    turn = chats.send(chat, "Open a ticket: the server room is too hot")
    pending = await waiting_call(chat)
    it_team = tool_workers["it"]
    it_team.stop()  # the approved call stays in flight until the IT team is back
    try:
        await chat.decide(pending, approve=True, approver="bob")

        async def call_in_flight() -> bool:
            calls = await remote_tool_calls(chat.handle)
            return len(calls) == 1 and calls[0].completed_event_id is None

        await eventually(call_in_flight, what="the approved call is scheduled and not completed")
        approvals_worker.kill()
    finally:
        await it_team.start()
        if not approvals_worker.running():
            await approvals_worker.start()
    reply = await asyncio.wait_for(turn, 120)

    assert tickets_titled(ticket_db, title) == 1
    (call,) = await remote_tool_calls(chat.handle)
    assert call.call_id == pending.call_id
    it_client = await stack.client_for(load_topology().tool_service("it").namespace)
    tool_run = await it_client.get_workflow_handle(f"it-create_ticket-{call.call_id}").fetch_history()
    assert tool_attempts(tool_run) == [1]
    record = only_record(reply)
    assert record.ok
    assert (approval_of(record).outcome, approval_of(record).approver) == ("approved", "bob")


@pytest.mark.timeout(240)
async def test_the_orchestrator_killed_while_a_call_waits_shows_it_again_and_runs_it_once_when_approved(
    chats: Chats, approvals_worker: WorkerProcess, llm_stub: LlmStub, ticket_db: Path
) -> None:
    title = unique("Keyboard full of coffee")
    llm_stub.script(asks_for(("call_ticket", "it__create_ticket", {"title": title})), completion("Opened."))
    chat = await chats.start(APPROVALS_TASK_QUEUE)
    turn = chats.send(chat, "Open a ticket: coffee in my keyboard", sender="alice")
    pending = await waiting_call(chat)

    approvals_worker.kill()
    await approvals_worker.start()
    shown_again = await waiting_calls(chat)
    await chat.decide(pending, approve=True, approver="bob")
    reply = await asyncio.wait_for(turn, 120)

    assert shown_again == [pending], "the restarted worker shows the same call, digest and deadline"
    assert tickets_titled(ticket_db, title) == 1
    (call,) = await remote_tool_calls(chat.handle)
    assert call.call_id == pending.call_id
    record = only_record(reply)
    assert record.ok
    assert (approval_of(record).approver, approval_of(record).requested_by) == ("bob", "alice")


# --- The Temporal CLI alone -----------------------------------------------------------------------------


async def temporal_cli(stack: Suite, *arguments: str) -> tuple[int, str, str]:
    """Run the real ``temporal`` CLI against the stack's orchestrator namespace: exit code, stdout, stderr.
    A profile or address in the developer's shell does not redirect it; it encodes and decodes payloads
    through the stack's codec server, as a person's CLI would (``scripts/stack start`` prints how)."""
    environment = {name: value for name, value in os.environ.items() if not name.startswith("TEMPORAL_")}
    environment.update(stack.cli_env())
    process = await asyncio.create_subprocess_exec(
        temporal_binary(),
        *arguments,
        "--address",
        stack.state.address,
        "--namespace",
        load_topology().orchestrator.namespace,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def listed_by_cli(stack: Suite, workflow_id: str) -> list[dict[str, Any]]:
    """The calls waiting for approval, as ``temporal workflow query --name pending_approvals`` shows them."""
    listed: list[dict[str, Any]] = []

    async def waiting() -> bool:
        nonlocal listed
        code, out, err = await temporal_cli(
            stack,
            "workflow",
            "query",
            "--workflow-id",
            workflow_id,
            "--name",
            "pending_approvals",
            "-o",
            "json",
        )
        assert code == 0, err
        listed = json.loads(out)["queryResult"][0]
        return bool(listed)

    await eventually(waiting, what="the CLI lists a call waiting for approval")
    return listed


def cli_decision(call: dict[str, Any], **decision: Any) -> str:
    return json.dumps({"call_id": call["call_id"], "digest": call["digest"], **decision})


@pytest.mark.usefixtures("stub_llm_worker")
async def test_the_temporal_cli_alone_lists_a_waiting_call_and_approves_it(
    stack: Suite, chats: Chats, llm_stub: LlmStub, ticket_db: Path
) -> None:
    title = unique("Projector in room 4 is dead")
    llm_stub.script(asks_for(("call_ticket", "it__create_ticket", {"title": title})), completion("Opened."))
    chat = await chats.start(STUB_LLM_TASK_QUEUE)
    turn = chats.send(chat, "Open a ticket for the projector")

    (shown,) = await listed_by_cli(stack, chat.workflow_id)
    code, _, err = await temporal_cli(
        stack,
        "workflow", "update", "execute",
        "--workflow-id", chat.workflow_id,
        "--name", "decide_tool_call",
        "--input", cli_decision(shown, approve=True, approver="ops on call", reason="seen on the CLI"),
    )  # fmt: skip
    reply = await finished(turn)

    assert (shown["service"], shown["tool"], shown["arguments"]) == ("it", "create_ticket", {"title": title})
    assert code == 0, err
    assert tickets_titled(ticket_db, title) == 1
    approval = approval_of(only_record(reply))
    assert (approval.outcome, approval.approver, approval.reason) == (
        "approved",
        "ops on call",
        "seen on the CLI",
    )


@pytest.mark.usefixtures("stub_llm_worker")
async def test_the_temporal_cli_says_why_it_refuses_a_decision(
    stack: Suite, chats: Chats, llm_stub: LlmStub
) -> None:
    llm_stub.script(
        asks_for(("call_ticket", "it__create_ticket", {"title": unique("Mouse lost")})),
        completion("Not opened."),
    )
    chat = await chats.start(STUB_LLM_TASK_QUEUE)
    turn = chats.send(chat, "Open a ticket: I lost my mouse")
    (shown,) = await listed_by_cli(stack, chat.workflow_id)
    tampered = {**shown, "digest": arguments_digest("it", "create_ticket", {"title": "Something else"})}

    code, _, err = await temporal_cli(
        stack,
        "workflow", "update", "execute",
        "--workflow-id", chat.workflow_id,
        "--name", "decide_tool_call",
        "--input", cli_decision(tampered, approve=True, approver="ops on call"),
    )  # fmt: skip

    assert code != 0
    assert "The digest does not match the arguments of" in err, err
    assert [pending.call_id for pending in await chat.pending_approvals()] == [shown["call_id"]]
    (pending,) = await chat.pending_approvals()
    await chat.decide(pending, approve=False, approver="test")
    await finished(turn)


async def test_ending_the_chat_while_a_call_waits_denies_it_at_once_and_it_never_runs(
    stack: Suite, chats: Chats, llm_stub: LlmStub, ticket_db: Path, since: datetime
) -> None:
    title = unique("Reset the office router")
    llm_stub.script(
        asks_for(("call_ticket", "it__create_ticket", {"title": title})), completion("Nobody decided.")
    )
    chat = await chats.start(STUB_LLM_TASK_QUEUE)
    turn = chats.send(chat, "Open a ticket for the router", sender="alice")
    pending = await waiting_call(chat)

    await chat.request_end()
    reply = await finished(turn)
    transcript = await asyncio.wait_for(chat.handle.result(), TURN_SECONDS)

    assert tool_results(llm_stub.requests[1])["call_ticket"] == {
        "ok": False,
        "error": "The call did not run: the chat ended before anyone decided.",
    }
    approval = approval_of(only_record(reply))
    assert (approval.outcome, approval.approver) == ("denied", None)
    assert transcript.ended and transcript.entries[-1].reply == reply
    assert tickets_titled(ticket_db, title) == 0
    assert await tool_runs(stack, "it", pending.call_id, since) == []
