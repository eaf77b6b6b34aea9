"""Logs a person can read: what a chat client says when no worker polls, a tool's own failure as one line
and a benign failure for the SDK, and the SDK's line for a failed Nexus start kept only where it helps."""

from __future__ import annotations

import dataclasses
import logging
import sys

import pytest
import structlog
from nexusrpc import HandlerError, HandlerErrorType
from pydantic import BaseModel
from temporalio.exceptions import ApplicationError, ApplicationErrorCategory
from temporalio.testing import ActivityEnvironment

from orchestrator.settings import TASK_QUEUE_VARIABLE
from orchestrator.worker_presence import LIVE_POLL_SECONDS, WorkerPresence
from shared.contract import TOOL_ERROR
from shared.kit import ActivityPolicy, Tool, ToolError
from shared.kit.activities import tool_activity
from shared.log import NexusFailureLine, logged
from shared.topology import load_topology
from tests.support.activity_environment import recording_environment
from tests.unit.test_tool_activity import LookupArguments, Project

TOPOLOGY_QUEUE = load_topology().orchestrator.task_queue


def test_no_poller_means_no_worker_and_the_advice_names_the_command() -> None:
    presence = WorkerPresence("default", TOPOLOGY_QUEUE, None)

    assert presence.absent
    assert presence.advice() == (
        f"No orchestrator worker polls task queue '{TOPOLOGY_QUEUE}' (namespace default). Start one: "
        "`python -m orchestrator.worker` (or the whole local suite: `scripts/demo`)."
    )


def test_another_queue_is_named_in_the_command_that_starts_its_worker() -> None:
    advice = WorkerPresence("default", "other-queue", None).advice()

    assert f"`{TASK_QUEUE_VARIABLE}=other-queue python -m orchestrator.worker`" in advice


def test_a_poller_older_than_a_long_poll_is_a_worker_gone_and_a_recent_one_only_may_be() -> None:
    gone = WorkerPresence("default", TOPOLOGY_QUEUE, LIVE_POLL_SECONDS + 20)
    recent = WorkerPresence("default", TOPOLOGY_QUEUE, 12.0)

    assert gone.absent and "has polled" in gone.advice() and "for 90 s" in gone.advice()
    assert not recent.absent and "polled 12 s ago and may have stopped" in recent.advice()


async def test_a_tools_own_failure_is_logged_in_one_line_and_raised_as_a_benign_tool_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    async def refuse(arguments: LookupArguments) -> Project:
        raise ToolError("No project 'NOPE'; known projects: DEMO")

    tool = Tool(
        name="look_up",
        description="Look a project up.",
        arguments=LookupArguments,
        run=refuse,
        policy=ActivityPolicy(),
    )
    environment, _ = recording_environment()

    with pytest.raises(ApplicationError) as raised:
        await environment.run(tool_activity(tool), {"project": "NOPE"})

    assert raised.value.type == TOOL_ERROR and raised.value.non_retryable
    assert raised.value.category == ApplicationErrorCategory.BENIGN  # the SDK logs it at DEBUG only
    printed = capsys.readouterr()  # structlog prints to stdout until a process configures it (stderr)
    lines = [line for line in (printed.out + printed.err).splitlines() if "tool failed" in line]
    assert len(lines) == 1
    assert "tool=look_up" in lines[0] and "No project 'NOPE'" in lines[0]


def sdk_line(error: BaseException) -> list[logging.LogRecord]:
    """What the SDK's Nexus worker logs while handling ``error``, through the filter."""
    records: list[logging.LogRecord] = []
    logger = logging.getLogger("test.nexus.sdk")
    logger.propagate = False
    logger.handlers = []
    logger.filters = [NexusFailureLine()]
    logger.addHandler(
        type("Keep", (logging.Handler,), {"emit": lambda self, record: records.append(record)})()
    )
    try:
        raise error
    except BaseException:
        logger.warning("Failed to execute Nexus start operation method")
    return records


def test_a_refusal_the_kit_logged_drops_the_sdks_line() -> None:
    refusal = logged(HandlerError("Unknown tool 'x'", type=HandlerErrorType.BAD_REQUEST))

    assert sdk_line(refusal) == []


def test_another_refusal_becomes_one_line_with_its_type_and_message() -> None:
    (record,) = sdk_line(HandlerError("Bad input", type=HandlerErrorType.BAD_REQUEST))

    assert record.getMessage().endswith("refused (BAD_REQUEST): Bad input")
    assert record.exc_info is None


def test_a_bug_keeps_the_sdks_line_with_its_traceback() -> None:
    (record,) = sdk_line(KeyError("boom"))

    assert record.exc_info is not None and record.exc_info[0] is KeyError
    assert sys.exc_info() == (None, None, None)


async def test_a_tools_log_lines_are_bound_to_where_its_call_runs() -> None:
    """Every line logged while a tool runs names the namespace, workflow, run, activity, tool and call."""
    seen: dict[str, object] = {}

    class Nothing(BaseModel):
        pass

    async def look(arguments: Nothing) -> Nothing:
        seen.update(structlog.contextvars.get_contextvars())
        return Nothing()

    environment = ActivityEnvironment()
    environment.info = dataclasses.replace(
        environment.info,
        workflow_namespace="finance-namespace",
        workflow_id="finance-look-chat-1/0.0.0",
        workflow_run_id="run-1",
        workflow_type="ToolWorkflow",
        activity_type="look",
    )
    await environment.run(
        tool_activity(Tool(name="look", description="Looks.", arguments=Nothing, run=look)), {}
    )

    assert {key: seen.get(key) for key in ("namespace", "workflow_id", "run_id", "tool", "call_id")} == {
        "namespace": "finance-namespace",
        "workflow_id": "finance-look-chat-1/0.0.0",
        "run_id": "run-1",
        "tool": "look",
        "call_id": "chat-1/0.0.0",
    }
    assert structlog.contextvars.get_contextvars() == {}, "nothing stays bound after the call"
