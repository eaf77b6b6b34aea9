"""The IT tools and their offline providers."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from it_service.models import JiraMetricsArguments
from it_service.providers import OfflineIpProvider, OfflineJiraProvider
from shared.kit import ToolError


async def test_offline_ip_provider_answers_a_documentation_address() -> None:
    address = await OfflineIpProvider().public_ip()

    assert (address.ip, address.version, address.source) == ("203.0.113.24", 4, "offline")


async def test_offline_jira_provider_answers_a_known_project() -> None:
    metrics = await OfflineJiraProvider().project_metrics("DEMO")

    assert metrics.name == "Demo Platform"
    assert metrics.open_issues == 42
    assert metrics.in_progress <= metrics.open_issues


async def test_offline_jira_provider_names_the_known_projects_for_an_unknown_one() -> None:
    with pytest.raises(ToolError, match="No Jira project 'NOPE'; known projects: DEMO, OPS, PLAT, SEC, WEB"):
        await OfflineJiraProvider().project_metrics("NOPE")


def test_project_keys_are_upper_cased() -> None:
    assert JiraMetricsArguments.model_validate({"project": " demo "}).project == "DEMO"


@pytest.mark.parametrize("project", ["D", "DEMO-456", "1ABC", "WAYTOOLONGKEY", ""])
def test_malformed_project_keys_are_rejected(project: str) -> None:
    with pytest.raises(ValidationError):
        JiraMetricsArguments.model_validate({"project": project})
