"""Arguments and results of the IT tools; field descriptions become the JSON Schema the model reads."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class GetIpArguments(BaseModel):
    """`get_ip` takes no arguments."""

    model_config = ConfigDict(extra="forbid")


class IpAddress(BaseModel):
    """The public IP address the IT network egresses from."""

    ip: str = Field(description="The address, e.g. 203.0.113.24.")
    version: Literal[4, 6] = Field(description="IP version.")
    source: str = Field(description="Which provider answered (`offline` for bundled data).")


class JiraMetricsArguments(BaseModel):
    """Which Jira project to report on."""

    model_config = ConfigDict(extra="forbid")

    project: str = Field(
        pattern=r"^[A-Z][A-Z0-9]{1,9}$",
        description="Jira project key: 2-10 letters or digits starting with a letter, e.g. DEMO; one word "
        "of the project's name finds it too, e.g. SECURITY.",
    )

    @field_validator("project", mode="before")
    @classmethod
    def _upper_case(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value


class JiraMetrics(BaseModel):
    """Delivery metrics of one Jira project."""

    project: str = Field(description="Project key.")
    name: str = Field(description="Project name.")
    open_issues: int = Field(ge=0, description="Issues not yet done.")
    in_progress: int = Field(ge=0, description="Issues being worked on now.")
    open_bugs: int = Field(ge=0, description="Open issues of type Bug.")
    resolved_last_30_days: int = Field(ge=0, description="Issues resolved in the last 30 days.")
    avg_cycle_time_days: float = Field(ge=0, description="Mean days from start to done, last 30 days.")
    sprint_velocity: float = Field(ge=0, description="Story points completed per sprint, last 3 sprints.")
    source: str = Field(description="Which provider answered (`offline` for bundled data).")


Priority = Literal["low", "medium", "high"]


class CreateTicketArguments(BaseModel):
    """A new IT ticket."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(
        min_length=3, max_length=200, description="One line saying what is wrong, e.g. VPN drops."
    )
    description: str = Field(default="", max_length=4000, description="Details: who, where, since when.")
    priority: Priority = Field(default="medium", description="How urgent: low, medium or high.")

    @field_validator("title", mode="before")
    @classmethod
    def _collapse_whitespace(cls, value: object) -> object:
        return " ".join(value.split()) if isinstance(value, str) else value


class Ticket(BaseModel):
    """One ticket in the IT ledger."""

    id: str = Field(description="Ticket id, e.g. IT-1001.")
    title: str = Field(description="What is wrong.")
    description: str = Field(description="Details.")
    priority: Priority = Field(description="How urgent.")
    status: Literal["open", "closed"] = Field(description="Whether it is being worked on.")
    created_at: str = Field(description="When it was opened (UTC, ISO 8601).")
    requested_by: str | None = Field(default=None, description="Who asked for it, as IT verified it.")


class ListTicketsArguments(BaseModel):
    """Which tickets to list."""

    model_config = ConfigDict(extra="forbid")

    status: Literal["open", "closed"] = Field(default="open", description="Open or closed tickets.")
    limit: int = Field(default=20, ge=1, le=500, description="How many, newest first (at most 500).")


class TicketList(BaseModel):
    """Tickets, newest first."""

    tickets: list[Ticket] = Field(description="The tickets.")
    count: int = Field(description="How many are listed.")


LONGEST_DIAGNOSTICS_SECONDS = 20.0
"""The longest run of the network diagnostics a caller may ask for."""


class DiagnosticsArguments(BaseModel):
    """How long the network diagnostics may run."""

    model_config = ConfigDict(extra="forbid")

    seconds: float = Field(
        default=5.0,
        ge=0.1,
        le=LONGEST_DIAGNOSTICS_SECONDS,
        description="How long to run the checks, in seconds (0.1-20): a longer run samples more.",
    )


class DiagnosticCheck(BaseModel):
    """One check of the network diagnostics."""

    name: str = Field(description="What was checked, e.g. DNS resolution.")
    ok: bool = Field(description="Whether it passed.")
    detail: str = Field(description="What was measured.")


class Diagnostics(BaseModel):
    """The outcome of a run of the network diagnostics."""

    checks: list[DiagnosticCheck] = Field(description="Every check, in the order run.")
    healthy: bool = Field(description="Whether every check passed.")
    seconds: float = Field(description="How long the run took.")
    source: str = Field(description="Which provider answered (`offline` for bundled data).")
