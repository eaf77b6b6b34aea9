"""The deployment topology: which namespace, task queue and Nexus endpoint each part uses.

The facts live in ``topology.json`` beside this module so that Python code, the local-stack scripts and
Terraform all read the same file. This module is also the one place that turns a bare namespace name into
the namespace id a server expects (``<name>.<account>`` on Temporal Cloud, the bare name locally).
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

TOPOLOGY_FILE = Path(__file__).with_name("topology.json")

CLOUD_ACCOUNT_ENV = "TEMPORAL_CLOUD_ACCOUNT"
"""When set, bare namespace names are qualified as ``<name>.<account>`` (Temporal Cloud namespace ids)."""


class Site(BaseModel):
    """Where one part of the suite runs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    namespace: str = Field(description="Bare namespace name (no Cloud account suffix).")
    task_queue: str = Field(description="Task queue the part's worker polls.")


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
            raise KeyError(f"No tool team {team!r} in {TOPOLOGY_FILE.name}; known teams: {known}") from None


@lru_cache(maxsize=1)
def load_topology() -> Topology:
    """Read the topology file once per process."""
    return Topology.model_validate(json.loads(TOPOLOGY_FILE.read_text()))


def namespace_id(namespace: str, account: str | None = None) -> str:
    """The namespace id a server knows: ``<name>.<account>`` on Temporal Cloud, the bare name locally.

    ``account`` defaults to the ``TEMPORAL_CLOUD_ACCOUNT`` environment variable. A name that already
    carries an account suffix is returned unchanged.
    """
    account = account if account is not None else os.environ.get(CLOUD_ACCOUNT_ENV, "")
    if not account or "." in namespace:
        return namespace
    return f"{namespace}.{account}"
