"""What the LLM activity returns and raises, run in ``ActivityEnvironment`` against the scripted
OpenAI-compatible server through litellm's real HTTP path: an answer too large to keep is cut with a note,
the answering model is named, a rate limit is handed to a fallback model at once when one follows, a request
no retry can fix is refused for good with the provider's reason (its words, whichever client read them), a
model slower than the timeout is left to Temporal's retries (sent once), no retry setting reaches the
provider. Each test runs with either client of
OpenAI-compatible models (``AGENT_OPENAI_CLIENT``), and the request is seen to come from the one named."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace

import litellm
import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from harness.llm_stub import LlmStub, completion, error
from orchestrator.llm.activity import LITELLM_OWN_HTTP_VARIABLE, LlmActivities, provider_reason
from orchestrator.llm.names import LLM_RATE_LIMITED, LLM_REJECTED
from orchestrator.models import ChatMessage, LlmRequest, LlmResponse
from orchestrator.settings import OrchestratorSettings
from shared.payload_limits import MAX_KEPT_BYTES

TWO_MB = 2 * 1024 * 1024
ASK = LlmRequest(messages=[ChatMessage(role="user", content="Tell me everything.")], tools=[])


@pytest.fixture(scope="module")
def stub() -> Iterator[LlmStub]:
    server = LlmStub().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["litellm", "openai-sdk"])
def client(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The client of OpenAI-compatible models. litellm's switch starts out saying the other one, so a test
    passes only if the setting wins (conftest puts the switch back after the test)."""
    monkeypatch.setenv(LITELLM_OWN_HTTP_VARIABLE, "true" if request.param == "openai-sdk" else "false")
    return str(request.param)


def activities(stub: LlmStub, client: str, fallbacks: str = "", timeout: float = 10) -> LlmActivities:
    environment = {
        **stub.model_settings(),
        "AGENT_FALLBACK_MODELS": fallbacks,
        "AGENT_LLM_TIMEOUT": str(timeout),
        "AGENT_OPENAI_CLIENT": client,
    }
    return LlmActivities(OrchestratorSettings.from_env(environment))


async def ask(llm: LlmActivities, request: LlmRequest = ASK) -> LlmResponse:
    return await ActivityEnvironment().run(llm.call_llm, request)


async def test_an_answer_of_2_mb_comes_back_cut_to_what_is_kept_with_a_note(
    stub: LlmStub, client: str
) -> None:
    stub.script(completion("x" * TWO_MB))

    response = await ask(activities(stub, client))

    assert response.content is not None
    assert response.content.endswith(f"\n[cut: the model's answer was {TWO_MB} bytes]")
    assert len(response.content.encode()) <= MAX_KEPT_BYTES


async def test_tool_call_arguments_of_2_mb_are_cut_with_a_note(stub: LlmStub, client: str) -> None:
    arguments = json.dumps({"text": "y" * TWO_MB})
    stub.script(completion(tool_calls=[("call_1", "it__create_ticket", arguments)]))

    response = await ask(activities(stub, client))

    (call,) = response.tool_calls
    assert call.name == "it__create_ticket"
    assert call.arguments.endswith(f"\n[cut: the arguments' JSON was {len(arguments)} bytes]")
    assert len(response.model_dump_json().encode()) <= MAX_KEPT_BYTES + 1_000


async def test_the_answer_names_the_model_of_the_list_that_gave_it(stub: LlmStub, client: str) -> None:
    stub.script(completion("Primary here."), completion("Fallback here."))
    llm = activities(stub, client, fallbacks="openai/fallback-model")

    primary = await ask(llm)
    fallback = await ask(llm, ASK.model_copy(update={"model_choice": 1}))

    assert (primary.model, fallback.model) == ("openai/stub-model", "openai/fallback-model")
    assert [request["model"] for request in stub.requests] == ["stub-model", "fallback-model"]


async def test_a_rate_limit_with_a_fallback_after_it_is_not_retried(stub: LlmStub, client: str) -> None:
    stub.script(error(429, "slow down"))

    with pytest.raises(ApplicationError) as raised:
        await ask(activities(stub, client, fallbacks="openai/fallback-model"))

    assert (raised.value.type, raised.value.non_retryable) == (LLM_RATE_LIMITED, True)
    assert raised.value.message.startswith("openai/stub-model: RateLimitError: ")


async def test_a_rate_limit_of_the_last_model_is_left_to_temporals_retries(
    stub: LlmStub, client: str
) -> None:
    stub.script(error(429, "slow down"), error(429, "slow down"))

    with pytest.raises(litellm.RateLimitError):
        await ask(activities(stub, client))
    with pytest.raises(litellm.RateLimitError):
        await ask(
            activities(stub, client, fallbacks="openai/fallback-model"),
            ASK.model_copy(update={"model_choice": 1}),
        )


async def test_a_choice_past_the_workers_list_is_refused_for_good(stub: LlmStub, client: str) -> None:
    with pytest.raises(ApplicationError) as raised:
        await ask(activities(stub, client), ASK.model_copy(update={"model_choice": 1}))

    assert (raised.value.type, raised.value.non_retryable) == (LLM_REJECTED, True)
    assert "no model number 2" in raised.value.message


async def test_the_request_is_sent_by_the_client_the_setting_names(stub: LlmStub, client: str) -> None:
    stub.script(completion("Hello."))

    response = await ask(activities(stub, client))

    assert response.content == "Hello."
    (user_agent,) = stub.user_agents
    assert user_agent.startswith({"litellm": "litellm/", "openai-sdk": "AsyncOpenAI/"}[client])


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (401, "Incorrect API key provided"),
        (400, "This model's maximum context length is 8192 tokens, your messages resulted in 9000 tokens"),
    ],
    ids=["authentication", "context-window"],
)
async def test_a_request_no_retry_can_fix_is_refused_for_good_with_the_providers_reason(
    stub: LlmStub, client: str, status: int, message: str
) -> None:
    stub.script(error(status, message))

    with pytest.raises(ApplicationError) as raised:
        await ask(activities(stub, client))

    assert (raised.value.type, raised.value.non_retryable) == (LLM_REJECTED, True)
    assert raised.value.message.endswith(f"OpenAIException - {message}"), "the provider's words, not its JSON"
    assert len(stub.requests) == 1


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('OpenAIException - {"error": {"message": "No such key"}}', "OpenAIException - No such key"),
        ('OpenAIException - {"message": "No such key"}', "OpenAIException - No such key"),
        (
            'OpenAIException - {"error": {"message": "cut sh',
            'OpenAIException - {"error": {"message": "cut sh',
        ),
        ('OpenAIException - {"error": "No such key"}', "OpenAIException - No such key"),
        (
            'Bad {name} - {"error": {"message": "No such key"}} (group x)',
            "Bad {name} - No such key (group x)",
        ),
        ('OpenAIException - {"error": {"message": ""}}', None),
        ('OpenAIException - {"error": {"code": 1}}', None),
        ("OpenAIException - No such key", None),
        ("X - " + '{"a": ' * 100_000 + "1" + "}" * 100_000, None),
    ],
    ids=[
        "openai-body",
        "flat-body",
        "cut-body",
        "error-words",
        "text-around",
        "empty",
        "no-message",
        "words",
        "deep",
    ],
)
def test_a_providers_error_body_is_read_for_its_message_and_anything_else_kept(
    text: str, reason: str | None
) -> None:
    """``reason`` None: the text is kept as it is."""
    assert provider_reason(Exception(text)) == (text if reason is None else reason)


async def test_a_model_slower_than_the_timeout_is_left_to_temporals_retries(
    stub: LlmStub, client: str
) -> None:
    stub.script(replace(completion("Too late."), delay_seconds=2.0))

    with pytest.raises(litellm.Timeout):
        await ask(activities(stub, client, timeout=0.5))
    assert len(stub.requests) == 1, "a timed-out request is not sent again within the attempt"


async def test_no_retry_setting_reaches_the_providers_request(stub: LlmStub, client: str) -> None:
    stub.script(completion("Hello."))

    await ask(activities(stub, client))

    (request,) = stub.requests
    assert not {"max_retries", "num_retries", "timeout"} & request.keys()
