"""The activity the kit makes of a tool (run in ``ActivityEnvironment``): validation, the tool's own
failures, other errors left to Temporal's retries, heartbeats for long tools, results too large to keep."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest
from pydantic import BaseModel, Field
from temporalio.exceptions import ApplicationError

from shared.contract import TOOL_ERROR
from shared.kit import ActivityPolicy, Tool, ToolError
from shared.kit.activities import tool_activity
from shared.payload_limits import CUT, MAX_KEPT_BYTES, PREVIEW
from tests.support.activity_environment import recording_environment


class LookupArguments(BaseModel):
    project: str = Field(min_length=1, description="Project key.")


class Project(BaseModel):
    project: str
    open_issues: int


async def look_up(arguments: LookupArguments) -> Project:
    if arguments.project == "NOPE":
        raise ToolError("No project 'NOPE'; known projects: DEMO")
    if arguments.project == "BUG":
        raise RuntimeError("bug: the parser crashed")
    return Project(project=arguments.project, open_issues=42)


async def slow_look_up(arguments: LookupArguments) -> Project:
    await asyncio.sleep(0.5)
    return await look_up(arguments)


def lookup_tool(
    run: Callable[[LookupArguments], Awaitable[Project]] = look_up, policy: ActivityPolicy | None = None
) -> Tool[LookupArguments, Project]:
    return Tool(
        name="look_up",
        description="Look a project up.",
        arguments=LookupArguments,
        run=run,
        policy=policy or ActivityPolicy(),
    )


async def test_the_activity_returns_the_tools_result_as_json() -> None:
    environment, _ = recording_environment()

    result = await environment.run(tool_activity(lookup_tool()), {"project": "DEMO"})

    assert result == {"project": "DEMO", "open_issues": 42}


@pytest.mark.parametrize(
    ("arguments", "problem"),
    [
        ({}, "project\n  Field required"),
        ({"project": ""}, "at least 1 character"),
        ({"project": 7}, "string"),
    ],
)
async def test_invalid_arguments_are_a_final_failure_naming_the_problem(
    arguments: dict[str, object], problem: str
) -> None:
    environment, _ = recording_environment()

    with pytest.raises(ApplicationError) as raised:
        await environment.run(tool_activity(lookup_tool()), arguments)

    assert raised.value.type == TOOL_ERROR
    assert raised.value.non_retryable
    assert problem in raised.value.message


async def test_a_tool_error_is_a_final_failure_with_the_tools_message() -> None:
    environment, _ = recording_environment()

    with pytest.raises(ApplicationError) as raised:
        await environment.run(tool_activity(lookup_tool()), {"project": "NOPE"})

    assert raised.value.type == TOOL_ERROR
    assert raised.value.non_retryable
    assert raised.value.message == "No project 'NOPE'; known projects: DEMO"


async def test_any_other_error_propagates_for_temporal_to_retry() -> None:
    environment, _ = recording_environment()

    with pytest.raises(RuntimeError, match="the parser crashed"):
        await environment.run(tool_activity(lookup_tool()), {"project": "BUG"})


async def test_a_tool_with_a_heartbeat_timeout_heartbeats_while_it_runs() -> None:
    environment, heartbeats = recording_environment()
    tool = lookup_tool(slow_look_up, ActivityPolicy(heartbeat_timeout=timedelta(seconds=0.3)))

    result = await environment.run(tool_activity(tool), {"project": "DEMO"})

    assert result == {"project": "DEMO", "open_issues": 42}
    assert len(heartbeats) >= 2, "a heartbeat every third of the heartbeat timeout"


async def test_a_tool_without_a_heartbeat_timeout_sends_no_heartbeats() -> None:
    environment, heartbeats = recording_environment()

    await environment.run(tool_activity(lookup_tool(slow_look_up)), {"project": "DEMO"})

    assert heartbeats == []


async def test_a_tool_error_of_a_heartbeating_tool_is_still_a_final_failure() -> None:
    environment, _ = recording_environment()
    tool = lookup_tool(slow_look_up, ActivityPolicy(heartbeat_timeout=timedelta(seconds=0.3)))

    with pytest.raises(ApplicationError) as raised:
        await environment.run(tool_activity(tool), {"project": "NOPE"})

    assert (raised.value.type, raised.value.non_retryable) == (TOOL_ERROR, True)


class Listing(BaseModel):
    project: str
    rows: list[str]


async def huge_listing(arguments: LookupArguments) -> Listing:
    return Listing(project=arguments.project, rows=["a row of data"] * 300_000)


async def test_a_result_too_large_to_keep_is_cut_with_a_note_not_failed() -> None:
    environment, _ = recording_environment()
    tool = Tool(name="list_rows", description="All rows.", arguments=LookupArguments, run=huge_listing)

    result = await environment.run(tool_activity(tool), {"project": "DEMO"})

    assert result[CUT].startswith("[cut: the result was ")
    assert result[PREVIEW].startswith('{"project": "DEMO", "rows": ["a row of data"')
    assert len(json.dumps(result)) <= MAX_KEPT_BYTES
