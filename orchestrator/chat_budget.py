"""A chat's budgets of tokens and cost (``AgentInput.max_tokens_per_chat``, ``max_cost_per_chat``): what its
model calls have used, and what a message is answered once a budget is spent. Deterministic: the workflow
imports it."""

from __future__ import annotations

from dataclasses import dataclass

from orchestrator.models import AgentInput, HistorySummary, LlmResponse, Transcript


@dataclass
class Spending:
    """What one turn's model calls used."""

    tokens: int = 0
    cost_usd: float = 0.0


def spent(transcript: Transcript, limits: AgentInput) -> str | None:
    """What to answer instead of calling the model when a budget of ``limits`` is spent by what
    ``transcript`` counts; None while there is budget left."""
    advice = "Start a new chat to keep talking (it starts with a budget of its own)."
    tokens, dollars = limits.max_tokens_per_chat, limits.max_cost_per_chat
    if tokens is not None and transcript.tokens_used >= tokens:
        return (
            f"This chat has used its budget of {tokens:,} tokens ({transcript.tokens_used:,} used), so the "
            f"model was not asked. {advice}"
        )
    if dollars is not None and transcript.cost_usd >= dollars:
        return (
            f"This chat has spent its budget of ${dollars:,.4f} (${transcript.cost_usd:,.4f} spent), so the "
            f"model was not asked. {advice}"
        )
    return None


def charge(transcript: Transcript, turn: Spending, call: LlmResponse | HistorySummary) -> None:
    """Add what one model ``call`` used to the chat's totals and to its ``turn``'s."""
    tokens = call.usage.total if call.usage is not None else 0
    cost = call.cost_usd or 0.0
    transcript.tokens_used += tokens
    transcript.cost_usd += cost
    turn.tokens += tokens
    turn.cost_usd += cost
