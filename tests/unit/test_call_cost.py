"""The price of a model call: litellm's own, read from the response it returned, never computed again."""

from __future__ import annotations

import litellm
import pytest

from orchestrator.llm.model_metrics import call_cost


def priced_response(model: str) -> litellm.ModelResponse:
    return litellm.completion(
        model=model, messages=[{"role": "user", "content": "hi"}], mock_response="hello"
    )


def test_a_priced_model_costs_what_litellm_priced_it() -> None:
    response = priced_response("openai/gpt-4o-mini")
    assert call_cost(response) == pytest.approx(response._hidden_params["response_cost"])
    assert call_cost(response) > 0


def test_a_model_litellm_has_no_price_for_costs_nothing_and_is_not_priced_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    response = priced_response("openai/a-model-without-a-price")
    assert response._hidden_params["response_cost"] is None

    pricings: list[object] = []

    def priced_again(**arguments: object) -> float:
        pricings.append(arguments)
        return 0.0

    monkeypatch.setattr(litellm, "completion_cost", priced_again)
    assert call_cost(response) == 0.0
    assert pricings == []
