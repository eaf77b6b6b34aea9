"""The web chat's settings, read in one place: its command-line flags, ``TEMPORAL_UI_URL`` for the link
to the Temporal UI, and ``ORCHESTRATOR_TASK_QUEUE`` (the workers' queue, as they read it) for new chats. How it connects to Temporal is not here: ``shared.connection`` reads that (envconfig)."""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping, Sequence

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from orchestrator.settings import TASK_QUEUE_VARIABLE
from shared.failures import validation_problems

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_TEMPORAL_UI_URL = "http://localhost:8233"
TEMPORAL_UI_URL_VARIABLE = "TEMPORAL_UI_URL"

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
"""The names a browser on this machine reaches a server bound to a loopback address by."""
ALL_ADDRESSES = ("0.0.0.0", "::")


class WebChatSettings(BaseModel):
    """Everything ``python -m orchestrator.web`` can be told."""

    model_config = ConfigDict(frozen=True)

    host: str = Field(
        default=DEFAULT_HOST,
        min_length=1,
        description="--host: the address to listen on. The default keeps the chat on this machine: anyone "
        "who reaches the page can approve tool calls.",
    )
    port: int = Field(default=DEFAULT_PORT, ge=1, le=65535, description="--port: the port to listen on.")
    profile: str | None = Field(
        default=None, description="--profile: the temporalio.envconfig profile (default: TEMPORAL_PROFILE)."
    )
    temporal_ui_url: str = Field(
        default=DEFAULT_TEMPORAL_UI_URL,
        pattern=r"^https?://[^\s/]+(/\S*)?$",
        description="--temporal-ui or TEMPORAL_UI_URL: the Temporal UI's base URL, for each chat's link.",
    )

    task_queue: str | None = Field(
        default=None,
        min_length=1,
        description=f"{TASK_QUEUE_VARIABLE}: the orchestrator workers' task queue for new chats (default: the "
        "topology's).",
    )

    @field_validator("temporal_ui_url")
    @classmethod
    def _without_trailing_slash(cls, url: str) -> str:
        return url.rstrip("/")

    @property
    def url(self) -> str:
        """Where a browser on this machine opens the page."""
        host = "127.0.0.1" if self.host in ALL_ADDRESSES else self.host
        return f"http://[{host}]:{self.port}/" if ":" in host else f"http://{host}:{self.port}/"

    @property
    def allowed_hosts(self) -> list[str]:
        """The Host headers the server answers: its own names only, so that a web site whose name a DNS
        trick points at 127.0.0.1 can't drive the page's API from the user's browser."""
        if self.host in ALL_ADDRESSES:
            return ["*"]  # listening everywhere: every name of the machine is its own
        own = f"[{self.host}]" if ":" in self.host else self.host  # a Host header brackets an IPv6 address
        return list(dict.fromkeys([own, *LOOPBACK_NAMES]))


def parse_settings(
    argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None
) -> WebChatSettings:
    """The settings from the command line (and the environment); a bad one exits with what is wrong."""
    environ = os.environ if environ is None else environ
    parser = argparse.ArgumentParser(
        prog="python -m orchestrator.web", description="Serve the web chat with the durable agent."
    )
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    parser.add_argument("--profile", help="temporalio.envconfig profile (default: TEMPORAL_PROFILE)")
    parser.add_argument(
        "--temporal-ui",
        default=environ.get(TEMPORAL_UI_URL_VARIABLE) or DEFAULT_TEMPORAL_UI_URL,
        help=f"Temporal UI base URL for the chat's link (default: {TEMPORAL_UI_URL_VARIABLE}, "
        f"else {DEFAULT_TEMPORAL_UI_URL})",
    )
    arguments = parser.parse_args(argv)
    names = {"host": "--host", "port": "--port", "profile": "--profile", "temporal_ui_url": "--temporal-ui"}
    try:
        return WebChatSettings(
            host=arguments.host,
            port=arguments.port,
            profile=arguments.profile,
            temporal_ui_url=arguments.temporal_ui,
            task_queue=environ.get(TASK_QUEUE_VARIABLE) or None,
        )
    except ValidationError as error:
        parser.error(validation_problems(error, names=names))
