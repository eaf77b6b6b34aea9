"""Which MCP servers the orchestrator worker may use, read once from ``AGENT_MCP_SERVERS``.

The value is inline JSON or the path of a JSON file, in the format MCP clients such as Claude Desktop use::

    {"mcpServers": {
        "notes": {"command": "python", "args": ["-m", "notes_server"], "env": {"NOTES_DIR": "/srv/notes"}},
        "web": {"url": "http://127.0.0.1:8000/mcp", "headers": {"Authorization": "Bearer ..."}}
    }}

The mapping of servers may also stand alone, without ``mcpServers``. A server is either a command run as a
subprocess (stdio) or the URL of a streamable HTTP endpoint. Header and environment values may be secrets:
no error message or ``repr`` shows them.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, Self
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError

from orchestrator.settings import SettingsError
from shared.failures import validation_problems

MCP_SERVERS_VARIABLE = "AGENT_MCP_SERVERS"

SERVER_NAME_PATTERN = r"^[a-z0-9][a-z0-9-]{0,30}$"
"""The model sees a server's tools as ``mcp-<name>__<tool>``, and an OpenAI function name is at most 64 of
``[a-zA-Z0-9_-]``: a short name leaves room for the tool's."""

EXPECTED = (
    f'{MCP_SERVERS_VARIABLE} takes inline JSON or the path of a JSON file: {{"mcpServers": {{"<name>": '
    '{"command": "...", "args": [...], "env": {...}} or {"url": "http://.../mcp", "headers": {...}}}}'
)

Transport = Literal["stdio", "http"]


def _server_name(name: str) -> str:
    if not re.fullmatch(SERVER_NAME_PATTERN, name):
        raise PydanticCustomError(
            "server_name", "a server's name is 1-31 of a-z, 0-9 and '-', starting with a letter or digit"
        )
    return name


def _http_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PydanticCustomError(
            "http_url", "not an http:// or https:// URL (e.g. http://127.0.0.1:8000/mcp)"
        )
    return url


class McpServerConfig(BaseModel):
    """One MCP server: a command to run (stdio) or a streamable HTTP endpoint, never both."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Annotated[str, AfterValidator(_server_name)] = Field(
        description="The server's name, 1-31 of a-z, 0-9 and '-': its tools are `mcp-<name>__<tool>`.",
    )
    command: list[str] | None = Field(
        default=None, min_length=1, description="stdio: the program and its arguments."
    )
    env: dict[str, str] = Field(
        default_factory=dict,
        repr=False,
        description="stdio: variables for the server, besides the few the SDK passes on (PATH, HOME...).",
    )
    cwd: str | None = Field(default=None, description="stdio: the directory the server runs in.")
    url: Annotated[str, AfterValidator(_http_url)] | None = Field(
        default=None, description="Streamable HTTP: the endpoint, e.g. http://host/mcp."
    )
    headers: dict[str, str] = Field(
        default_factory=dict, repr=False, description="Streamable HTTP: headers sent with every request."
    )
    timeout_seconds: float = Field(
        default=30.0,
        gt=0,
        allow_inf_nan=False,
        description="How long connecting and one request (a listing, a tool call) may take together.",
    )

    @model_validator(mode="after")
    def _one_transport(self) -> Self:
        if (self.command is None) == (self.url is None):
            raise PydanticCustomError(
                "transport", "give either `command` (stdio) or `url` (streamable HTTP), not both or neither"
            )
        if self.url is not None:
            if self.env or self.cwd is not None:
                raise PydanticCustomError("transport", "`env` and `cwd` are for a command (stdio), not a url")
        elif self.headers:
            raise PydanticCustomError("transport", "`headers` are for a url (streamable HTTP), not a command")
        return self

    @property
    def transport(self) -> Transport:
        return "stdio" if self.command is not None else "http"


class McpServerEntry(BaseModel):
    """One server as MCP clients write it in their configuration file."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["stdio", "http", "streamable-http"] | None = Field(
        default=None, description="Optional; implied by `command` or `url`. SSE is not supported."
    )
    command: str | None = None
    args: list[str] = Field(default_factory=list)
    env: dict[str, str] = Field(default_factory=dict)
    cwd: str | None = None
    url: str | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    timeout_seconds: float = 30.0

    @model_validator(mode="after")
    def _fields_agree(self) -> Self:
        if self.args and self.command is None:
            raise PydanticCustomError("transport", "`args` go with a `command`")
        if self.type == "stdio" and self.command is None:
            raise PydanticCustomError("transport", '"type": "stdio" needs a `command`')
        if self.type in ("http", "streamable-http") and self.url is None:
            raise PydanticCustomError("transport", '"type": "{type}" needs a `url`', {"type": self.type})
        return self

    def fields(self, name: str) -> dict[str, Any]:
        """The fields of its ``McpServerConfig``."""
        return {
            "name": name,
            "command": None if self.command is None else [self.command, *self.args],
            "env": self.env,
            "cwd": self.cwd,
            "url": self.url,
            "headers": self.headers,
            "timeout_seconds": self.timeout_seconds,
        }


_ENTRIES = TypeAdapter(dict[str, McpServerEntry])
_CONFIGS = TypeAdapter(dict[str, McpServerConfig])


class McpServersSetting(BaseModel):
    """The MCP servers of this worker (none unless ``AGENT_MCP_SERVERS`` is set)."""

    model_config = ConfigDict(frozen=True)

    servers: list[McpServerConfig] = Field(default_factory=list)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> McpServersSetting:
        environ = os.environ if environ is None else environ
        value = environ.get(MCP_SERVERS_VARIABLE, "").strip()
        if not value:
            return cls()
        document = _read_json(value)
        servers = document.get("mcpServers", document) if isinstance(document, dict) else document
        if not isinstance(servers, dict):
            raise SettingsError(f"Bad {MCP_SERVERS_VARIABLE}: not a mapping of servers by name. {EXPECTED}")
        try:
            entries = _ENTRIES.validate_python(servers)
            configs = _CONFIGS.validate_python({name: entry.fields(name) for name, entry in entries.items()})
        except ValidationError as error:
            raise SettingsError(_problem(validation_problems(error, whole="servers"))) from None
        return cls(servers=list(configs.values()))


def _read_json(value: str) -> Any:
    """Inline JSON, or the contents of the JSON file it names."""
    source = "the value"
    if not value.startswith(("{", "[")):
        path = Path(value).expanduser()
        try:
            value = path.read_text(encoding="utf-8")
        except OSError as error:
            raise SettingsError(
                f"Bad {MCP_SERVERS_VARIABLE}: cannot read {path} ({error.strerror or error}). {EXPECTED}"
            ) from None
        source = f"{path}"
    try:
        return json.loads(value)
    except json.JSONDecodeError as error:
        # The position only: the text may hold a header's secret.
        raise SettingsError(
            f"Bad {MCP_SERVERS_VARIABLE}: {source} is not valid JSON ({error.msg} at line {error.lineno} "
            f"column {error.colno}). {EXPECTED}"
        ) from None


def _problem(problems: str) -> str:
    return f"Bad {MCP_SERVERS_VARIABLE}: {problems}. {EXPECTED}"
