"""Chat with the agent from a terminal: ``python -m orchestrator.chat`` (interactive) or
``python -m orchestrator.chat --message "What is the stock price of TSLA?"`` (one shot).

While the agent works, a live line says what it does (calling the model, step n; running a tool, for how
long; waiting for approval). A call that needs a person's yes is shown with its exact arguments; answer it
with ``/approve`` or ``/deny <reason>`` (the oldest waiting call), in this chat or from a second terminal that
resumes it (``--workflow-id``). ``--user NAME`` (or ``--as``) says who you are (default: the login name);
where the agent requires a signed token, give it with ``--token-file PATH`` or the ``AGENT_USER_TOKEN``
variable (locally: ``scripts/token alice > alice.jwt``). ``--profile`` picks an envconfig profile.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import os
import stat
import sys
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.service import RPCError

from orchestrator.conversation import Conversation
from orchestrator.models import AgentReply, PendingApproval, Progress
from orchestrator.presentation import describe_pending, describe_progress, format_reply
from shared.connection import connect
from shared.failures import failure_message
from shared.process import exit_process
from shared.topology import load_topology

QUIT_WORDS = frozenset({"/quit", "/exit", "quit", "exit", "bye"})
APPROVE, DENY = "/approve", "/deny"
LOOK_EVERY_SECONDS = 0.3


class TerminalChat:
    """One chat at a terminal: turns run in the background, so ``/approve`` can be typed while one waits."""

    def __init__(self, conversation: Conversation, person: str) -> None:
        self.conversation = conversation
        self.person = person
        self._shown: set[str] = set()
        """Pending approvals already printed."""

    async def send(self, text: str) -> AgentReply | None:
        """One turn, with the live line meanwhile; a rejected message is explained and returns None."""
        turn = asyncio.ensure_future(self.conversation.send(text, sender=self.person))
        watcher = asyncio.create_task(self._watch(turn))
        try:
            return await turn
        except WorkflowUpdateFailedError as error:
            print(f"(not sent: {failure_message(error)})")
        except RPCError as error:
            print(
                f"(not sent: chat {self.conversation.workflow_id} has ended or does not exist: {error.message})"
            )
        finally:
            watcher.cancel()
            await asyncio.gather(watcher, return_exceptions=True)
            _clear_line()
        return None

    async def decide(self, verb: str, reason: str) -> None:
        """``/approve`` or ``/deny <reason>``: answer the oldest waiting call this terminal has shown. One
        not shown yet is shown first: an approval is for what the person saw."""
        try:
            waiting = await self.conversation.pending_approvals()
        except RPCError as error:
            print(f"(cannot read the chat: {error.message})")
            return
        if not waiting:
            print("(no call is waiting for approval)")
            return
        pending = next((item for item in waiting if item.call_id in self._shown), None)
        if pending is None:
            self._show_new(waiting)
            return
        try:
            await self.conversation.decide(
                pending, approve=verb == APPROVE, approver=self.person, reason=reason
            )
        except WorkflowUpdateFailedError as error:
            print(f"(not taken: {failure_message(error)})")
            return
        except RPCError as error:
            print(f"(not taken: the chat has ended or does not answer: {error.message})")
            return
        approve = verb == APPROVE
        verdict = "approved" if approve else "denied"
        print(f"({verdict}: {pending.service}/{pending.tool}, call {pending.call_id})")

    async def show_waiting(self) -> None:
        """Print the calls waiting for a decision that were not shown yet (on resuming a chat, say)."""
        with contextlib.suppress(RPCError):
            self._show_new(await self.conversation.pending_approvals())

    async def _watch(self, turn: asyncio.Future[AgentReply]) -> None:
        while not turn.done():
            try:
                progress = await self.conversation.progress()
            except RPCError:
                progress = None  # the worker is restarting: the turn goes on when it is back
            if progress is not None:
                self._show_new(progress.pending_approvals)
                _live_line(progress)
            await asyncio.sleep(LOOK_EVERY_SECONDS)

    def _show_new(self, waiting: list[PendingApproval]) -> None:
        for pending in waiting:
            if pending.call_id not in self._shown:
                self._shown.add(pending.call_id)
                _clear_line()
                print(describe_pending(pending))
                print("  answer with /approve or /deny <reason>")


def _live_line(progress: Progress) -> None:
    if not sys.stderr.isatty():
        return
    sys.stderr.write(f"\r\033[K{describe_progress(progress, datetime.now(UTC))}")
    sys.stderr.flush()


def _clear_line() -> None:
    if sys.stderr.isatty():
        sys.stderr.write("\r\033[K")
        sys.stderr.flush()


async def end_if_open(conversation: Conversation) -> None:
    try:
        await conversation.end()
    except RPCError:
        pass  # it had ended already


async def interactive(chat: TerminalChat, keep: bool) -> None:
    print(f"Chat {chat.conversation.workflow_id} as {chat.person}. Type /quit to end.")
    await chat.show_waiting()
    turn: asyncio.Task[None] | None = None
    async for text in _typed_lines():
        command = text.strip()
        if command.lower() in QUIT_WORDS:
            break
        verb, _, reason = command.partition(" ")
        if verb in (APPROVE, DENY):
            await chat.decide(verb, reason.strip())
        elif turn is not None and not turn.done():
            print("(the agent is still answering; /approve or /deny a waiting call, or wait)")
        elif command:
            turn = asyncio.create_task(_turn(chat, text))
    if turn is not None and not turn.done():
        if keep:  # the chat goes on without this terminal; its turn finishes in the workflow
            turn.cancel()
            return
        # Ending the chat denies any call still waiting, so the turn ends now rather than at the timeout.
        await chat.conversation.request_end()
        await turn


async def _turn(chat: TerminalChat, text: str) -> None:
    reply = await chat.send(text)
    if reply is not None:
        print(f"agent> {format_reply(reply)}")


async def _typed_lines() -> AsyncIterator[str]:
    """Every line typed, read without a thread, so the chat can end while it waits for one."""
    print("you> ", end="", flush=True)
    if not stat.S_ISREG(os.fstat(sys.stdin.fileno()).st_mode):
        reader = asyncio.StreamReader()
        loop = asyncio.get_running_loop()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
        while line := await reader.readline():
            yield line.decode(errors="replace").rstrip("\n")
            print("you> ", end="", flush=True)
        return
    for typed in sys.stdin:  # a file: every line is there already
        yield typed.rstrip("\n")


TOKEN_VARIABLE = "AGENT_USER_TOKEN"
"""The variable holding the person's token, when no ``--token-file`` is given."""


def user_token(token_file: str | None) -> str | None:
    """The person's token: the file's content, else ``AGENT_USER_TOKEN``, else none (no issuer configured)."""
    if token_file is None:
        return os.environ.get(TOKEN_VARIABLE, "").strip() or None
    try:
        return Path(token_file).read_text(encoding="utf-8").strip() or None
    except OSError as error:
        raise SystemExit(f"Cannot read the token file {token_file}: {error.strerror}.") from None


async def run(client: Client, arguments: argparse.Namespace) -> int:
    token = user_token(arguments.token_file)
    if arguments.workflow_id and not arguments.new:
        conversation = Conversation.resume(client, arguments.workflow_id, token=token)
    else:
        conversation = await Conversation.start(client, workflow_id=arguments.workflow_id, token=token)
    chat = TerminalChat(conversation, arguments.person)
    if arguments.message is not None:
        reply = await chat.send(arguments.message)
        if reply is not None:
            print(format_reply(reply))
        if not arguments.keep:
            await end_if_open(conversation)
        return 0 if reply is not None else 1
    try:
        await interactive(chat, keep=arguments.keep)
    finally:
        if not arguments.keep:
            await end_if_open(conversation)
    return 0


def parse_arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Chat with the durable agent.")
    parser.add_argument("--message", "-m", help="send one message, print the reply, and end the chat")
    parser.add_argument("--keep", action="store_true", help="leave the chat open when this program ends")
    parser.add_argument("--workflow-id", help="resume this chat (or, with --new, start one with this id)")
    parser.add_argument("--new", action="store_true", help="start a new chat even if --workflow-id is given")
    parser.add_argument(
        "--user",
        "--as",
        dest="person",
        default=_login_name(),
        help="who you are: the sender and the approver (with an issuer, your token says it)",
    )
    parser.add_argument(
        "--token-file", help=f"a file holding your signed token (default: the {TOKEN_VARIABLE} variable)"
    )
    parser.add_argument("--profile", help="temporalio.envconfig profile (default: TEMPORAL_PROFILE)")
    return parser.parse_args(argv)


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "terminal user"


async def main(argv: Sequence[str] | None = None, client: Client | None = None) -> int:
    arguments = parse_arguments(argv)
    if client is None:
        client = await connect(load_topology().orchestrator.namespace, profile=arguments.profile)
    return await run(client, arguments)


if __name__ == "__main__":
    code = 130
    with contextlib.suppress(KeyboardInterrupt):
        code = asyncio.run(main())
    exit_process(code)
