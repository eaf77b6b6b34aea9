"""The IT tools and their offline providers."""

from __future__ import annotations

import time

import pytest
from pydantic import ValidationError

from it_service.models import LONGEST_DIAGNOSTICS_SECONDS, DiagnosticsArguments, JiraMetricsArguments
from it_service.providers import OfflineDiagnosticsProvider, OfflineIpProvider, OfflineJiraProvider
from it_service.tools import build_team
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


async def test_offline_diagnostics_take_the_time_asked_and_report_every_check() -> None:
    started = time.monotonic()
    report = await OfflineDiagnosticsProvider().diagnose(0.2)

    assert time.monotonic() - started >= 0.2
    assert [check.name for check in report.checks] == [
        "gateway reachable",
        "DNS resolution",
        "VPN concentrators",
        "packet loss",
    ]
    assert report.healthy and report.source == "offline"


@pytest.mark.parametrize("seconds", [0, 20.5])
def test_diagnostics_run_between_a_tenth_of_a_second_and_twenty_seconds(seconds: float) -> None:
    with pytest.raises(ValidationError):
        DiagnosticsArguments.model_validate({"seconds": seconds})


def test_diagnostics_heartbeat_so_that_another_worker_takes_over_a_crashed_run_within_seconds() -> None:
    policy = next(tool.policy for tool in build_team().tools if tool.name == "run_diagnostics")

    assert policy.heartbeat_timeout is not None and policy.heartbeat_timeout.total_seconds() <= 3
    assert policy.start_to_close_timeout.total_seconds() > LONGEST_DIAGNOSTICS_SECONDS
