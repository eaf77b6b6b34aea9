"""What the MCP gateway runs with, in one typed object: read from its command line and, where the option is
not given, from the variables every client of the suite reads (``ORCHESTRATOR_TASK_QUEUE``,
``AGENT_USER_TOKEN``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from orchestrator.gateway_models import DEFAULT_GATEWAY_ID

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
HTTP_PATH = "/mcp"
DEFAULT_REFRESH_SECONDS = 5.0


class GatewayServerSettings(BaseModel):
    """How one ``python -m orchestrator.mcp`` process serves."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    gateway_id: str = Field(
        default=DEFAULT_GATEWAY_ID,
        min_length=1,
        description="The gateway workflow's id: processes with the same id share its catalog, breakers and "
        "calls (a call retried on another process finds its outcome).",
    )
    task_queue: str | None = Field(
        default=None,
        description="The orchestrator workers' task queue the gateway runs on when this process starts it "
        "(None: the topology's).",
    )
    refresh_seconds: float = Field(
        default=DEFAULT_REFRESH_SECONDS,
        gt=0,
        description="How often the server compares the gateway's catalog with what it lists.",
    )
    catalog_max_age_seconds: float = Field(
        default=60.0, gt=0, description="The gateway's own refresh period, when this process starts it."
    )
    http: bool = Field(default=False, description="Serve streamable HTTP instead of stdio.")
    host: str = Field(default=DEFAULT_HOST, description="The HTTP address to bind (loopback by default).")
    port: int = Field(default=DEFAULT_PORT, ge=1, le=65535)
    user: str = Field(
        min_length=1,
        max_length=200,
        description="Who runs this process, as shown to an approver (a verified token's name wins).",
    )
    token: str | None = Field(
        default=None,
        repr=False,
        description="The signed token of whoever runs this process: the gateway's owner when it starts it, and "
        "every stdio call's. HTTP callers present their own (`Authorization: Bearer`).",
    )
    profile: str | None = Field(default=None, description="The temporalio.envconfig profile to connect with.")

    @property
    def url(self) -> str:
        """Where HTTP clients reach the server."""
        return f"http://{self.host}:{self.port}{HTTP_PATH}"
