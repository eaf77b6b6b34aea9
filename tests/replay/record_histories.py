"""Record workflow histories from real end-to-end runs into ``histories/``, for ``test_replay.py``.

    python -m tests.replay.record_histories

It starts its own dev server on free ports, the three workers (plus an orchestrator worker whose model is
the scripted server), runs a few conversations that cover the workflows' paths, and saves each history as
JSON. Re-record only for an intended change of workflow code that no running workflow depends on; a change
that running workflows would see needs ``workflow.patched`` instead, and the old histories keep guarding it.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path

from temporalio.client import Client

from orchestrator.conversation import Conversation
from scripts.llm_stub import LlmStub, completion, error
from scripts.localstack import LocalStack, free_port, setup, wait_for_pollers
from scripts.processes import WorkerProcess
from shared.connection import connect

HISTORIES = Path(__file__).with_name("histories")
STUB_QUEUE = "orchestrator-replay-recording"


async def record(client: Client, stub: LlmStub) -> dict[str, str]:
    """Run the conversations; return file name -> history JSON."""
    saved: dict[str, str] = {}

    offline = await Conversation.start(client, workflow_id="replay-offline-chat")
    for text in (
        "What is 125 * 8?",
        "What is the stock price of TSLA and the JIRA metrics for project DEMO?",
        "Open a ticket titled 'Replay recording' with high priority",
        "What is the stock price of ZZZZ?",
    ):
        await offline.send(text)
    await offline.end()
    saved["agent_offline_chat.json"] = (await offline.handle.fetch_history()).to_json()

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
    scripted = await Conversation.start(client, workflow_id="replay-scripted-chat", task_queue=STUB_QUEUE)
    await scripted.send("Everything at once")
    await scripted.end()
    saved["agent_scripted_chat.json"] = (await scripted.handle.fetch_history()).to_json()

    for namespace, prefix in (("it-namespace", "it-"), ("finance-namespace", "finance-")):
        team_client = await Client.connect(client.service_client.config.target_host, namespace=namespace)
        async for run in team_client.list_workflows("WorkflowType = 'ToolWorkflow'"):
            history = await team_client.get_workflow_handle(run.id).fetch_history()
            name = f"tool_{prefix}{run.id.split('-')[1]}_{run.status.name.lower() if run.status else 'unknown'}.json"
            saved.setdefault(name, history.to_json())
    return saved


async def main() -> None:
    with tempfile.TemporaryDirectory() as state_dir:
        stack = LocalStack(Path(state_dir))
        state = stack.start(free_port(), free_port())
        stub = LlmStub().start()
        workers: list[WorkerProcess] = []
        try:
            setup(state.address)
            env = {
                "TEMPORAL_ADDRESS": state.address,
                "TEMPORAL_NAMESPACE": "",
                "IT_TICKET_DB": f"{state_dir}/t.db",
            }
            os.environ.update(env)
            stub_env = {
                **env,
                "AGENT_MODEL": "openai/stub",
                "AGENT_API_BASE": stub.base_url,
                "AGENT_API_KEY": "x",
            }
            workers = [
                WorkerProcess("it_service.worker", env).start(),
                WorkerProcess("finance_service.worker", env).start(),
                WorkerProcess("orchestrator.worker", env).start(),
                WorkerProcess(
                    "orchestrator.worker", {**stub_env, "ORCHESTRATOR_TASK_QUEUE": STUB_QUEUE}
                ).start(),
            ]
            client = await connect("default")
            for namespace, queue in (
                ("default", "orchestrator-task-queue"),
                ("default", STUB_QUEUE),
                ("it-namespace", "it-task-queue"),
                ("finance-namespace", "finance-task-queue"),
            ):
                await wait_for_pollers(client, namespace, queue)
            saved = await record(client, stub)
        finally:
            for worker in workers:
                worker.stop()
            stub.stop()
            stack.stop()
    HISTORIES.mkdir(exist_ok=True)
    for old in HISTORIES.glob("*.json"):
        old.unlink()
    for name, history in saved.items():
        (HISTORIES / name).write_text(history)
        print(f"recorded {name}")


if __name__ == "__main__":
    asyncio.run(main())
