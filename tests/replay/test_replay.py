"""Histories recorded from real end-to-end runs (``record_histories.py``) replayed against today's workflow
code: a change that would make running workflows nondeterministic fails here, before it ships. They replay
through the suite's own data converter (``shared.connection``) with encryption on: recorded without it, their
payloads pass its codec unchanged, as a running chat's older events do once encryption is turned on."""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from orchestrator.gateway_workflow import ToolGatewayWorkflow
from orchestrator.workflow import AgentWorkflow
from shared.connection import data_converter_for
from shared.encryption.keyring import create_key_file
from shared.kit.tool_workflow import ToolWorkflow

HISTORIES = sorted(Path(__file__).with_name("histories").glob("*.json"))


def load(path: Path) -> str:
    return path.read_text()


def test_there_are_recorded_histories_of_every_workflow() -> None:
    names = [path.name for path in HISTORIES]
    assert any(name.startswith("agent_") for name in names)
    assert any(name.startswith("gateway_") for name in names)
    assert any(name.startswith("tool_it-") for name in names)
    assert any(name.startswith("tool_finance-") for name in names)


@pytest.mark.parametrize("path", HISTORIES, ids=[path.stem for path in HISTORIES])
async def test_a_recorded_history_replays_without_nondeterminism(path: Path, tmp_path: Path) -> None:
    history = WorkflowHistory.from_json(path.stem, load(path))
    keys_file = tmp_path / "payload-keys.json"
    create_key_file(keys_file)
    replayer = Replayer(
        workflows=[AgentWorkflow, ToolGatewayWorkflow, ToolWorkflow],
        data_converter=data_converter_for(keys_file),
    )

    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)

    assert result.replay_failure is None, f"{path.name}: {result.replay_failure}"
