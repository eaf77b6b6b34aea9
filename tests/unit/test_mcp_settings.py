"""Which MCP servers the worker may use: ``AGENT_MCP_SERVERS``, inline JSON or a file, as MCP clients write it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from orchestrator.mcp_tools.settings import MCP_SERVERS_VARIABLE, McpServerConfig, McpServersSetting
from orchestrator.settings import SettingsError
from shared.process import SettingsProblem

CLAUDE_DESKTOP_STYLE = {
    "mcpServers": {
        "notes": {"command": "python", "args": ["-m", "notes_server"], "env": {"NOTES_DIR": "/srv/notes"}},
        "web": {"url": "http://127.0.0.1:8000/mcp", "headers": {"Authorization": "Bearer sk-secret-token"}},
    }
}


def servers_from(value: Any) -> list[McpServerConfig]:
    text = value if isinstance(value, str) else json.dumps(value)
    return McpServersSetting.from_env({MCP_SERVERS_VARIABLE: text}).servers


def problem_with(value: Any) -> str:
    with pytest.raises(SettingsError) as raised:
        servers_from(value)
    return str(raised.value)


def test_no_variable_means_no_servers() -> None:
    assert McpServersSetting.from_env({}).servers == []


def test_an_empty_variable_means_no_servers() -> None:
    assert servers_from("  ") == []


def test_inline_json_in_the_claude_desktop_format_gives_each_server_by_its_name() -> None:
    notes, web = servers_from(CLAUDE_DESKTOP_STYLE)

    assert (notes.name, notes.transport, notes.command) == (
        "notes",
        "stdio",
        ["python", "-m", "notes_server"],
    )
    assert notes.env == {"NOTES_DIR": "/srv/notes"}
    assert (web.name, web.transport, web.url) == ("web", "http", "http://127.0.0.1:8000/mcp")
    assert web.headers == {"Authorization": "Bearer sk-secret-token"}


def test_a_path_names_a_json_file_with_the_servers(tmp_path: Path) -> None:
    config_file = tmp_path / "mcp.json"
    config_file.write_text(json.dumps(CLAUDE_DESKTOP_STYLE))

    assert [server.name for server in servers_from(str(config_file))] == ["notes", "web"]


def test_the_mapping_of_servers_may_stand_alone_without_mcpservers() -> None:
    assert servers_from(CLAUDE_DESKTOP_STYLE["mcpServers"]) == servers_from(CLAUDE_DESKTOP_STYLE)


def test_a_command_without_args_runs_as_it_is() -> None:
    (server,) = servers_from({"tools": {"command": "tool-server"}})

    assert server.command == ["tool-server"]
    assert (server.env, server.cwd) == ({}, None)


def test_a_type_field_as_other_clients_write_it_is_accepted() -> None:
    stdio, http = servers_from(
        {
            "a": {"type": "stdio", "command": "tool-server"},
            "b": {"type": "streamable-http", "url": "https://tools.example.com/mcp"},
        }
    )

    assert (stdio.transport, http.transport) == ("stdio", "http")


def test_each_server_has_a_timeout_of_30_seconds_unless_it_sets_its_own() -> None:
    default, own = servers_from(
        {"a": {"command": "tool-server"}, "b": {"command": "tool-server", "timeout_seconds": 5}}
    )

    assert (default.timeout_seconds, own.timeout_seconds) == (30.0, 5.0)


def test_settings_errors_are_the_settings_problems_a_worker_refuses_to_start_with() -> None:
    assert issubclass(SettingsError, SettingsProblem)


@pytest.mark.parametrize("name", ["Notes", "my_server", "-notes", "a" * 32, "notes.v2"])
def test_a_name_that_cannot_prefix_a_model_function_name_is_refused(name: str) -> None:
    message = problem_with({name: {"command": "tool-server"}})

    assert MCP_SERVERS_VARIABLE in message
    assert f"{name}.name" in message
    assert "a-z, 0-9 and '-'" in message


def test_a_server_with_both_a_command_and_a_url_is_refused() -> None:
    message = problem_with({"both": {"command": "tool-server", "url": "http://127.0.0.1:8000/mcp"}})

    assert "both: give either `command` (stdio) or `url` (streamable HTTP)" in message


def test_a_server_with_neither_a_command_nor_a_url_is_refused() -> None:
    assert "give either `command`" in problem_with({"empty": {}})


def test_a_url_that_is_not_http_is_refused() -> None:
    assert "web.url: not an http:// or https:// URL" in problem_with({"web": {"url": "ftp://h/mcp"}})


def test_sse_is_refused_with_the_types_there_are() -> None:
    assert "'stdio', 'http' or 'streamable-http'" in problem_with(
        {"old": {"type": "sse", "url": "http://h/sse"}}
    )


def test_an_unknown_field_is_refused_rather_than_ignored() -> None:
    assert "notes.disabled: Extra inputs are not permitted" in problem_with(
        {"notes": {"command": "tool-server", "disabled": True}}
    )


def test_headers_on_a_command_are_refused() -> None:
    assert "`headers` are for a url" in problem_with({"a": {"command": "x", "headers": {"X-Key": "k"}}})


def test_a_timeout_must_be_positive() -> None:
    assert "a.timeout_seconds" in problem_with({"a": {"command": "x", "timeout_seconds": 0}})


def test_json_that_does_not_parse_is_refused_with_where_it_broke() -> None:
    message = problem_with('{"mcpServers": {"notes": ')

    assert f"Bad {MCP_SERVERS_VARIABLE}: the value is not valid JSON" in message
    assert "line 1 column" in message
    assert '{"mcpServers": {"<name>"' in message  # what it expects


def test_a_path_to_no_file_is_refused_naming_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.json"

    message = problem_with(str(missing))

    assert f"cannot read {missing}" in message
    assert "inline JSON or the path of a JSON file" in message


def test_a_value_that_is_not_a_mapping_of_servers_is_refused() -> None:
    assert "not a mapping of servers by name" in problem_with(["notes"])


def test_a_header_value_is_never_shown_in_an_error_or_a_repr() -> None:
    secret = "Bearer sk-secret-token"
    broken = {
        "web": {"url": "http://h/mcp", "command": "also-a-command", "headers": {"Authorization": secret}}
    }

    assert secret not in problem_with(broken)
    assert secret not in problem_with('{"web": {"headers": {"Authorization": "' + secret + '"}, ')
    assert secret not in repr(servers_from(CLAUDE_DESKTOP_STYLE))
