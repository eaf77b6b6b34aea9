"""The README's "Writing a tool team" guide, followed to the letter: its files written as they stand, its
topology entry added, its one provisioning command run. A running orchestrator's next chat discovers the new
team and uses its tool, with nothing restarted; a running chat finds it when told (``refresh_tools``) and one
whose catalog has gone stale finds it at a turn's start."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from harness.server import REPO_ROOT
from harness.suite import Suite
from harness.workers import WorkerProcess, orchestrator_on, topology_workers
from orchestrator.conversation import Conversation
from orchestrator.models import AgentInput
from shared.topology import TOPOLOGY_FILE, TOPOLOGY_PATH_ENV, load_topology
from tests.support.waiting import eventually

GUIDE_HEADING = "## Writing a tool team"
QUESTION = "How many people work in Engineering?"
NEW_TEAM_QUEUE = "orchestrator-new-team"


def guide_blocks() -> list[tuple[str, str]]:
    """The guide's code blocks as (language, text), in order."""
    readme = (REPO_ROOT / "README.md").read_text()
    section = readme.split(GUIDE_HEADING, 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```(\w+)\n(.*?)```", section, flags=re.DOTALL)


def write_team_from_guide(folder: Path) -> tuple[str, dict[str, object]]:
    """Write the guide's Python files under ``folder``; return the team name and its topology entry."""
    blocks = guide_blocks()
    python = [text for language, text in blocks if language == "python"]
    assert python, "the guide has no Python files"
    for text in python:
        path = re.match(r"# (\S+\.py)\n", text)
        assert path, f"a Python block of the guide does not start with its file name:\n{text}"
        target = folder / path.group(1)
        target.parent.mkdir(parents=True, exist_ok=True)
        (target.parent / "__init__.py").touch()
        target.write_text(text)
    (entry_text,) = [text for language, text in blocks if language == "json"]
    entry = json.loads("{" + entry_text + "}")
    ((team, site),) = entry.items()
    return team, site


@pytest.mark.timeout(240)
async def test_a_team_written_from_the_guide_is_discovered_and_used_by_the_next_chat(
    stack: Suite, tool_workers: dict[str, WorkerProcess], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    team, site = write_team_from_guide(tmp_path / "code")
    topology = json.loads(TOPOLOGY_FILE.read_text())
    if topology["tool_services"].pop(team, None) is not None:
        # The guide was followed for real: the session's server already serves the team under its names,
        # so this test's copy of it gets names of its own.
        site = {
            **site,
            **{key: f"{site[key]}-guide-check" for key in ("namespace", "task_queue", "endpoint")},
        }
    topology_path = tmp_path / "topology.json"
    topology_path.write_text(json.dumps(topology))
    monkeypatch.setenv(TOPOLOGY_PATH_ENV, str(topology_path))  # this test's harness calls read it too
    orchestrator = await stack.start_worker(
        orchestrator_on(NEW_TEAM_QUEUE, **{TOPOLOGY_PATH_ENV: str(topology_path)})
    )
    before = await Conversation.start(stack.client, task_queue=NEW_TEAM_QUEUE)
    unanswered = await before.send(QUESTION)
    # Told nothing, but its catalog goes stale within a second: it finds the new team at a turn's start.
    ageing = await Conversation.start(
        stack.client, task_queue=NEW_TEAM_QUEUE, agent_input=AgentInput(catalog_max_age_seconds=1)
    )
    await ageing.send(QUESTION)

    topology["tool_services"][team] = site
    topology_path.write_text(json.dumps(topology))
    setup = await asyncio.to_thread(
        subprocess.run,
        ["bash", "scripts/stack", "setup", "--address", stack.state.address],
        cwd=REPO_ROOT,
        env={**os.environ, TOPOLOGY_PATH_ENV: str(topology_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert setup.returncode == 0, setup.stdout + setup.stderr
    assert f"created endpoint {site['endpoint']}" in setup.stdout
    spec = topology_workers(load_topology())[team]
    code_path = {"PYTHONPATH": str(tmp_path / "code"), TOPOLOGY_PATH_ENV: str(topology_path)}
    new_team = await stack.start_worker(replace(spec, env=code_path))
    new_tool = f"{team}__headcount"
    try:
        after = await Conversation.start(stack.client, task_queue=NEW_TEAM_QUEUE)
        answered = await after.send(QUESTION)

        await before.refresh_tools()  # the running chat is told: it finds the new team at once
        await eventually(lambda: knows(before, new_tool), within=30, what="the refreshed chat's new tool")
        refreshed = await before.send(QUESTION)

        assert new_tool not in await tool_names(ageing)
        await ageing.send("What is 2 + 2?")  # its catalog is older than a second: the turn refreshes it
        await eventually(lambda: knows(ageing, new_tool), within=30, what="the stale chat's new tool")
        aged = await ageing.send(QUESTION)
    finally:
        new_team.stop()

    assert orchestrator.running(), "the orchestrator was not restarted"
    assert team not in [call.service for call in unanswered.tool_calls]
    assert [(call.tool, call.service, call.ok) for call in answered.tool_calls] == [("headcount", team, True)]
    assert "42" in answered.text
    for reply in (refreshed, aged):
        assert [(call.tool, call.service, call.ok) for call in reply.tool_calls] == [
            ("headcount", team, True)
        ]


async def tool_names(chat: Conversation) -> list[str]:
    return [tool.name for tool in await chat.tools()]


async def knows(chat: Conversation, tool: str) -> bool:
    return tool in await tool_names(chat)
