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
        description="Jira project key: 2-10 letters or digits starting with a letter, e.g. DEMO.",
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
