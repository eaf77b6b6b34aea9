"""The IT team's tools, declared with the shared kit."""

from __future__ import annotations

from it_service.models import GetIpArguments, IpAddress, JiraMetrics, JiraMetricsArguments
from it_service.providers import IpProvider, JiraProvider, ip_provider, jira_provider
from shared.kit import Tool, ToolTeam

TEAM = "it"


def build_team(ips: IpProvider | None = None, jira: JiraProvider | None = None) -> ToolTeam:
    """The IT tools, backed by the given providers or those the environment chooses."""
    ips = ips or ip_provider()
    jira = jira or jira_provider()

    async def get_ip(arguments: GetIpArguments) -> IpAddress:
        return await ips.public_ip()

    async def get_jira_metrics(arguments: JiraMetricsArguments) -> JiraMetrics:
        return await jira.project_metrics(arguments.project)

    return ToolTeam(
        TEAM,
        [
            Tool(
                name="get_ip",
                description="Get the public IP address of the company network.",
                arguments=GetIpArguments,
                run=get_ip,
            ),
            Tool(
                name="get_jira_metrics",
                description=(
                    "Get delivery metrics of a Jira project: open issues, work in progress, open bugs, "
                    "issues resolved in the last 30 days, cycle time and sprint velocity."
                ),
                arguments=JiraMetricsArguments,
                run=get_jira_metrics,
            ),
        ],
    )
