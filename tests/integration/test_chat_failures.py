"""The chat when things go wrong, as a person meets it: no worker on the chat's task queue, Ctrl-C, no server,
a long paste, a refused message; and a tool's own failure in its worker's log. Real processes on the real dev
server: the terminal chat on pipes or a pseudo-terminal, the web chat, the tool and orchestrator workers."""

from __future__ import annotations

import asyncio
import os
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator

import pytest
from temporalio.client import WorkflowExecutionStatus, WorkflowFailureError

from harness.server import free_port
from harness.suite import Suite
from harness.workers import WorkerProcess, orchestrator_on
from orchestrator.conversation import Conversation
from orchestrator.settings import TASK_QUEUE_VARIABLE
from shared.topology import load_topology
from tests.integration.conftest import NexusCaller
from tests.support.chat_process import ChatProcess
from tests.support.web_chat import WebChatProcess

FINANCE = load_topology().tool_service("finance").endpoint
NOTICE_WITHIN_SECONDS = 5.0
"""How soon a person learns that no worker takes their message."""
PROGRESS_WORDS = ("working", "calling the model", "running ", "discovering", "waiting for approval")
"""What the live line says (``orchestrator.presentation.describe_progress``)."""


@pytest.fixture
def chats(stack: Suite) -> Iterator[Callable[..., ChatProcess]]:
    """Start chat processes (``chats(arguments, tty=..., **env)``); each is killed by its pid at the end."""
    started: list[ChatProcess] = []

    def start(arguments: list[str], *, tty: bool = False, **env: str) -> ChatProcess:
        chat = ChatProcess(["--as", "failure tester", *arguments], {**stack.base_env, **env}, tty=tty)
        started.append(chat.start())
        return chat

    yield start
    for chat in started:
        chat.stop()


@pytest.fixture
def unpolled_queue() -> str:
    """A task queue no worker polls."""
    return f"unpolled-{uuid.uuid4().hex[:8]}"


async def status_of(stack: Suite, chat_id: str) -> WorkflowExecutionStatus | None:
    return (await stack.client.get_workflow_handle(chat_id).describe()).status


@pytest.fixture
async def chat_ids(stack: Suite) -> AsyncIterator[list[str]]:
    """Chats a test names: any still running at the end is ended, so no test leaves an open chat behind."""
    ids: list[str] = []
    yield ids
    for chat_id in ids:
        handle = stack.client.get_workflow_handle(chat_id)
        try:
            if (await handle.describe()).status == WorkflowExecutionStatus.RUNNING:
                await handle.terminate(reason="test cleanup")
        except Exception:
            pass  # never started


# --- No worker polls the chat's task queue --------------------------------------------------------------


async def test_with_no_worker_a_one_shot_message_is_not_sent_and_the_chat_says_what_to_start(
    stack: Suite, chats: Callable[..., ChatProcess], unpolled_queue: str, chat_ids: list[str]
) -> None:
    chat_id = f"no-worker-{uuid.uuid4().hex[:8]}"
    chat_ids.append(chat_id)
    started = time.monotonic()

    chat = chats(
        ["--workflow-id", chat_id, "--new", "-m", "What is 6 * 7?"], **{TASK_QUEUE_VARIABLE: unpolled_queue}
    )
    code = await chat.exit_code()

    took = time.monotonic() - started
    assert code == 1, chat.output
    assert f"No orchestrator worker polls task queue '{unpolled_queue}'" in chat.output
    assert f"{TASK_QUEUE_VARIABLE}={unpolled_queue} python -m orchestrator.worker" in chat.output
    assert "not sent" in chat.output and "Traceback" not in chat.output
    assert took < NOTICE_WITHIN_SECONDS + 5, f"{took:.1f} s (a process start included)"
    assert await status_of(stack, chat_id) == WorkflowExecutionStatus.TERMINATED, "the chat was left open"


@pytest.mark.usefixtures("tool_workers")
async def test_an_interactive_message_waits_for_a_worker_and_goes_out_when_one_starts(
    stack: Suite, chats: Callable[..., ChatProcess], unpolled_queue: str, chat_ids: list[str]
) -> None:
    chat_id = f"waits-{uuid.uuid4().hex[:8]}"
    chat_ids.append(chat_id)
    chat = chats(["--workflow-id", chat_id, "--new"], **{TASK_QUEUE_VARIABLE: unpolled_queue})
    opened = await chat.until("Type /quit to end.")
    told_on_opening = await chat.until(f"No orchestrator worker polls task queue '{unpolled_queue}'")

    await chat.type("What is 6 * 7?")
    await chat.until("Your message waits here and goes out when it runs")
    worker = WorkerProcess(orchestrator_on(unpolled_queue, AGENT_MODEL=""), stack.base_env, stack.client)
    try:
        await worker.start()
        await chat.until("agent>")
        await chat.until("42")
        await chat.type("/quit")
        code = await chat.exit_code()
    finally:
        worker.stop()

    assert code == 0, chat.output
    assert opened < 30 and told_on_opening < NOTICE_WITHIN_SECONDS, (opened, told_on_opening)
    transcript = await Conversation.resume(stack.client, chat_id).handle.result()
    assert [entry.user for entry in transcript.entries] == ["What is 6 * 7?"], "the message was lost"


async def test_a_worker_that_stopped_a_moment_ago_is_reported_within_seconds_and_the_message_given_up(
    stack: Suite, chats: Callable[..., ChatProcess], unpolled_queue: str, chat_ids: list[str]
) -> None:
    # The server lists a stopped worker's poller for minutes: the chat learns it from the silence.
    worker = WorkerProcess(orchestrator_on(unpolled_queue, AGENT_MODEL=""), stack.base_env, stack.client)
    try:
        await worker.start()
    finally:
        worker.stop()
    chat_id = f"stopped-worker-{uuid.uuid4().hex[:8]}"
    chat_ids.append(chat_id)

    chat = chats(
        ["--workflow-id", chat_id, "--new", "-m", "What is 6 * 7?"], **{TASK_QUEUE_VARIABLE: unpolled_queue}
    )
    told = await chat.until("may have stopped")
    code = await chat.exit_code()

    assert told < NOTICE_WITHIN_SECONDS + 5, f"{told:.1f} s (a process start included)"
    assert f"{TASK_QUEUE_VARIABLE}={unpolled_queue} python -m orchestrator.worker" in chat.output
    assert code == 1 and "Your last message was not delivered" in chat.output, chat.output
    assert await status_of(stack, chat_id) == WorkflowExecutionStatus.TERMINATED, "the chat was left open"


@pytest.mark.usefixtures("tool_workers")
async def test_a_worker_gone_in_the_middle_of_a_turn_is_reported_and_ctrl_c_leaves_the_chat_ending(
    stack: Suite, chats: Callable[..., ChatProcess], unpolled_queue: str, chat_ids: list[str]
) -> None:
    worker = WorkerProcess(orchestrator_on(unpolled_queue, AGENT_MODEL=""), stack.base_env, stack.client)
    chat_id = f"worker-gone-{uuid.uuid4().hex[:8]}"
    chat_ids.append(chat_id)
    try:
        await worker.start()
        chat = chats(["--workflow-id", chat_id, "--new"], **{TASK_QUEUE_VARIABLE: unpolled_queue})
        await chat.until("Type /quit to end.")
        await chat.type("Open a ticket titled 'Printer on fire' with high priority")
        await chat.until("answer with /approve or /deny <reason>")  # the turn waits for a person
        worker.kill()
        told = await chat.until("The agent goes on with your message when one runs.")
        chat.interrupt()
        code = await chat.exit_code(within=20)
    finally:
        worker.stop()

    assert told < NOTICE_WITHIN_SECONDS + 5, f"{told:.1f} s"
    assert f"{TASK_QUEUE_VARIABLE}={unpolled_queue} python -m orchestrator.worker" in chat.output
    assert code == 130 and "Traceback" not in chat.output
    assert f"Your last message reached the agent. The chat {chat_id} is ending" in chat.output
    assert await status_of(stack, chat_id) == WorkflowExecutionStatus.RUNNING  # until a worker runs end_chat


async def test_the_web_chat_answers_503_saying_what_to_start_when_no_worker_polls(
    stack: Suite, unpolled_queue: str, chat_ids: list[str]
) -> None:
    server = WebChatProcess({**stack.base_env, TASK_QUEUE_VARIABLE: unpolled_queue}, free_port()).start()
    try:
        _, chat = await asyncio.to_thread(server.call, "POST", "/api/chats", {})
        chat_ids.append(chat["workflow_id"])
        started = time.monotonic()
        status, answer = await asyncio.to_thread(
            server.call, "POST", f"/api/chats/{chat['workflow_id']}/messages", {"text": "What is 6 * 7?"}
        )
        took = time.monotonic() - started
    finally:
        server.stop()

    assert status == 503, answer
    assert f"No orchestrator worker polls task queue '{unpolled_queue}'" in answer["error"]
    assert "python -m orchestrator.worker" in answer["error"] and "not sent" in answer["error"]
    assert took < NOTICE_WITHIN_SECONDS


# --- Ctrl-C -------------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("orchestrator_worker")
async def test_ctrl_c_stops_the_chat_cleanly_and_ends_its_workflow(
    stack: Suite, chats: Callable[..., ChatProcess], chat_ids: list[str]
) -> None:
    chat_id = f"ctrl-c-{uuid.uuid4().hex[:8]}"
    chat_ids.append(chat_id)
    chat = chats(["--workflow-id", chat_id, "--new"])
    await chat.until("Type /quit to end.")
    await chat.type("What is 6 * 7?")
    await chat.until("agent>")

    chat.interrupt()
    code = await chat.exit_code(within=20)

    assert code == 130, chat.output
    assert "(interrupted)" in chat.output and f"The chat {chat_id} has ended" in chat.output
    assert "Traceback" not in chat.output
    assert await status_of(stack, chat_id) == WorkflowExecutionStatus.COMPLETED


@pytest.mark.usefixtures("orchestrator_worker")
async def test_ctrl_c_with_keep_leaves_the_chat_open_and_says_how_to_resume_it(
    stack: Suite, chats: Callable[..., ChatProcess], chat_ids: list[str]
) -> None:
    chat_id = f"kept-{uuid.uuid4().hex[:8]}"
    chat_ids.append(chat_id)
    chat = chats(["--workflow-id", chat_id, "--new", "--keep"])
    await chat.until("Type /quit to end.")
    await chat.type("What is 6 * 7?")
    await chat.until("agent>")

    chat.interrupt()
    code = await chat.exit_code(within=20)

    assert code == 130, chat.output
    assert f"python -m orchestrator.chat --workflow-id {chat_id}" in chat.output
    assert "Traceback" not in chat.output
    assert await status_of(stack, chat_id) == WorkflowExecutionStatus.RUNNING


async def test_ctrl_c_while_a_message_waits_for_a_worker_says_it_was_not_sent_and_ends_the_chat(
    stack: Suite, chats: Callable[..., ChatProcess], unpolled_queue: str, chat_ids: list[str]
) -> None:
    chat_id = f"ctrl-c-waiting-{uuid.uuid4().hex[:8]}"
    chat_ids.append(chat_id)
    chat = chats(["--workflow-id", chat_id, "--new"], **{TASK_QUEUE_VARIABLE: unpolled_queue})
    await chat.until("Type /quit to end.")
    await chat.type("What is 6 * 7?")
    await chat.until("Your message waits here")

    chat.interrupt()
    code = await chat.exit_code(within=20)

    assert code == 130, chat.output
    assert "Your last message was not sent" in chat.output and "Traceback" not in chat.output
    assert await status_of(stack, chat_id) == WorkflowExecutionStatus.TERMINATED, "no worker ever ran it"


# --- No server ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [["orchestrator.chat", "-m", "Hello"], ["orchestrator.chat"], ["orchestrator.web"]],
    ids=["one-shot", "interactive", "web"],
)
async def test_with_no_server_the_chat_says_so_in_one_line_naming_the_address_and_how_to_start_it(
    command: list[str],
) -> None:
    address = f"127.0.0.1:{free_port()}"  # nothing listens there
    if command[0] == "orchestrator.web":
        command = [*command, "--port", str(free_port())]
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        *command,
        env={**os.environ, "TEMPORAL_ADDRESS": address, "TEMPORAL_PROFILE": "", "PAYLOAD_KEYS_FILE": ""},
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        output, _ = await asyncio.wait_for(process.communicate(), 30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()

    lines = output.decode().strip().splitlines()
    assert process.returncode == 2, output.decode()
    assert len(lines) == 1, output.decode()
    assert address in lines[0] and "scripts/stack start" in lines[0]


# --- Long input, refused messages ------------------------------------------------------------------------


@pytest.mark.usefixtures("orchestrator_worker")
async def test_a_long_paste_at_a_terminal_is_read_whole(
    stack: Suite, chats: Callable[..., ChatProcess], chat_ids: list[str]
) -> None:
    chat_id = f"long-{uuid.uuid4().hex[:8]}"
    chat_ids.append(chat_id)
    chat = chats(["--workflow-id", chat_id, "--new"], tty=True)
    await chat.until("Type /quit to end.")
    await chat.until("you> ")
    too_long = "x" * 100_000  # past the terminal's 4,095-character line and the chat's 32,000 limit
    long_but_fine = "What is 6 * 7? " + "y" * 10_000

    await chat.type(too_long)
    await chat.until("The message has 100000 characters; the limit is 32000.")
    await chat.type(long_but_fine)
    await chat.until("agent>")
    await chat.type("/quit")
    code = await chat.exit_code()

    assert code == 0, chat.output[-3000:]
    transcript = await Conversation.resume(stack.client, chat_id).handle.result()
    assert [entry.user for entry in transcript.entries] == [long_but_fine], "the message was cut"


@pytest.mark.usefixtures("orchestrator_worker")
async def test_a_refused_message_gets_no_progress_line(chats: Callable[..., ChatProcess]) -> None:
    chat = chats(["-m", "z" * 100_000], tty=True)  # at a terminal: the live line would show

    code = await chat.exit_code()

    assert code == 1, chat.output[-3000:]
    assert "(not sent: The message has 100000 characters; the limit is 32000.)" in chat.output
    shown = chat.output.replace("z", "")
    assert not [word for word in PROGRESS_WORDS if word in shown], shown


# --- Logs a person can read ------------------------------------------------------------------------------


async def test_a_tools_own_failure_and_a_refused_request_log_one_line_each_without_a_traceback(
    nexus_caller: NexusCaller, tool_workers: dict[str, WorkerProcess]
) -> None:
    log = tool_workers["finance"]
    seen = len(log.log())
    failed_call, refused_call = f"log-{uuid.uuid4().hex[:8]}", f"log-{uuid.uuid4().hex[:8]}"

    with pytest.raises(WorkflowFailureError):  # the tool's answer: no quote for ZZZZ
        await nexus_caller(
            FINANCE,
            "execute_tool",
            {"tool": "stock_price", "arguments": {"ticker": "ZZZZ"}, "call_id": failed_call},
        )
    with pytest.raises(WorkflowFailureError):  # refused: an unknown tool
        await nexus_caller(
            FINANCE, "execute_tool", {"tool": "no_such_tool", "arguments": {}, "call_id": refused_call}
        )
    written = await _log_lines(log, seen, [failed_call, refused_call])

    failed = [line for line in written if failed_call in line]
    refused = [line for line in written if refused_call in line]
    assert len(failed) == 1 and "tool failed" in failed[0] and "tool=stock_price" in failed[0], written
    assert "ZZZZ" in failed[0]
    assert (
        len(refused) == 1 and "request refused" in refused[0] and "Unknown tool 'no_such_tool'" in refused[0]
    )
    assert "BAD_REQUEST" in refused[0]
    assert not [line for line in written if "Traceback" in line or "Failed to execute Nexus" in line], written


async def _log_lines(worker: WorkerProcess, seen: int, awaited: list[str]) -> list[str]:
    """The worker's log lines after its first ``seen`` characters, once every text of ``awaited`` is there."""
    deadline = time.monotonic() + 10
    while True:
        written = worker.log()[seen:]
        if all(text in written for text in awaited) or time.monotonic() > deadline:
            await asyncio.sleep(0.5)  # anything the SDK would log after ours
            return worker.log()[seen:].splitlines()
        await asyncio.sleep(0.1)
