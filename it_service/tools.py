"""The IT team's tools, declared with the shared kit."""

from __future__ import annotations

from datetime import timedelta

from it_service.models import (
    CreateTicketArguments,
    Diagnostics,
    DiagnosticsArguments,
    GetIpArguments,
    IpAddress,
    JiraMetrics,
    JiraMetricsArguments,
    ListTicketsArguments,
    Ticket,
    TicketList,
)
from it_service.providers import (
    DiagnosticsProvider,
    IpProvider,
    JiraProvider,
    diagnostics_provider,
    ip_provider,
    jira_provider,
)
from it_service.ticket_ledger import TicketLedger, ticket_ledger
from shared.contract import ApprovalRequirement
from shared.kit import ActivityPolicy, Tool, ToolTeam, current_call

TEAM = "it"
READ = "it:read"
WRITE_TICKETS = "it:tickets:write"
APPROVE_TICKETS = "it:tickets:approve"


def build_team(
    ips: IpProvider | None = None,
    jira: JiraProvider | None = None,
    tickets: TicketLedger | None = None,
    diagnostics: DiagnosticsProvider | None = None,
) -> ToolTeam:
    """The IT tools, backed by the given providers or those the environment chooses."""
    ips = ips or ip_provider()
    jira = jira or jira_provider()
    ledger = tickets or ticket_ledger()
    network = diagnostics or diagnostics_provider()

    async def get_ip(arguments: GetIpArguments) -> IpAddress:
        return await ips.public_ip()

    async def get_jira_metrics(arguments: JiraMetricsArguments) -> JiraMetrics:
        return await jira.project_metrics(arguments.project)

    async def create_ticket(arguments: CreateTicketArguments) -> Ticket:
        call = current_call()
        return await ledger.create(
            call.idempotency_key,
            arguments.title,
            arguments.description,
            arguments.priority,
            requested_by=call.requester,
        )

    async def list_tickets(arguments: ListTicketsArguments) -> TicketList:
        found = await ledger.recent(arguments.status, arguments.limit)
        return TicketList(tickets=found, count=len(found))

    async def run_diagnostics(arguments: DiagnosticsArguments) -> Diagnostics:
        return await network.diagnose(arguments.seconds)

    return ToolTeam(
        TEAM,
        [
            Tool(
                name="get_ip",
                description="Get the public IP address of the company network.",
                arguments=GetIpArguments,
                run=get_ip,
                scopes=(READ,),
            ),
            Tool(
                name="get_jira_metrics",
                description=(
                    "Get delivery metrics of a Jira project: open issues, work in progress, open bugs, "
                    "issues resolved in the last 30 days, cycle time and sprint velocity."
                ),
                arguments=JiraMetricsArguments,
                run=get_jira_metrics,
                scopes=(READ,),
            ),
            Tool(
                name="create_ticket",
                description="Open an IT ticket for a problem, with a title, optional details and a priority.",
                arguments=CreateTicketArguments,
                run=create_ticket,
                # A ticket system can be slow: heartbeats let a dead worker's call move on within seconds.
                policy=ActivityPolicy(heartbeat_timeout=timedelta(seconds=3)),
                # It writes to the ledger: a person with the right (or the asker themself) says yes first.
                approval=ApprovalRequirement(approver_scope=APPROVE_TICKETS, self_approval=True),
                scopes=(WRITE_TICKETS,),
            ),
            Tool(
                name="list_tickets",
                description="List IT tickets, newest first, open or closed.",
                arguments=ListTicketsArguments,
                run=list_tickets,
                scopes=(READ,),
            ),
            Tool(
                name="run_diagnostics",
                description="Run the network diagnostics (gateway, DNS, packet loss) for some seconds; slow.",
                arguments=DiagnosticsArguments,
                run=run_diagnostics,
                # Up to 20 s of checks: heartbeats (three a second) let another worker run it again within a
                # second and a half of a crash.
                policy=ActivityPolicy(
                    start_to_close_timeout=timedelta(seconds=25),
                    heartbeat_timeout=timedelta(seconds=1),
                    initial_interval=timedelta(milliseconds=200),
                ),
                scopes=(READ,),
            ),
        ],
    )
