"""The topology file: what code, scripts and Terraform read."""

from __future__ import annotations

import pytest

from shared.topology import load_topology, namespace_id


def test_topology_names_the_parts_of_the_design() -> None:
    topology = load_topology()

    assert topology.orchestrator.namespace == "default"
    assert topology.orchestrator.task_queue == "orchestrator-task-queue"
    sites = {
        team: (site.namespace, site.task_queue, site.endpoint)
        for team, site in topology.tool_services.items()
    }
    # A team added later is one more entry; these two must stay as they are.
    assert (
        sites.items()
        >= {
            "it": ("it-namespace", "it-task-queue", "it-nexus-endpoint"),
            "finance": ("finance-namespace", "finance-task-queue", "finance-nexus-endpoint"),
        }.items()
    )


def test_an_unknown_team_is_a_clear_error() -> None:
    known = ", ".join(sorted(load_topology().tool_services))

    with pytest.raises(KeyError, match=f"known teams: {known}"):
        load_topology().tool_service("no-such-team")


def test_namespace_id_is_the_bare_name_locally(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEMPORAL_CLOUD_ACCOUNT", raising=False)

    assert namespace_id("it-namespace") == "it-namespace"


def test_namespace_id_is_qualified_on_temporal_cloud(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEMPORAL_CLOUD_ACCOUNT", "acme1")

    assert namespace_id("it-namespace") == "it-namespace.acme1"
    assert namespace_id("it-namespace.other") == "it-namespace.other"
    assert namespace_id("finance-namespace", account="a2") == "finance-namespace.a2"
