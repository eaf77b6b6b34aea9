"""A chat's budgets of tokens and cost: totals of its model calls, and the answer once one is spent."""

from __future__ import annotations

from orchestrator.chat_budget import Spending, charge, spent
from orchestrator.models import AgentInput, LlmResponse, TokenUsage, Transcript


def call(prompt: int, completion: int, cost: float | None = None) -> LlmResponse:
    return LlmResponse(
        content="hi",
        model="m",
        usage=TokenUsage(prompt_tokens=prompt, completion_tokens=completion),
        cost_usd=cost,
    )


def test_every_call_adds_to_the_chat_and_to_its_turn() -> None:
    transcript, turn = Transcript(tokens_used=100, cost_usd=0.5), Spending()

    charge(transcript, turn, call(30, 10, 0.25))
    charge(transcript, turn, call(5, 5))

    assert (transcript.tokens_used, transcript.cost_usd) == (150, 0.75)
    assert (turn.tokens, turn.cost_usd) == (50, 0.25)


def test_a_chat_without_budgets_is_never_spent() -> None:
    assert spent(Transcript(tokens_used=10**9, cost_usd=10**6), AgentInput()) is None


def test_a_chat_under_its_budgets_is_not_spent() -> None:
    limits = AgentInput(max_tokens_per_chat=1_000, max_cost_per_chat=1.0)

    assert spent(Transcript(tokens_used=999, cost_usd=0.99), limits) is None


def test_a_spent_token_budget_says_so_and_what_to_do() -> None:
    message = spent(Transcript(tokens_used=1_200), AgentInput(max_tokens_per_chat=1_000))

    assert message is not None
    assert "budget of 1,000 tokens (1,200 used)" in message
    assert "Start a new chat" in message


def test_a_spent_cost_budget_says_so_and_what_to_do() -> None:
    message = spent(Transcript(cost_usd=0.02), AgentInput(max_cost_per_chat=0.01))

    assert message is not None
    assert "budget of $0.0100 ($0.0200 spent)" in message
    assert "Start a new chat" in message
