"""Heartbeating while long work runs inside an activity (run in ``ActivityEnvironment``, which records
every heartbeat)."""

from __future__ import annotations

import asyncio

import pytest

from shared.heartbeat import heartbeating
from tests.support.activity_environment import recording_environment


async def slow_answer(seconds: float, answer: str) -> str:
    await asyncio.sleep(seconds)
    return answer


async def test_it_returns_the_result_of_the_work() -> None:
    environment, _ = recording_environment()

    async def activity() -> str:
        return await heartbeating(slow_answer(0.05, "done"), every_seconds=1.0)

    assert await environment.run(activity) == "done"


async def test_it_heartbeats_while_the_work_runs() -> None:
    environment, heartbeats = recording_environment()

    async def activity() -> str:
        return await heartbeating(slow_answer(0.5, "done"), every_seconds=0.1)

    assert await environment.run(activity) == "done"
    assert len(heartbeats) >= 3


async def test_work_done_within_one_interval_sends_no_heartbeat() -> None:
    environment, heartbeats = recording_environment()

    async def activity() -> str:
        return await heartbeating(slow_answer(0, "quick"), every_seconds=5.0)

    assert await environment.run(activity) == "quick"
    assert heartbeats == []


async def test_an_error_of_the_work_propagates() -> None:
    environment, _ = recording_environment()

    async def failing() -> str:
        await asyncio.sleep(0.15)
        raise LookupError("no such project")

    async def activity() -> str:
        return await heartbeating(failing(), every_seconds=0.05)

    with pytest.raises(LookupError, match="no such project"):
        await environment.run(activity)


async def test_a_cancelled_activity_cancels_the_work() -> None:
    environment, _ = recording_environment()
    work_cancelled = asyncio.Event()

    async def endless() -> str:
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            work_cancelled.set()
            raise
        return "never"

    async def activity() -> str:
        return await heartbeating(endless(), every_seconds=0.05)

    running = asyncio.create_task(environment.run(activity))
    await asyncio.sleep(0.2)
    environment.cancel()

    with pytest.raises(asyncio.CancelledError):
        await running
    assert work_cancelled.is_set()
