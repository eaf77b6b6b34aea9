"""The main job in one command: bring up the whole suite locally and hold a short conversation with the agent.

It starts the dev server (or reuses the one ``scripts/stack`` started), creates the namespaces and Nexus
endpoints, starts the three workers, asks four questions that use a local tool, an IT tool, a Finance tool and
two tools at once, prints each reply with the tools it used, and prints the Temporal UI link. The workers
stop at the end; the dev server keeps running so the link works (``scripts/stack stop`` stops it), unless
``--stop-server`` is given.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from orchestrator.conversation import Conversation
from orchestrator.presentation import format_reply
from scripts.localstack import (
    DEFAULT_PORT,
    DEFAULT_STATE_DIR,
    DEFAULT_UI_PORT,
    LocalStack,
    setup,
    wait_for_pollers,
)
from scripts.processes import WorkerProcess
from shared.connection import connect
from shared.topology import load_topology

QUESTIONS = (
    "What is 125 * 8?",
    "What is my IP address?",
    "Calculate ROI for $10,000 at 5% over 10 years",
    "What is the stock price of TSLA and the JIRA metrics for project DEMO?",
)
WORKERS = ("it_service.worker", "finance_service.worker", "orchestrator.worker")


async def converse(address: str, ui_url: str) -> None:
    topology = load_topology()
    client = await connect(topology.orchestrator.namespace)
    sites = [(topology.orchestrator.namespace, topology.orchestrator.task_queue)] + [
        (site.namespace, site.task_queue) for site in topology.tool_services.values()
    ]
    for namespace, task_queue in sites:
        await wait_for_pollers(client, namespace, task_queue)
    conversation = await Conversation.start(client)
    print(f"\nChat {conversation.workflow_id} with the agent ({address}):\n")
    for question in QUESTIONS:
        print(f"you> {question}")
        reply = await conversation.send(question)
        print(f"agent> {format_reply(reply)}\n")
    await conversation.end()
    print(f"Temporal UI: {ui_url}/namespaces/default/workflows/{conversation.workflow_id}")
    print(f"  tool workflows: {ui_url}/namespaces/it-namespace/workflows and .../finance-namespace/workflows")


def run(arguments: argparse.Namespace) -> int:
    stack = LocalStack(arguments.state_dir)
    state = stack.start(arguments.port, arguments.ui_port)
    print(f"dev server at {state.address} (pid {state.pid}); UI {state.ui_url}")
    for item in setup(state.address):
        print(f"created {item}")
    env = {"TEMPORAL_ADDRESS": state.address, "TEMPORAL_NAMESPACE": ""}
    os.environ.update(env)
    workers = [WorkerProcess(module, env).start() for module in WORKERS]
    try:
        asyncio.run(converse(state.address, state.ui_url))
    except Exception:
        for worker in workers:
            print(f"--- log of {worker.module} ---\n{worker.log()}", file=sys.stderr)
        raise
    finally:
        for worker in workers:
            worker.stop()
        if arguments.stop_server:
            stack.stop()
    if not arguments.stop_server:
        print("The dev server keeps running for the UI; stop it with: scripts/stack stop")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the whole suite locally and chat with the agent.")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--ui-port", type=int, default=DEFAULT_UI_PORT)
    parser.add_argument("--state-dir", type=Path, default=DEFAULT_STATE_DIR)
    parser.add_argument("--stop-server", action="store_true", help="stop the dev server at the end too")
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
