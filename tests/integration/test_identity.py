"""Identity from the person to the tool, on a suite of its own with an issuer configured (the local stack's
identity provider): people's tokens checked by the orchestrator, a proof per tool call checked by the team
that runs it, approvers with the right. Real server, real worker processes, the offline model."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
import pytest
from google.protobuf import json_format
from temporalio.api.enums.v1 import EventType
from temporalio.api.failure.v1 import Failure
from temporalio.api.history.v1 import History, NexusOperationScheduledEventAttributes
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.converter import DataConverter

from harness.local_issuer import EVERY_TOOL_SCOPE, LocalIssuer
from harness.server import free_port
from harness.suite import Suite, offline_settings, running_suite
from orchestrator.conversation import Conversation
from orchestrator.models import AgentReply
from shared.contract import CALL_PROOF_HEADER, EXECUTE_TOOL
from shared.identity.keys import load_private_key
from shared.topology import load_topology
from tests.support.nexus_http import post_start
from tests.support.payloads import payload_json
from tests.support.waiting import eventually
from tests.support.web_chat import WebChatProcess

IT_ONLY = ("it:read", "it:tickets:write")


@dataclass
class Secured:
    suite: Suite
    issuer: LocalIssuer
    ticket_db: Path

    async def chat(self, user: str, scopes: tuple[str, ...] = EVERY_TOOL_SCOPE) -> Conversation:
        return await Conversation.start(self.suite.client, token=self.issuer.mint(user, scopes))


@pytest.fixture(scope="module")
async def secured(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Secured]:
    state = tmp_path_factory.mktemp("secured")
    ticket_db = state / "tickets.db"
    async with running_suite(state, env=offline_settings(ticket_db), identity=True) as suite:
        assert suite.issuer is not None
        yield Secured(suite, suite.issuer, ticket_db)


async def refusal_of(chat: Conversation, text: str = "What is my IP address?") -> str:
    with pytest.raises(WorkflowUpdateFailedError) as raised:
        await chat.send(text)
    return str(raised.value.cause)


async def test_a_message_without_a_token_is_refused_saying_how_to_get_one_and_the_chat_goes_on(
    secured: Secured,
) -> None:
    chat = await secured.chat("alice")
    token = chat.token
    chat.token = None

    refusal = await refusal_of(chat)

    assert "No token" in refusal and "scripts/token" in refusal
    chat.token = token
    reply = await chat.send("What is my IP address?")
    assert [(call.tool, call.ok) for call in reply.tool_calls] == [("get_ip", True)]
    assert [entry.user for entry in (await chat.transcript()).entries] == ["What is my IP address?"]


@pytest.mark.parametrize(
    ("forge", "says"),
    [
        ("expired", "has expired"),
        ("forged", "signature does not verify"),
        ("signed by an unknown key", "a key its issuer does not publish"),
        ("wrong audience", "not meant for"),
        ("not a token", "not a JWT"),
    ],
)
async def test_a_bad_token_is_refused_with_the_reason(
    secured: Secured, tmp_path: Path, forge: str, says: str
) -> None:
    chat = await secured.chat("alice")
    if forge == "expired":
        chat.token = secured.issuer.mint("alice", EVERY_TOOL_SCOPE, ttl_seconds=-60)
    elif forge == "forged":  # the same claims, under the trusted key's id, signed by another key
        chat.token = forged_token(secured.issuer, LocalIssuer(tmp_path), "alice")
    elif forge == "signed by an unknown key":
        chat.token = LocalIssuer(tmp_path).mint("alice", EVERY_TOOL_SCOPE)
    elif forge == "wrong audience":
        chat.token = secured.issuer.mint("alice", EVERY_TOOL_SCOPE, audience="another-app")
    else:
        chat.token = "let-me-in"

    refusal = await refusal_of(chat)

    assert says in refusal
    assert chat.token not in refusal, "a refusal never quotes the token"


async def test_a_chat_started_with_a_bad_token_refuses_every_message_with_the_reason(
    secured: Secured, tmp_path: Path
) -> None:
    chat = await Conversation.start(secured.suite.client, token=LocalIssuer(tmp_path).mint("eve", ["*"]))

    refusal = await refusal_of(chat)

    assert "This chat was not opened" in refusal and "a key its issuer does not publish" in refusal


async def test_a_user_without_finance_read_is_told_they_are_not_permitted_and_it_tools_work(
    secured: Secured,
) -> None:
    chat = await secured.chat("bob", IT_ONLY)

    ip = await chat.send("What is my IP address?")
    stock = await chat.send("What is the stock price of TSLA?")

    assert [(call.tool, call.ok) for call in ip.tool_calls] == [("get_ip", True)]
    assert [call.service for call in stock.tool_calls] == [], "the model was never offered a finance tool"
    assert "not permitted to use finance/stock_price (needs finance:read)" in stock.text
    assert stock.unavailable_services == []


async def test_a_sender_without_the_scope_is_told_plainly_they_are_not_permitted(secured: Secured) -> None:
    chat = await secured.chat("alice")  # the chat's tools are alice's; bob sends the next message
    chat.token = secured.issuer.mint("bob", IT_ONLY)

    reply = await chat.send("What is the stock price of TSLA?")

    (call,) = reply.tool_calls
    assert (call.tool, call.ok) == ("stock_price", False)
    assert call.error is not None and "Not permitted" in call.error and "finance:read" in call.error
    assert "not permitted" in reply.text.lower()
    assert call.duration_ms is not None and call.duration_ms < 10_000, "a refusal is answered, not retried"


async def test_the_ticket_records_who_asked_and_the_approval_who_decided(secured: Secured) -> None:
    title = f"Badge reader {uuid.uuid4().hex[:6]}"
    alice = await secured.chat("alice")

    reply = await alice.send_approving(f"Open a ticket titled '{title}'", approver="ignored when verified")

    (call,) = reply.tool_calls
    assert (call.tool, call.ok) == ("create_ticket", True)
    assert (call.result or {}).get("requested_by") == "alice"
    assert requested_by(secured.ticket_db, title) == "alice"
    assert call.approval is not None
    assert (call.approval.approver, call.approval.approver_identity) == ("alice", "alice")


async def test_an_approver_without_the_right_is_refused_and_one_with_it_decides(secured: Secured) -> None:
    alice = await secured.chat("alice", IT_ONLY)
    title = f"Broken chair {uuid.uuid4().hex[:6]}"
    asking = asyncio.ensure_future(alice.send(f"Open a ticket titled '{title}'"))
    await eventually(alice.pending_approvals, what="the call waits for approval")  # type: ignore[arg-type]
    (pending,) = await alice.pending_approvals()
    mallory = Conversation.resume(
        secured.suite.client, alice.workflow_id, token=secured.issuer.mint("mallory", IT_ONLY)
    )
    carol = Conversation.resume(
        secured.suite.client, alice.workflow_id, token=secured.issuer.mint("carol", ["it:tickets:approve"])
    )

    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await mallory.decide(pending, approve=True, approver="mallory")
    await carol.decide(pending, approve=True, approver="someone else", reason="needed")
    reply: AgentReply = await asyncio.wait_for(asking, 60)

    assert "mallory may not decide" in str(refused.value.cause)
    assert "it:tickets:approve" in str(refused.value.cause)
    (call,) = reply.tool_calls
    assert call.ok and call.approval is not None
    assert (call.approval.approver, call.approval.approver_identity, call.approval.requested_by) == (
        "carol",
        "carol",
        "alice",
    )


async def test_a_proof_copied_from_the_history_runs_nothing_anywhere_else(secured: Secured) -> None:
    chat = await secured.chat("alice")
    await chat.send("What is the stock price of TSLA?")
    scheduled = await nexus_scheduled(chat, EXECUTE_TOOL)
    proof = scheduled.nexus_header[CALL_PROOF_HEADER]
    original = await payload_json(scheduled.input, secured.suite.client.data_converter)
    assert original["tool"] == "stock_price"
    topology = load_topology()
    finance_url = secured.suite.nexus_url(topology.tool_service("finance").endpoint, EXECUTE_TOOL)
    it_url = secured.suite.nexus_url(topology.tool_service("it").endpoint, EXECUTE_TOOL)
    headers = {CALL_PROOF_HEADER: proof}

    other_team = post_start(
        it_url, str(uuid.uuid4()), {**original, "tool": "get_ip", "arguments": {}}, headers
    )
    changed = post_start(
        finance_url, str(uuid.uuid4()), {**original, "arguments": {"ticker": "MSFT"}}, headers
    )
    again = post_start(finance_url, str(uuid.uuid4()), original, headers)
    unproven = post_start(finance_url, str(uuid.uuid4()), {**original, "call_id": "new"}, {})

    converter = secured.suite.client.data_converter
    assert other_team[0] == 403 and "not meant for 'it'" in await refusal_in(other_team[1], converter)
    assert changed[0] == 403 and "made for another call" in await refusal_in(changed[1], converter)
    assert again[0] >= 400, "the same call presented again runs nothing"
    assert unproven[0] == 403 and "no proof" in await refusal_in(unproven[1], converter)


async def test_no_message_argument_result_error_or_token_is_stored_or_logged_in_plain_text(
    secured: Secured,
) -> None:
    chat = await secured.chat("alice")
    token = chat.token
    assert token is not None
    question = "What is the stock price of TSLA and of QQZX?"  # QQZX: no such ticker, so a tool error too
    reply = await chat.send(question)
    results = [call.result or {} for call in reply.tool_calls]
    assert [call.ok for call in reply.tool_calls] == [True, False]
    secrets = {
        "the question": question,
        "the reply": reply.text.splitlines()[0],
        "an argument": "QQZX",
        "a result": str(results[0]["price"]),
        "the token": token,
        "the payload key": newest_key(Path(secured.suite.base_env["PAYLOAD_KEYS_FILE"])),
    }

    for namespace in load_topology().namespaces():
        client = await Client.connect(secured.suite.state.address, namespace=namespace)  # no codec: as stored
        async for execution in client.list_workflows():
            history = await client.get_workflow_handle(execution.id).fetch_history()
            # The stored bytes: every text field as UTF-8 and every payload's bytes as they are, so a payload
            # written in plain text shows; not the JSON form, whose base64 of ciphertext can spell 'QQZX'.
            stored = History(events=history.events).SerializeToString()
            for what, secret in secrets.items():
                assert secret.encode() not in stored, (
                    f"{what} is in the stored history of {namespace}/{execution.id}"
                )
    for worker in secured.suite.workers.values():
        log = worker.log()
        for what in ("the token", "the payload key"):
            assert secrets[what] not in log, f"{what} is in the log of {worker.spec.name}"


async def test_the_terminal_chat_takes_a_token_file_and_says_what_to_do_without_one(
    secured: Secured, tmp_path: Path
) -> None:
    token_file = tmp_path / "alice.jwt"
    token_file.write_text(secured.issuer.mint("alice", EVERY_TOOL_SCOPE))
    question = ["--message", "What is my IP address?"]

    with_token = await run_chat(secured, [*question, "--token-file", str(token_file)])
    without = await run_chat(secured, question)

    assert with_token[0] == 0 and "203.0.113.24" in with_token[1]
    assert without[0] == 1 and "No token" in without[1] and "Traceback" not in without[1]


async def test_the_web_chat_passes_the_bearer_token_and_refuses_a_request_without_one(
    secured: Secured,
) -> None:
    token = secured.issuer.mint("alice", EVERY_TOOL_SCOPE)
    server = WebChatProcess(secured.suite.base_env, free_port()).start()
    try:
        status, chat = await asyncio.to_thread(server.call, "POST", "/api/chats", {}, token=token)
        assert status == 201
        messages = f"/api/chats/{chat['workflow_id']}/messages"
        question = {"text": "What is my IP address?"}
        answered = await asyncio.to_thread(server.call, "POST", messages, question, token=token)
        refused = await asyncio.to_thread(server.call, "POST", messages, question)
    finally:
        server.stop()

    assert answered[0] == 200 and answered[1]["tool_calls"][0]["tool"] == "get_ip"
    assert refused[0] == 401 and "No token" in refused[1]["error"]
    assert token not in server.log()


@pytest.mark.parametrize(
    ("module", "unset", "says"),
    [
        ("finance_service.worker", "CALL_PROOF_JWKS", "CALL_PROOF_JWKS is not"),
        ("orchestrator.worker", "CALL_PROOF_KEY", "CALL_PROOF_KEY is not"),
        ("orchestrator.worker", "IDENTITY_JWKS", "IDENTITY_JWKS is not set"),
        ("orchestrator.worker", "PAYLOAD_KEYS_FILE", "payloads are not encrypted"),
    ],
)
async def test_a_half_configured_worker_refuses_to_start_saying_what_is_missing(
    secured: Secured, module: str, unset: str, says: str
) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        module,
        env={**os.environ, **secured.suite.base_env, unset: ""},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), 60)

    assert process.returncode == 2
    assert says in output.decode() and "Traceback" not in output.decode()


async def run_chat(secured: Secured, arguments: list[str]) -> tuple[int, str]:
    """``python -m orchestrator.chat`` against the secured suite: its exit code and output."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "orchestrator.chat",
        *arguments,
        env={**os.environ, **secured.suite.base_env, "AGENT_USER_TOKEN": ""},
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, output.decode()


async def nexus_scheduled(chat: Conversation, operation: str) -> NexusOperationScheduledEventAttributes:
    history = await chat.handle.fetch_history()
    for event in history.events:
        if event.event_type == EventType.EVENT_TYPE_NEXUS_OPERATION_SCHEDULED:
            attributes = event.nexus_operation_scheduled_event_attributes
            if attributes.operation == operation:
                return attributes
    raise AssertionError(f"no {operation} in the chat's history")


async def refusal_in(body: dict[str, Any], converter: DataConverter) -> str:
    """The message of a Nexus handler's failure as an HTTP caller gets it (its attributes are encrypted:
    only a holder of the keys reads it)."""
    failure = json_format.ParseDict(body["details"], Failure())
    return str(await converter.decode_failure(failure))


def newest_key(keys_file: Path) -> str:
    return str(json.loads(keys_file.read_text())["keys"][-1]["key"])


def forged_token(trusted: LocalIssuer, other: LocalIssuer, user: str) -> str:
    """A token with the trusted issuer's claims and key id, signed with ``other``'s key."""
    genuine = other.mint(user, EVERY_TOOL_SCOPE)
    trusted_key_id = json.loads(trusted.user_jwks.read_text())["keys"][0]["kid"]
    claims = jwt.decode(genuine, options={"verify_signature": False})
    return jwt.encode(
        claims, load_private_key(other.user_key), algorithm="ES256", headers={"kid": trusted_key_id}
    )


def requested_by(ticket_db: Path, title: str) -> str | None:
    with closing(sqlite3.connect(ticket_db)) as connection:
        row = connection.execute("SELECT requested_by FROM tickets WHERE title = ?", (title,)).fetchone()
    return None if row is None else row[0]
