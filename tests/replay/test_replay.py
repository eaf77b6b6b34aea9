"""Histories recorded from real end-to-end runs (``record_histories.py``) replayed against today's workflow
code: a change that would make running workflows nondeterministic fails here, before it ships."""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from orchestrator.workflow import AgentWorkflow
from shared.kit.tool_workflow import ToolWorkflow

HISTORIES = sorted(Path(__file__).with_name("histories").glob("*.json"))


def load(path: Path) -> str:
    return path.read_text()


def test_there_are_recorded_histories_of_both_workflows() -> None:
    names = [path.name for path in HISTORIES]
    assert any(name.startswith("agent_") for name in names)
    assert any(name.startswith("tool_it-") for name in names)
    assert any(name.startswith("tool_finance-") for name in names)


@pytest.mark.parametrize("path", HISTORIES, ids=[path.stem for path in HISTORIES])
async def test_a_recorded_history_replays_without_nondeterminism(path: Path) -> None:
    history = WorkflowHistory.from_json(path.stem, load(path))
    replayer = Replayer(workflows=[AgentWorkflow, ToolWorkflow], data_converter=pydantic_data_converter)

    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)

    assert result.replay_failure is None, f"{path.name}: {result.replay_failure}"
