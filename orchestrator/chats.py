"""Conversations at a glance: ``python -m orchestrator.chats list [--user U] [--status S] [--limit N]``
lists recent chats (who, what they are doing, when they started, the tools and model they used), and
``python -m orchestrator.chats show ID`` prints one chat's transcript with how long every turn and every
tool call took. ``--profile`` picks an envconfig profile. A problem is one line on stderr: an unknown id
(exit 1), an unreachable server (exit 2)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from temporalio.client import Client
from temporalio.service import RPCError

from orchestrator.chat_index import ChatNotFound, ChatRow, TranscriptUnavailable, chat_transcript, list_chats
from orchestrator.models import Transcript
from orchestrator.presentation import describe_call
from orchestrator.search_attributes import STATUSES
from shared.connection import connect, no_answer
from shared.process import ServerUnreachable, exit_process
from shared.topology import load_topology

NOT_FOUND = 1
UNREACHABLE = 2


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m orchestrator.chats", description=__doc__)
    parser.add_argument(
        "--profile", help="envconfig profile (default: TEMPORAL_PROFILE, else the default one)"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="recent chats, newest first")
    listing.add_argument("--user", help="only this user's chats (the verified subject)")
    listing.add_argument("--status", choices=STATUSES, help="only chats in this state")
    listing.add_argument("--limit", type=int, default=20, help="at most this many (default 20)")
    showing = commands.add_parser("show", help="one chat's transcript with the duration of every step")
    showing.add_argument("workflow_id", metavar="ID")
    return parser.parse_args(argv)


def format_rows(rows: Sequence[ChatRow]) -> str:
    if not rows:
        return "No chats match."
    table = [("ID", "USER", "STATUS", "STARTED", "MODEL", "TOOLS USED")]
    table += [
        (
            row.workflow_id,
            row.user,
            row.status,
            row.started.isoformat(timespec="seconds"),
            row.model,
            ", ".join(row.tools) or "-",
        )
        for row in rows
    ]
    widths = [max(len(line[column]) for line in table) for column in range(len(table[0]) - 1)]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=False)) + "  " + line[-1]
        for line in table
    )


def format_transcript(row: ChatRow, transcript: Transcript) -> str:
    lines = [
        f"Chat {row.workflow_id}: user {row.user}, {row.status}, model {row.model}, "
        f"started {row.started.isoformat(timespec='seconds')}"
    ]
    if transcript.earlier_turns:
        lines.append(f"({transcript.earlier_turns} earlier turns were left behind when the chat continued)")
    for number, entry in enumerate(transcript.entries, start=transcript.earlier_turns + 1):
        took = f", {entry.duration_ms:.0f} ms" if entry.duration_ms is not None else ""
        at = f" at {entry.started_at.isoformat(timespec='seconds')}" if entry.started_at else ""
        lines.append(f"Turn {number}{at}{took}")
        lines.append(f"  user: {entry.user}")
        lines.append(f"  agent: {entry.reply.text}")
        lines.extend(f"    - {describe_call(call)}" for call in entry.reply.tool_calls)
    if not transcript.entries:
        lines.append("(no messages yet)")
    return "\n".join(lines)


async def run(client: Client, arguments: argparse.Namespace) -> int:
    if arguments.command == "list":
        rows = await list_chats(client, arguments.user, arguments.status, arguments.limit)
        print(format_rows(rows))
        return 0
    try:
        row, transcript = await chat_transcript(client, arguments.workflow_id)
    except (ChatNotFound, TranscriptUnavailable) as problem:
        print(problem, file=sys.stderr)
        return NOT_FOUND
    print(format_transcript(row, transcript))
    return 0


async def main(argv: Sequence[str] | None = None, client: Client | None = None) -> int:
    """Connect and run the command; a problem is one line on stderr, never a traceback."""
    arguments = parse_arguments(argv)
    try:
        if client is None:
            client = await connect(load_topology().orchestrator.namespace, profile=arguments.profile)
        return await run(client, arguments)
    except ServerUnreachable as problem:
        print(problem, file=sys.stderr)
    except ValueError as problem:
        print(problem, file=sys.stderr)
        return NOT_FOUND
    except RPCError as error:
        print(no_answer(client, error), file=sys.stderr)
    return UNREACHABLE


if __name__ == "__main__":
    exit_process(asyncio.run(main()))
