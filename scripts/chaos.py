"""Chaos: hold N conversations while randomly killing (SIGKILL) and restarting the three workers, then
check every answer against the bundled data, every ticket against the ledger, every message against the
transcript.

    scripts/chaos --conversations 30

Prints conversations completed, wrong answers, duplicate effects and lost messages; exits non-zero unless
every conversation completed with nothing wrong, duplicated or lost. It runs its own dev server on free ports.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from finance_service.providers import QUOTES_FILE
from it_service.providers import JIRA_DATA_FILE
from orchestrator.conversation import Conversation
from scripts.localstack import LocalStack, free_port, setup, wait_for_pollers
from scripts.processes import WorkerProcess
from shared.topology import load_topology

WORKERS = ("it_service.worker", "finance_service.worker", "orchestrator.worker")
MESSAGE_TIMEOUT_SECONDS = 180.0


@dataclass(frozen=True)
class Step:
    """One message and what a correct reply must contain."""

    text: str
    expected: tuple[str, ...]
    ticket_title: str | None = None


@dataclass
class Outcome:
    """What happened in one conversation."""

    completed: bool = False
    wrong: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    ticket_titles: list[str] = field(default_factory=list)


@dataclass
class Report:
    conversations: int
    completed: int
    wrong_answers: int
    duplicate_effects: int
    missing_effects: int
    lost_messages: int
    kills: int
    seconds: float
    details: list[str]

    @property
    def clean(self) -> bool:
        return (
            self.completed == self.conversations
            and self.wrong_answers
            == self.duplicate_effects
            == self.missing_effects
            == self.lost_messages
            == 0
        )


def conversation_steps(number: int, run_id: str, rng: random.Random) -> list[Step]:
    """Three messages with answers known from the bundled data: two remote tools at once, an effect, a sum."""
    quotes = json.loads(QUOTES_FILE.read_text())["quotes"]
    projects = json.loads(JIRA_DATA_FILE.read_text())
    ticker = rng.choice(sorted(quotes))
    project = rng.choice(sorted(projects))
    a, b = rng.randint(2, 999), rng.randint(2, 999)
    title = f"Chaos {run_id} conversation {number}"
    return [
        Step(
            f"What is the stock price of {ticker} and the JIRA metrics for project {project}?",
            (str(quotes[ticker]["price"]), projects[project]["name"]),
        ),
        Step(f"Open a ticket titled '{title}' with high priority", (title,), ticket_title=title),
        Step(f"What is {a} * {b}?", (str(a * b),)),
    ]


async def converse(client: Client, steps: list[Step]) -> Outcome:
    outcome = Outcome()
    chat = await Conversation.start(client)
    for step in steps:
        reply = await asyncio.wait_for(chat.send(step.text), MESSAGE_TIMEOUT_SECONDS)
        failed_tools = [f"{call.tool}: {call.error}" for call in reply.tool_calls if not call.ok]
        missing = [text for text in step.expected if text not in reply.text]
        if missing or failed_tools or reply.unavailable_services:
            outcome.wrong.append(
                f"{step.text!r} -> missing {missing}, failed {failed_tools}: {reply.text[:200]!r}"
            )
        if step.ticket_title:
            outcome.ticket_titles.append(step.ticket_title)
    transcript = await chat.end()
    said = [entry.user for entry in transcript.entries]
    outcome.lost = [step.text for step in steps if said.count(step.text) != 1]
    outcome.completed = True
    return outcome


async def chaos_monkey(workers: list[WorkerProcess], rng: random.Random, stop: asyncio.Event) -> int:
    """Kill a random worker every 1-4 s and restart it 0.2-1.5 s later; returns how many kills."""
    kills = 0
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), rng.uniform(1.0, 4.0))
            break
        except TimeoutError:
            pass
        victim = rng.choice(workers)
        victim.kill()
        kills += 1
        await asyncio.sleep(rng.uniform(0.2, 1.5))
        victim.start()
    return kills


def ticket_counts(db: Path, titles: list[str]) -> dict[str, int]:
    if not db.exists():
        return dict.fromkeys(titles, 0)
    with sqlite3.connect(db) as connection:
        return {
            title: connection.execute("SELECT COUNT(*) FROM tickets WHERE title = ?", (title,)).fetchone()[0]
            for title in titles
        }


async def run_chaos(conversations: int, concurrency: int, seed: int, state_dir: Path) -> Report:
    rng = random.Random(seed)
    run_id = f"{seed}-{int(time.time())}"
    stack = LocalStack(state_dir / "stack")
    state = stack.start(free_port(), free_port())
    ledger = state_dir / "tickets.db"
    env = {
        "TEMPORAL_ADDRESS": state.address,
        "TEMPORAL_NAMESPACE": "",
        "IT_TICKET_DB": str(ledger),
        "AGENT_MODEL": "",
    }
    workers: list[WorkerProcess] = []
    started = time.monotonic()
    try:
        setup(state.address)
        workers = [WorkerProcess(module, env).start() for module in WORKERS]
        topology = load_topology()
        client = await Client.connect(
            state.address, namespace=topology.orchestrator.namespace, data_converter=pydantic_data_converter
        )
        for namespace, queue in [(topology.orchestrator.namespace, topology.orchestrator.task_queue)] + [
            (site.namespace, site.task_queue) for site in topology.tool_services.values()
        ]:
            await wait_for_pollers(client, namespace, queue)
        plans = [conversation_steps(number, run_id, rng) for number in range(conversations)]
        gate = asyncio.Semaphore(concurrency)

        async def one(steps: list[Step]) -> Outcome:
            async with gate:
                try:
                    return await converse(client, steps)
                except Exception as error:  # a conversation that could not finish is reported, not raised
                    return Outcome(wrong=[f"conversation failed: {type(error).__name__}: {error}"])

        stop = asyncio.Event()
        monkey = asyncio.create_task(chaos_monkey(workers, rng, stop))
        outcomes = await asyncio.gather(*(one(steps) for steps in plans))
        stop.set()
        kills = await monkey
        for worker in workers:
            if not worker.running():
                worker.start()
    finally:
        for worker in workers:
            worker.stop()
        stack.stop()
    titles = [title for outcome in outcomes for title in outcome.ticket_titles]
    counts = ticket_counts(ledger, titles)
    details = [
        line for outcome in outcomes for line in outcome.wrong + [f"lost: {text!r}" for text in outcome.lost]
    ]
    details += [f"{count} tickets titled {title!r}" for title, count in counts.items() if count != 1]
    return Report(
        conversations=conversations,
        completed=sum(outcome.completed for outcome in outcomes),
        wrong_answers=sum(len(outcome.wrong) for outcome in outcomes),
        duplicate_effects=sum(count - 1 for count in counts.values() if count > 1),
        missing_effects=sum(1 for count in counts.values() if count == 0),
        lost_messages=sum(len(outcome.lost) for outcome in outcomes),
        kills=kills,
        seconds=time.monotonic() - started,
        details=details,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Conversations under random worker crashes.")
    parser.add_argument("--conversations", "-n", type=int, default=30)
    parser.add_argument("--concurrency", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="chaos-") as state_dir:
        report = asyncio.run(
            run_chaos(arguments.conversations, arguments.concurrency, arguments.seed, Path(state_dir))
        )
    print(f"conversations completed: {report.completed}/{report.conversations}")
    print(f"wrong answers:           {report.wrong_answers}")
    print(f"duplicate effects:       {report.duplicate_effects}")
    print(f"missing effects:         {report.missing_effects}")
    print(f"lost messages:           {report.lost_messages}")
    print(f"worker kills:            {report.kills} in {report.seconds:.0f} s")
    for line in report.details:
        print(f"  - {line}")
    return 0 if report.clean else 1


if __name__ == "__main__":
    sys.exit(main())
