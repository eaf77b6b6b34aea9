"""Chaos: hold N conversations while randomly killing (SIGKILL) and restarting the workers of every part,
then check every answer against the bundled data, every ticket against the ledger, every message against
the transcript. It runs on a suite of its own (free ports, a temporary folder).

    scripts/chaos --conversations 30        # python -m harness.chaos

Prints conversations completed, wrong answers, duplicate effects and lost messages; exits non-zero unless
every conversation completed with nothing wrong, duplicated or lost.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from temporalio.client import Client

from finance_service.providers import QUOTES_FILE
from harness.suite import offline_settings, running_suite
from harness.workers import WorkerProcess
from it_service.providers import JIRA_DATA_FILE
from orchestrator.conversation import Conversation
from shared.process import exit_process

MESSAGE_TIMEOUT_SECONDS = 180.0
KILL_EVERY_SECONDS = (0.5, 2.0)
MIN_UPTIME_SECONDS = 2.0


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
        Step(f"What is {a} * {b}?", (f"{a * b:,}",)),  # the offline model writes 1,000 for 1000
    ]


async def converse(client: Client, steps: list[Step]) -> Outcome:
    outcome = Outcome()
    chat = await Conversation.start(client)
    for step in steps:
        # A person approves the ticket (create_ticket needs a yes), as the chaos run's operator.
        reply = await asyncio.wait_for(chat.send_approving(step.text, "chaos"), MESSAGE_TIMEOUT_SECONDS)
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


async def chaos_monkey(
    workers: list[WorkerProcess],
    rng: random.Random,
    stop: asyncio.Event,
    kill_every: tuple[float, float] = KILL_EVERY_SECONDS,
) -> int:
    """Kill a random worker at once, then every ``kill_every`` seconds (a random time in that range), and
    restart it 0.2-1.5 s later; returns how many kills. The first kill comes at once so that even
    conversations that finish quickly ride out at least one crash. Only a worker up for
    ``MIN_UPTIME_SECONDS`` is a victim: a worker killed again before it even polls would be a service that
    is simply down, which the agent reports as unavailable, not a crash it must ride out."""
    kills = 0
    polling_since = dict.fromkeys(range(len(workers)), float("-inf"))  # all polling when the monkey starts
    restarts: list[asyncio.Task[None]] = []

    async def polls_again(index: int) -> None:
        polling_since[index] = float("inf")  # no victim until it polls again
        await workers[index].until_polling()
        polling_since[index] = time.monotonic()

    pause = 0.0
    try:
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), pause)
                break
            except TimeoutError:
                pause = rng.uniform(*kill_every)
            now = time.monotonic()
            eligible = [index for index, since in polling_since.items() if now - since >= MIN_UPTIME_SECONDS]
            if not eligible:
                continue
            victim = rng.choice(eligible)
            workers[victim].kill()
            kills += 1
            await asyncio.sleep(rng.uniform(0.2, 1.5))
            workers[victim].spawn()
            restarts.append(asyncio.create_task(polls_again(victim)))
    finally:
        for restart in restarts:
            restart.cancel()
        await asyncio.gather(*restarts, return_exceptions=True)
    return kills


def tickets_titled(db: Path, title: str) -> int:
    """How many tickets carry this title, read from the IT ledger directly, as an auditor would (the
    ledger itself never holds two with one idempotency key)."""
    if not db.exists():
        return 0
    with sqlite3.connect(db) as connection:
        (count,) = connection.execute("SELECT COUNT(*) FROM tickets WHERE title = ?", (title,)).fetchone()
    return int(count)


async def run_chaos(
    conversations: int,
    concurrency: int,
    seed: int,
    state_dir: Path,
    kill_every: tuple[float, float] = KILL_EVERY_SECONDS,
) -> Report:
    rng = random.Random(seed)
    run_id = f"{seed}-{int(time.time())}"
    ledger = state_dir / "tickets.db"
    env = offline_settings(ledger)
    started = time.monotonic()
    async with running_suite(state_dir / "stack", env=env) as suite:
        workers = list(suite.workers.values())
        plans = [conversation_steps(number, run_id, rng) for number in range(conversations)]
        gate = asyncio.Semaphore(concurrency)

        async def one(steps: list[Step]) -> Outcome:
            async with gate:
                try:
                    return await converse(suite.client, steps)
                except Exception as error:  # a conversation that could not finish is reported, not raised
                    return Outcome(wrong=[f"conversation failed: {type(error).__name__}: {error}"])

        stop = asyncio.Event()
        monkey = asyncio.create_task(chaos_monkey(workers, rng, stop, kill_every))
        try:
            outcomes = await asyncio.gather(*(one(steps) for steps in plans))
        finally:  # the monkey ends before the suite stops its workers, so it restarts none after that
            stop.set()
            kills = await monkey
    counts = {title: tickets_titled(ledger, title) for outcome in outcomes for title in outcome.ticket_titles}
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


def main() -> int:
    parser = argparse.ArgumentParser(description="Conversations under random worker crashes.")
    parser.add_argument("--conversations", "-n", type=int, default=30)
    parser.add_argument("--concurrency", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--kill-every",
        type=float,
        nargs=2,
        default=KILL_EVERY_SECONDS,
        metavar=("MIN", "MAX"),
        help="seconds between kills, a random time in this range (default 0.5 2)",
    )
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="chaos-") as state_dir:
        report = asyncio.run(
            run_chaos(
                arguments.conversations,
                arguments.concurrency,
                arguments.seed,
                Path(state_dir),
                tuple(arguments.kill_every),
            )
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
    exit_process(main())
