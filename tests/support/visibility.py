"""Reading workflow lists, which the server indexes a moment after the fact."""

from __future__ import annotations

import asyncio
import time

from temporalio.client import Client, WorkflowExecution


async def list_when_indexed(
    client: Client, query: str, *, at_least: int = 1, within: float = 10.0
) -> list[WorkflowExecution]:
    """The workflows matching ``query`` once at least ``at_least`` are visible (or whatever is after
    ``within`` seconds: the caller's assertion then says what is missing)."""
    deadline = time.monotonic() + within
    while True:
        runs = [run async for run in client.list_workflows(query)]
        if len(runs) >= at_least or time.monotonic() > deadline:
            return runs
        await asyncio.sleep(0.1)
