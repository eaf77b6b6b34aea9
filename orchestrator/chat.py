"""Chat with the agent from a terminal: ``python -m orchestrator.chat`` (interactive) or
``python -m orchestrator.chat --message "What is the stock price of TSLA?"`` (one shot).

While the agent works, a live line says what it does (calling the model, step n; running a tool, for how
long; waiting for approval). A call that needs a person's yes is shown with its exact arguments; answer it
with ``/approve`` or ``/deny <reason>`` (the oldest waiting call), in this chat or from a second terminal that
resumes it (``--workflow-id``). ``--user NAME`` (or ``--as``) says who you are (default: the login name);
where the agent requires a signed token, give it with ``--token-file PATH`` or the ``AGENT_USER_TOKEN``
variable (locally: ``scripts/token alice > alice.jwt``). ``--profile`` picks an envconfig profile.

It never hangs and leaves nothing behind it was not asked to: with no orchestrator worker on the chat's task
queue it says at once which to start (``--task-queue`` or ``ORCHESTRATOR_TASK_QUEUE`` picks the queue of a
new chat); Ctrl-C stops it cleanly and ends the chat unless ``--keep`` (then it says how to resume it); an
unreachable server is one line naming its address and how to start the local stack (exit 2). A line typed or
pasted at a terminal is read whole, however long (``orchestrator.terminal_input``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from temporalio.client import Client
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError

from orchestrator.conversation import Conversation
from orchestrator.leaving import leave
from orchestrator.presentation import format_reply
from orchestrator.settings import TASK_QUEUE_VARIABLE
from orchestrator.terminal_chat import APPROVE, DENY, TerminalChat
from orchestrator.terminal_input import TypedLines, restore_terminals
from shared.connection import connect, no_answer
from shared.process import ServerUnreachable, exit_process
from shared.topology import load_topology

QUIT_WORDS = frozenset({"/quit", "/exit", "quit", "exit", "bye"})
INTERRUPTED = 130
"""The exit code after Ctrl-C, as a shell reports a process SIGINT ended."""
CANNOT_START = 2
"""The exit code when the chat cannot start: no server, a chat id taken."""


async def interactive(chat: TerminalChat, keep: bool) -> None:
    turn: asyncio.Task[None] | None = None
    try:
        async with TypedLines() as lines:  # from now on, what is typed is read whole, not cut at 4095
            print(f"Chat {chat.conversation.workflow_id} as {chat.person}. Type /quit to end.")
            if await chat.warn_if_no_worker():
                await chat.show_waiting()  # a query: only a worker answers it
            async for text in lines:
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
        if turn is not None and not turn.done() and chat.last is not None:
            if chat.last.stage == "accepted" and not keep:
                # Ending the chat denies any call still waiting, so the turn ends now rather than at the timeout.
                await chat.conversation.request_end()
                await turn
    finally:
        if turn is not None and not turn.done():
            turn.cancel()  # kept, or not accepted yet (leaving says where the message got to)
            await asyncio.gather(turn, return_exceptions=True)


async def _turn(chat: TerminalChat, text: str) -> None:
    reply = await chat.send(text)
    if reply is not None:
        print(f"agent> {format_reply(reply)}")


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
    """The chat, until its end or Ctrl-C; then leave it (ended, unless ``--keep``). Returns the exit code."""
    token = user_token(arguments.token_file)
    started_here = not arguments.workflow_id or arguments.new
    if started_here:
        conversation = await Conversation.start(
            client, workflow_id=arguments.workflow_id, task_queue=arguments.task_queue, token=token
        )
    else:
        conversation = Conversation.resume(client, arguments.workflow_id, token=token)
    chat = TerminalChat(client, conversation, arguments.person, patient=arguments.message is None)
    talk = asyncio.ensure_future(_talk(chat, arguments))
    with _interrupts(talk, conversation.workflow_id) as interrupted:
        try:
            code = await talk
        except asyncio.CancelledError:
            if not interrupted():
                raise
            print("\n(interrupted)")
            code = INTERRUPTED
        await leave(chat, keep=arguments.keep, started_here=started_here, announce=interrupted())
    return code


async def _talk(chat: TerminalChat, arguments: argparse.Namespace) -> int:
    if arguments.message is None:
        await interactive(chat, keep=arguments.keep)
        return 0
    reply = await chat.send(arguments.message)
    if reply is not None:
        print(format_reply(reply))
    return 0 if reply is not None else 1


@contextmanager
def _interrupts(talk: asyncio.Future[int], chat_id: str) -> Iterator[Callable[[], bool]]:
    """Ctrl-C (SIGINT) stops the chat cleanly: the first cancels ``talk`` (then the chat is left as asked);
    another, or one while the chat is being left, exits at once. Yields whether it was pressed."""
    loop = asyncio.get_running_loop()
    pressed: list[bool] = []

    def interrupt() -> None:
        if pressed or talk.done():
            restore_terminals()
            print(f"\n(stopped at once: the chat {chat_id} may still be open)", flush=True)
            exit_process(INTERRUPTED)
        pressed.append(True)
        talk.cancel()

    loop.add_signal_handler(signal.SIGINT, interrupt)
    try:
        yield lambda: bool(pressed)
    finally:
        loop.remove_signal_handler(signal.SIGINT)


def parse_arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Chat with the durable agent.")
    parser.add_argument("--message", "-m", help="send one message, print the reply, and end the chat")
    parser.add_argument("--keep", action="store_true", help="leave the chat open when this program ends")
    parser.add_argument("--workflow-id", help="resume this chat (or, with --new, start one with this id)")
    parser.add_argument("--new", action="store_true", help="start a new chat even if --workflow-id is given")
    parser.add_argument(
        "--task-queue",
        default=os.environ.get(TASK_QUEUE_VARIABLE) or None,
        help=f"the orchestrator workers' task queue for a new chat (default: {TASK_QUEUE_VARIABLE}, else the "
        "topology's)",
    )
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
    """Connect and chat; a chat that cannot start says why in one line (exit 2), never with a traceback."""
    arguments = parse_arguments(argv)
    try:
        if client is None:
            client = await connect(load_topology().orchestrator.namespace, profile=arguments.profile)
        return await run(client, arguments)
    except ServerUnreachable as problem:
        print(problem, file=sys.stderr)
    except WorkflowAlreadyStartedError as taken:
        print(
            f"A chat {taken.workflow_id} exists already: resume it with --workflow-id {taken.workflow_id} "
            "(without --new), or pick another id.",
            file=sys.stderr,
        )
    except RPCError as error:
        print(no_answer(client, error), file=sys.stderr)
    return CANNOT_START


if __name__ == "__main__":
    code = INTERRUPTED  # Ctrl-C before the chat opened
    with contextlib.suppress(KeyboardInterrupt):
        code = asyncio.run(main())
    restore_terminals()
    exit_process(code)
