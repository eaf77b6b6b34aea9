"""The terminal chat as a person uses it: a real ``python -m orchestrator.chat`` process, typed at through its
standard input. A call that needs approval is shown with its arguments and answered with /deny or /approve."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from harness.chaos import tickets_titled
from harness.server import REPO_ROOT
from harness.suite import Suite
from harness.workers import WorkerProcess

PERSON = "terminal tester"
WAIT_SECONDS = 60.0


class Terminal:
    """A chat process and what it has printed so far."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.output = ""
        self._read_up_to = 0

    async def type(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(f"{line}\n".encode())
        await self.process.stdin.drain()

    async def until(self, text: str) -> str:
        """Wait until ``text`` is printed; return what was printed from the previous call's end to its end."""
        assert self.process.stdout is not None
        start = self._read_up_to
        try:
            async with asyncio.timeout(WAIT_SECONDS):
                while (found := self.output.find(text, start)) < 0:
                    chunk = await self.process.stdout.read(4096)
                    if not chunk:
                        raise AssertionError(f"the chat exited before printing {text!r}:\n{self.output}")
                    self.output += chunk.decode()
        except TimeoutError:
            raise AssertionError(f"no {text!r} after {WAIT_SECONDS:.0f} s:\n{self.output}") from None
        self._read_up_to = found + len(text)
        return self.output[start : self._read_up_to]


@pytest.fixture
async def terminal(stack: Suite, orchestrator_worker: WorkerProcess) -> AsyncIterator[Terminal]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "orchestrator.chat",
        "--as",
        PERSON,
        cwd=REPO_ROOT,
        env={**os.environ, **stack.base_env, "PYTHONUNBUFFERED": "1"},
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        yield Terminal(process)
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()


async def test_a_call_needing_approval_is_shown_then_denied_or_approved_from_the_terminal(
    terminal: Terminal, ticket_db: Path
) -> None:
    denied_title = f"Terminal denied {uuid.uuid4().hex[:8]}"
    approved_title = f"Terminal approved {uuid.uuid4().hex[:8]}"
    await terminal.until("Type /quit to end.")

    await terminal.type(f"Open a ticket titled '{denied_title}' with high priority")
    shown = await terminal.until("answer with /approve or /deny <reason>")
    await terminal.type("/deny not today")
    denied = await terminal.until(f"(denied by {PERSON}: not today)")  # the tool line of the reply

    await terminal.type(f"Open a ticket titled '{approved_title}' with low priority")
    await terminal.until("answer with /approve or /deny <reason>")
    await terminal.type("/approve")
    approved = await terminal.until(f"approved by {PERSON}")
    await terminal.type("/quit")
    async with asyncio.timeout(WAIT_SECONDS):
        exit_code = await terminal.process.wait()

    assert f'approval needed: it/create_ticket(title="{denied_title}", priority="high")' in shown
    assert f"asked by {PERSON}" in shown and "digest sha256:" in shown
    assert "(denied: it/create_ticket" in denied
    assert "-> failed: The call was denied by" in denied
    assert "(approved: it/create_ticket" in approved
    assert tickets_titled(ticket_db, denied_title) == 0, "a denied call ran"
    assert tickets_titled(ticket_db, approved_title) == 1
    assert exit_code == 0, terminal.output[-3000:]
