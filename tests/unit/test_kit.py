"""The kit: tool declarations, a team's request checks, provider loading."""

from __future__ import annotations

from datetime import timedelta

import nexusrpc
import pytest
from pydantic import BaseModel, Field

from it_service.providers import IpProvider, OfflineIpProvider
from shared.contract import ExecuteToolInput, ToolSpec
from shared.identity.identity import LOCAL_DEVELOPER
from shared.kit import ActivityPolicy, Tool, ToolTeam
from shared.kit.provider_loading import ProviderConfigError, load_provider


class EchoArguments(BaseModel):
    text: str = Field(min_length=1, description="What to echo.")


class Echoed(BaseModel):
    text: str


async def echo(arguments: EchoArguments) -> Echoed:
    return Echoed(text=arguments.text)


def echo_tool(**overrides: object) -> Tool[EchoArguments, Echoed]:
    fields: dict[str, object] = {
        "name": "echo",
        "description": "Echo text.",
        "arguments": EchoArguments,
        "run": echo,
    }
    return Tool(**{**fields, **overrides})  # type: ignore[arg-type]


def test_a_tool_spec_carries_the_json_schema_of_its_argument_model() -> None:
    spec = echo_tool().spec()

    assert spec.name == "echo"
    assert spec.input_schema["properties"]["text"]["description"] == "What to echo."
    assert spec.input_schema["required"] == ["text"]


@pytest.mark.parametrize("name", ["Echo", "echo tool", "", "1echo", "x" * 49])
def test_a_tool_name_must_be_lower_snake_case(name: str) -> None:
    with pytest.raises(ValueError, match="lower_snake_case"):
        echo_tool(name=name)


def test_a_tool_needs_a_description() -> None:
    with pytest.raises(ValueError, match="needs a description"):
        echo_tool(description="  ")


def test_a_team_rejects_a_tool_declared_twice() -> None:
    with pytest.raises(ValueError, match="declares tool 'echo' twice"):
        ToolTeam("it", [echo_tool(), echo_tool()])


def test_prepare_passes_validated_arguments_and_the_tools_policy() -> None:
    policy = ActivityPolicy(start_to_close_timeout=timedelta(seconds=5), maximum_attempts=1)
    team = ToolTeam("it", [echo_tool(policy=policy)])

    request = team.prepare(
        ExecuteToolInput(tool="echo", arguments={"text": "hi"}, call_id="c1"), LOCAL_DEVELOPER
    )

    assert request.arguments == {"text": "hi"}
    assert request.call_id == "c1"
    assert request.policy == policy


def test_prepare_rejects_an_unknown_tool_as_bad_request() -> None:
    team = ToolTeam("it", [echo_tool()])

    with pytest.raises(nexusrpc.HandlerError) as raised:
        team.prepare(ExecuteToolInput(tool="nope", arguments={}, call_id="c1"), LOCAL_DEVELOPER)

    assert raised.value.type == nexusrpc.HandlerErrorType.BAD_REQUEST
    assert "Unknown tool 'nope' in team 'it'; known tools: echo" in str(raised.value)


def test_prepare_rejects_invalid_arguments_as_bad_request_naming_the_field() -> None:
    team = ToolTeam("it", [echo_tool()])

    with pytest.raises(nexusrpc.HandlerError) as raised:
        team.prepare(ExecuteToolInput(tool="echo", arguments={"text": ""}, call_id="c1"), LOCAL_DEVELOPER)

    assert raised.value.type == nexusrpc.HandlerErrorType.BAD_REQUEST
    assert "Invalid arguments for tool 'echo': text: String should have at least 1 character" in str(
        raised.value
    )


def test_a_tool_error_is_never_retried() -> None:
    assert "ToolError" in (ActivityPolicy().retry_policy().non_retryable_error_types or [])


def test_load_provider_defaults_to_the_offline_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEST_PROVIDER", raising=False)

    assert isinstance(load_provider("TEST_PROVIDER", OfflineIpProvider, IpProvider), OfflineIpProvider)


def test_load_provider_imports_the_class_named_by_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_PROVIDER", "it_service.providers:IpifyProvider")

    provider = load_provider("TEST_PROVIDER", OfflineIpProvider, IpProvider)

    assert type(provider).__name__ == "IpifyProvider"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("no_colon_here", "expected 'package.module:ClassName'"),
        ("missing.module:Thing", "cannot load it"),
        ("it_service.providers:Missing", "cannot load it"),
        ("it_service.providers:OfflineJiraProvider", "does not implement IpProvider"),
    ],
)
def test_load_provider_says_what_is_wrong_with_a_bad_setting(
    monkeypatch: pytest.MonkeyPatch, value: str, message: str
) -> None:
    monkeypatch.setenv("TEST_PROVIDER", value)

    with pytest.raises(ProviderConfigError, match=message):
        load_provider("TEST_PROVIDER", OfflineIpProvider, IpProvider)


def test_a_tool_spec_carries_the_json_schema_of_its_result_model() -> None:
    spec = echo_tool().spec()

    assert spec.output_schema is not None
    assert spec.output_schema["title"] == "Echoed"


def test_a_result_model_can_be_named_when_run_is_not_annotated_with_it() -> None:
    async def untyped(arguments: EchoArguments) -> object:
        return Echoed(text=arguments.text)

    assert echo_tool(run=untyped).spec().output_schema is None
    assert (echo_tool(run=untyped, result=Echoed).spec().output_schema or {})["title"] == "Echoed"


def test_a_spec_without_an_output_schema_is_still_read() -> None:
    spec = ToolSpec.model_validate({"name": "old", "description": "An old team's tool.", "input_schema": {}})

    assert spec.output_schema is None
