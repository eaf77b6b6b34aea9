"""Chat with the agent from a terminal: ``python -m orchestrator.chat`` (interactive) or
``python -m orchestrator.chat --message "What is the stock price of TSLA?"`` (one shot).

``--workflow-id`` resumes an existing chat (with ``--new``, names a new one); ``--profile`` picks an envconfig
profile.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import sys
import time
from collections.abc import AsyncIterator, Sequence

from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.service import RPCError

from orchestrator.conversation import Conversation
from orchestrator.models import AgentReply
from orchestrator.presentation import format_reply
from shared.connection import connect
from shared.failures import failure_message
from shared.topology import load_topology

QUIT_WORDS = frozenset({"/quit", "/exit", "quit", "exit", "bye"})


@contextlib.asynccontextmanager
async def progress(label: str = "working") -> AsyncIterator[None]:
    """A spinner with elapsed seconds on a terminal; one line otherwise."""

    async def spin() -> None:
        started = time.monotonic()
        for frame in itertools.cycle("|/-\\"):
            sys.stderr.write(f"\r{frame} {label} ({time.monotonic() - started:.1f}s)")
            sys.stderr.flush()
            await asyncio.sleep(0.1)

    if not sys.stderr.isatty():
        sys.stderr.write(f"... {label}\n")
        yield
        return
    spinner = asyncio.create_task(spin())
    try:
        yield
    finally:
        spinner.cancel()
        sys.stderr.write("\r\033[K")
        sys.stderr.flush()


async def send(conversation: Conversation, text: str) -> AgentReply | None:
    """One turn; a rejected message is explained and returns None (nothing else is lost)."""
    try:
        async with progress("the agent is working"):
            return await conversation.send(text)
    except WorkflowUpdateFailedError as error:
        print(f"(not sent: {failure_message(error)})")
    except RPCError as error:
        print(f"(not sent: chat {conversation.workflow_id} has ended or does not exist: {error.message})")
    return None


async def end_if_open(conversation: Conversation) -> None:
    try:
        await conversation.end()
    except RPCError:
        pass  # it had ended already


async def interactive(conversation: Conversation) -> None:
    print(f"Chat {conversation.workflow_id}. Type /quit to end.")
    while True:
        try:
            text = await asyncio.to_thread(input, "you> ")
        except EOFError:
            break
        if text.strip().lower() in QUIT_WORDS:
            break
        reply = await send(conversation, text)
        if reply is not None:
            print(f"agent> {format_reply(reply)}")


async def run(client: Client, arguments: argparse.Namespace) -> int:
    if arguments.workflow_id and not arguments.new:
        conversation = Conversation.resume(client, arguments.workflow_id)
    else:
        conversation = await Conversation.start(client, workflow_id=arguments.workflow_id)
    if arguments.message is not None:
        reply = await send(conversation, arguments.message)
        if reply is not None:
            print(format_reply(reply))
        if not arguments.keep:
            await end_if_open(conversation)
        return 0 if reply is not None else 1
    try:
        await interactive(conversation)
    finally:
        await end_if_open(conversation)
    return 0


def parse_arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Chat with the durable agent.")
    parser.add_argument("--message", "-m", help="send one message, print the reply, and end the chat")
    parser.add_argument("--keep", action="store_true", help="with --message: leave the chat open afterwards")
    parser.add_argument("--workflow-id", help="resume this chat (or, with --new, start one with this id)")
    parser.add_argument("--new", action="store_true", help="start a new chat even if --workflow-id is given")
    parser.add_argument("--profile", help="temporalio.envconfig profile (default: TEMPORAL_PROFILE)")
    return parser.parse_args(argv)


async def main(argv: Sequence[str] | None = None, client: Client | None = None) -> int:
    arguments = parse_arguments(argv)
    if client is None:
        client = await connect(load_topology().orchestrator.namespace, profile=arguments.profile)
    return await run(client, arguments)


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        raise SystemExit(asyncio.run(main()))
