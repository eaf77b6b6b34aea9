"""The main job in one command: bring up the whole suite locally and hold a short conversation with the agent.

It starts the dev server (or reuses the one ``scripts/stack`` started), creates the namespaces and Nexus
endpoints, starts a worker per part of the topology, asks four questions that use a local tool, an IT tool,
a Finance tool and two tools at once, prints each reply with the tools it used, and prints the Temporal UI
link. The workers stop at the end; the dev server keeps running so the link works (``scripts/stack stop``
stops it), unless ``--stop-server`` is given (a server it did not start is never stopped).
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from temporalio.client import Client

from harness.local_issuer import EVERY_TOOL_SCOPE
from harness.server import DEFAULT_PORT, DEFAULT_UI_PORT, LOCAL_STATE_DIR
from harness.suite import Suite, running_suite
from orchestrator.conversation import Conversation
from orchestrator.models import PendingApproval
from orchestrator.presentation import describe_pending, format_reply
from orchestrator.web.app import serve
from orchestrator.web.web_settings import DEFAULT_PORT as DEFAULT_PORT_WEB
from orchestrator.web.web_settings import WebChatSettings
from shared.process import exit_process
from shared.topology import load_topology

QUESTIONS = (
    "What is 125 * 8?",
    "What is my IP address?",
    "Calculate ROI for $10,000 at 5% over 10 years",
    "What is the stock price of TSLA and the JIRA metrics for project DEMO?",
)
NEEDS_APPROVAL = "Open a ticket titled 'Printer on floor 3 is jammed' with high priority"
"""``create_ticket`` changes something, so its team marks it: a person approves the call first."""
PERSON = "demo user"
PERSON_ID = "demo-user"
"""Who the demo's token (``--identity``) names."""


async def converse(
    client: Client,
    address: str,
    ui_url: str,
    how_to_view: Callable[[str, str], list[str]] | None = None,
    token: str | None = None,
) -> None:
    conversation = await Conversation.start(client, token=token)
    print(f"\nChat {conversation.workflow_id} with the agent ({address}):\n")
    for question in QUESTIONS:
        print(f"you> {question}")
        reply = await conversation.send(question, sender=PERSON)
        print(f"agent> {format_reply(reply)}\n")
    print(f"you> {NEEDS_APPROVAL}")
    reply = await conversation.send_approving(
        NEEDS_APPROVAL, PERSON, reason="the printer is ours", shown=show_and_approve
    )
    print(f"agent> {format_reply(reply)}\n")
    await conversation.end()
    topology = load_topology()
    print(
        f"Temporal UI: {ui_url}/namespaces/{topology.orchestrator.namespace}/workflows/{conversation.workflow_id}"
    )
    for team, site in topology.tool_services.items():
        print(f"  {team} tool workflows: {ui_url}/namespaces/{site.namespace}/workflows")
    for line in how_to_view(conversation.workflow_id, topology.orchestrator.namespace) if how_to_view else []:
        print(line)


def show_and_approve(pending: PendingApproval) -> None:
    """What the person sees of the waiting call, and their answer."""
    print(describe_pending(pending))
    print(f"{PERSON}> /approve")


async def run_demo(arguments: argparse.Namespace) -> None:
    # `kill` (SIGTERM) ends the demo as Ctrl-C does: by cancelling it, so the workers are stopped on the way out.
    demo = asyncio.current_task()
    assert demo is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, demo.cancel)
    suite: Suite | None = None
    try:
        # The workers stop when this block ends, normally or not; the server only with --stop-server.
        async with running_suite(
            arguments.state_dir,
            port=arguments.port,
            ui_port=arguments.ui_port,
            stop_server=arguments.stop_server,
            encrypted=not arguments.no_encryption,
            identity=arguments.identity,
        ) as suite:
            state = suite.state
            print(f"dev server at {state.address} (pid {state.pid}); UI {state.ui_url}")
            for item in suite.created:
                print(f"created {item}")
            token = suite.issuer.mint(PERSON_ID, EVERY_TOOL_SCOPE) if suite.issuer else None
            if token is not None:
                print(f"identity is on: the demo chats as {PERSON_ID!r}, with a token from the local issuer")
            await converse(suite.client, state.address, state.ui_url, suite.how_to_view, token)
            web = WebChatSettings(port=arguments.web_port, temporal_ui_url=state.ui_url)
            if not arguments.web:
                print(f"Web chat: scripts/demo --web serves {web.url} with the whole suite, until Ctrl-C")
                return
            print(f"Web chat: {web.url} (Ctrl-C stops it and the workers)")
            await serve(suite.client, web)
    except Exception:
        if demo.cancelling():  # SIGTERM: the client may report the cancellation as an error of its own
            raise asyncio.CancelledError from None
        for name, worker in (suite.workers if suite else {}).items():
            print(f"--- log of the {name} worker ({worker.module}) ---\n{worker.log()}", file=sys.stderr)
        raise


def run(arguments: argparse.Namespace) -> int:
    try:
        asyncio.run(run_demo(arguments))
    except (KeyboardInterrupt, asyncio.CancelledError):
        print("demo stopped; its workers are stopped", file=sys.stderr)
        return 130
    if not arguments.stop_server:
        print("The dev server keeps running for the UI; stop it with: scripts/stack stop")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the whole suite locally and chat with the agent.")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--ui-port", type=int, default=DEFAULT_UI_PORT)
    parser.add_argument("--state-dir", type=Path, default=LOCAL_STATE_DIR)
    parser.add_argument("--stop-server", action="store_true", help="stop the dev server at the end too")
    parser.add_argument(
        "--web", action="store_true", help="after the chat, serve the web chat on 127.0.0.1 until Ctrl-C"
    )
    parser.add_argument("--web-port", type=int, default=DEFAULT_PORT_WEB, help="the web chat's port")
    parser.add_argument(
        "--no-encryption", action="store_true", help="run the suite without payload encryption"
    )
    parser.add_argument(
        "--identity", action="store_true", help="require people's tokens (the local identity provider's)"
    )
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    exit_process(main())
