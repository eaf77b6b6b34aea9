"""The orchestrator's settings, read from the environment."""

from __future__ import annotations

import pytest

from orchestrator.llm.offline_model import OFFLINE_MODEL
from orchestrator.settings import OrchestratorSettings, SettingsError
from shared.topology import load_topology

ONLINE = {
    "AGENT_MODEL": "openai/gpt-4o-mini",
    "AGENT_API_BASE": "https://llm.example.com/v1",
    "AGENT_API_KEY": "sk-very-secret-key",
    "AGENT_LLM_TIMEOUT": "12.5",
    "ORCHESTRATOR_TASK_QUEUE": "agents-eu",
}


def test_an_empty_environment_gives_the_offline_model() -> None:
    settings = OrchestratorSettings.from_env({})

    assert settings.model == OFFLINE_MODEL
    assert settings.is_offline


def test_an_empty_environment_gives_no_api_base_or_key_and_the_topologys_task_queue() -> None:
    settings = OrchestratorSettings.from_env({})

    assert (settings.api_base, settings.api_key) == (None, None)
    assert settings.task_queue == load_topology().orchestrator.task_queue
    assert settings.llm_timeout_seconds > 0


def test_every_setting_is_read_from_its_variable() -> None:
    settings = OrchestratorSettings.from_env(ONLINE)

    assert settings.model == "openai/gpt-4o-mini"
    assert settings.api_base == "https://llm.example.com/v1"
    assert settings.api_key is not None and settings.api_key.get_secret_value() == "sk-very-secret-key"
    assert settings.llm_timeout_seconds == 12.5
    assert settings.task_queue == "agents-eu"


def test_another_model_is_not_offline() -> None:
    assert not OrchestratorSettings.from_env({"AGENT_MODEL": "openai/gpt-4o-mini"}).is_offline


def test_an_empty_variable_counts_as_unset() -> None:
    settings = OrchestratorSettings.from_env({"AGENT_MODEL": "", "AGENT_LLM_TIMEOUT": ""})

    assert settings == OrchestratorSettings.from_env({})


@pytest.mark.parametrize("value", ["soon", "0", "-5", "nan"])
def test_a_bad_llm_timeout_is_a_settings_error_naming_the_variable(value: str) -> None:
    with pytest.raises(SettingsError, match="AGENT_LLM_TIMEOUT"):
        OrchestratorSettings.from_env({"AGENT_LLM_TIMEOUT": value})


def test_the_api_key_does_not_show_when_the_settings_are_printed() -> None:
    settings = OrchestratorSettings.from_env(ONLINE)

    assert "sk-very-secret-key" not in repr(settings)
    assert "sk-very-secret-key" not in str(settings)
    assert "sk-very-secret-key" not in settings.model_dump_json()


def test_the_api_key_does_not_show_in_a_settings_error() -> None:
    with pytest.raises(SettingsError) as raised:
        OrchestratorSettings.from_env({**ONLINE, "AGENT_LLM_TIMEOUT": "soon"})

    assert "sk-very-secret-key" not in str(raised.value)


def test_settings_cannot_be_changed_once_read() -> None:
    settings = OrchestratorSettings.from_env({})

    with pytest.raises(ValueError, match="frozen"):
        settings.model = "openai/gpt-4o-mini"


def test_there_are_no_fallback_models_unless_listed() -> None:
    settings = OrchestratorSettings.from_env(ONLINE)

    assert settings.fallback_models == ()
    assert settings.models == ("openai/gpt-4o-mini",)


def test_fallback_models_follow_the_model_in_the_order_listed() -> None:
    settings = OrchestratorSettings.from_env(
        {**ONLINE, "AGENT_FALLBACK_MODELS": "anthropic/claude-3-5-haiku-latest, offline/planner"}
    )

    assert settings.models == ("openai/gpt-4o-mini", "anthropic/claude-3-5-haiku-latest", "offline/planner")
    assert settings.is_offline, "litellm must know the offline model when it is a fallback"


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("openai/gpt-4o,,offline/planner", "'' is not a litellm model id"),
        ("openai/gpt 4o", "'openai/gpt 4o' is not a litellm model id"),
        ("openai/gpt-4o-mini", "'openai/gpt-4o-mini' is listed twice"),
        ("offline/planner,offline/planner", "'offline/planner' is listed twice"),
    ],
    ids=["empty", "space", "the-model-again", "twice"],
)
def test_a_bad_fallback_list_is_a_settings_error_naming_the_variable_and_the_model(
    value: str, problem: str
) -> None:
    with pytest.raises(SettingsError, match=f"AGENT_FALLBACK_MODELS: {problem}"):
        OrchestratorSettings.from_env({**ONLINE, "AGENT_FALLBACK_MODELS": value})


def test_the_context_window_is_litellms_unless_agent_context_tokens_says() -> None:
    assert OrchestratorSettings.from_env({}).context_tokens is None
    assert OrchestratorSettings.from_env({"AGENT_CONTEXT_TOKENS": "2000"}).context_tokens == 2_000


@pytest.mark.parametrize("value", ["big", "999", "200000"])
def test_a_bad_context_window_is_a_settings_error_naming_the_variable(value: str) -> None:
    with pytest.raises(SettingsError, match="AGENT_CONTEXT_TOKENS"):
        OrchestratorSettings.from_env({"AGENT_CONTEXT_TOKENS": value})


def test_the_worker_role_is_all_unless_set() -> None:
    assert OrchestratorSettings.from_env({}).worker_role == "all"
    assert (
        OrchestratorSettings.from_env({"ORCHESTRATOR_WORKER_ROLE": "activities"}).worker_role == "activities"
    )


def test_the_earlier_name_of_the_activities_role_still_names_it() -> None:
    assert OrchestratorSettings.from_env({"ORCHESTRATOR_WORKER_ROLE": "llm"}).worker_role == "activities"


def test_an_unknown_worker_role_is_a_settings_error_naming_the_variable_and_the_roles() -> None:
    with pytest.raises(SettingsError, match=r"ORCHESTRATOR_WORKER_ROLE.*'all', 'workflows' or 'activities'"):
        OrchestratorSettings.from_env({"ORCHESTRATOR_WORKER_ROLE": "model"})


def test_the_openai_client_is_litellm_unless_told() -> None:
    assert OrchestratorSettings.from_env({}).openai_client == "litellm"
    assert OrchestratorSettings.from_env({"AGENT_OPENAI_CLIENT": "openai-sdk"}).openai_client == "openai-sdk"


def test_an_unknown_openai_client_is_a_settings_error_naming_the_variable() -> None:
    with pytest.raises(SettingsError, match="AGENT_OPENAI_CLIENT") as raised:
        OrchestratorSettings.from_env({"AGENT_OPENAI_CLIENT": "httpx"})

    assert "'litellm'" in str(raised.value) and "'openai-sdk'" in str(raised.value)
