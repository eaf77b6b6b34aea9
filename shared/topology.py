"""The deployment topology: which namespace, task queue and Nexus endpoint each part uses.

The facts live in ``topology.json`` beside this module so that Python code, the local-stack harness and
Terraform all read the same file. It is read afresh on every call, so a team added to it is seen by the next
chat a running orchestrator starts. ``TOPOLOGY_PATH`` names another file (a test's, a staging copy).

This module is also the one place that turns a bare namespace name into the namespace id a server expects
(``<name>.<account>`` on Temporal Cloud, the bare name locally).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

TOPOLOGY_FILE = Path(__file__).with_name("topology.json")
TOPOLOGY_PATH_ENV = "TOPOLOGY_PATH"
"""When set, the path of the topology file to read instead of the shipped one."""

CLOUD_ACCOUNT_ENV = "TEMPORAL_CLOUD_ACCOUNT"
"""When set, bare namespace names are qualified as ``<name>.<account>`` (Temporal Cloud namespace ids)."""


class Site(BaseModel):
    """Where one part of the suite runs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    namespace: str = Field(description="Bare namespace name (no Cloud account suffix).")
    task_queue: str = Field(description="Task queue the part's worker polls.")
    worker: str = Field(
        pattern=r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$",
        description="The module that runs the part's worker: `python -m <worker>`.",
    )


class ToolServiceSite(Site):
    """Where a tool team runs, and the Nexus endpoint that routes callers to it."""

    endpoint: str = Field(
        pattern=r"^[a-zA-Z][a-zA-Z0-9-]*[a-zA-Z0-9]$",
        description="Nexus endpoint name; it targets this namespace and task queue.",
    )
    description: str = Field(description="What the team's tools are for, shown to operators.")


class Topology(BaseModel):
    """The orchestrator and every tool team, keyed by team name."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    orchestrator: Site
    tool_services: dict[str, ToolServiceSite]

    def tool_service(self, team: str) -> ToolServiceSite:
        """The site of one tool team; a clear error names the known teams."""
        try:
            return self.tool_services[team]
        except KeyError:
            known = ", ".join(sorted(self.tool_services))
            raise KeyError(f"No tool team {team!r} in {topology_file()}; known teams: {known}") from None

    def sites(self) -> dict[str, Site]:
        """Every part by name: the tool teams first, then the orchestrator (named ``orchestrator``) that
        calls them."""
        return {**self.tool_services, ORCHESTRATOR: self.orchestrator}

    def namespaces(self) -> list[str]:
        """Every namespace of the suite, each once."""
        return list(dict.fromkeys(site.namespace for site in self.sites().values()))


ORCHESTRATOR = "orchestrator"
"""The orchestrator's part name in ``Topology.sites``."""


def topology_file() -> Path:
    """The topology file in force: ``TOPOLOGY_PATH`` if set, else the one shipped beside this module."""
    return Path(os.environ.get(TOPOLOGY_PATH_ENV) or TOPOLOGY_FILE)


def load_topology() -> Topology:
    """Read the topology file (it is small; reading it each time lets a running process see a new team)."""
    return Topology.model_validate(json.loads(topology_file().read_text()))


def namespace_id(namespace: str, account: str | None = None) -> str:
    """The namespace id a server knows: ``<name>.<account>`` on Temporal Cloud, the bare name locally.

    ``account`` defaults to the ``TEMPORAL_CLOUD_ACCOUNT`` environment variable. A name that already
    carries an account suffix is returned unchanged.
    """
    account = account if account is not None else os.environ.get(CLOUD_ACCOUNT_ENV, "")
    if not account or "." in namespace:
        return namespace
    return f"{namespace}.{account}"
