"""What a long chat carries into its next run when it continues as new: enough to go on exactly where it
was (the model's recent messages, the discovered tools, the breakers), and little enough to stay small."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from orchestrator.catalog import CatalogEntry
from orchestrator.circuit_breaker import CircuitBreaker
from orchestrator.llm.context_window import ContextCount
from orchestrator.models import AgentInput, ChatMessage, Transcript
from shared.identity.identity import Identity


class ChatState(BaseModel):
    """A chat's state when it continues as new."""

    history: list[ChatMessage] = Field(description="The recent messages the model still sees.")
    transcript: Transcript = Field(description="The latest turns, and how many came before them.")
    catalog: list[CatalogEntry] = Field(description="Every tool discovered so far (discovery happens once).")
    unavailable: dict[str, str] = Field(description="Tool services still missing, with the reason.")
    breakers: dict[str, CircuitBreaker] = Field(description="Circuit breaker state per tool service.")
    withheld: dict[str, list[str]] = Field(
        default_factory=dict, description="Per tool service, the tools it withheld from the chat's owner."
    )
    owner: Identity | None = Field(
        default=None, description="Who started the chat, verified (None in chats from before identity)."
    )
    discovered_at: datetime | None = Field(
        default=None,
        description="When every team's tools were last found (None in chats from before refreshes).",
    )
    context: ContextCount | None = Field(
        default=None,
        description="The tokens of the model's latest request (None in chats from before counting, or before "
        "the first model call). The chat's token and cost totals are carried in `transcript`.",
    )


class AgentRunInput(AgentInput):
    """The workflow's input: what a client gives (``AgentInput``, or ``{}``), plus the state a long chat
    carries into its next run."""

    resume: ChatState | None = Field(
        default=None, description="Set only by the workflow itself; leave unset."
    )
