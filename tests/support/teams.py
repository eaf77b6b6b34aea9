"""The tool teams as the topology declares them, so a test that covers "every team" or "every tool" keeps
passing when a team is added (one folder and one entry in ``shared/topology.json``)."""

from __future__ import annotations

import importlib

from shared.contract import ToolSpec
from shared.kit import ToolTeam
from shared.topology import load_topology


def teams() -> list[str]:
    """Every tool team in the topology, in its order."""
    return list(load_topology().tool_services)


def declared_team(team: str) -> ToolTeam:
    """The team's tools as its own ``tools.py`` declares them (``build_team()``, beside the worker module
    the topology names), built with the providers the environment chooses."""
    package = load_topology().tool_service(team).worker.rpartition(".")[0]
    built = importlib.import_module(f"{package}.tools").build_team()
    assert isinstance(built, ToolTeam), f"{package}.tools.build_team() must return a ToolTeam"
    return built


def declared_tools(team: str) -> list[ToolSpec]:
    """The team's tools, in the order its ``list_tools`` answers them."""
    return declared_team(team).specs()
