"""Typed models at the agent's boundaries: its workflow input, the chat update, the transcript, and what
travels between the workflow and the LLM activity."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from shared.payload_limits import PAYLOAD_LIMIT_BYTES, byte_size

MAX_MESSAGE_CHARS = 32_000


class AgentInput(BaseModel):
    """Workflow input. Every field is optional, so ``{}`` starts a chat with the defaults."""

    model_config = ConfigDict(extra="forbid")

    system_prompt: str | None = Field(default=None, description="Replaces the default instructions.")
    max_steps: int = Field(default=8, ge=1, le=50, description="LLM calls allowed in one turn.")
    tool_timeout_seconds: float = Field(
        default=60.0,
        gt=0,
        le=3600,
        description="How long one remote tool call may take, retries included. A call that times out may still "
        "finish in the team's namespace (its effect made once, by its idempotency key): keep this above the "
        "tools' retry budget (45 s by default).",
    )
    token: str | None = Field(
        default=None,
        repr=False,
        description="The person starting the chat's signed token; required when the orchestrator trusts an issuer. Encrypted "
        "with the chat's other payloads, never logged, never carried into a continued run.",
    )
    catalog_max_age_seconds: float | None = Field(
        default=600.0,
        gt=0,
        description="At a turn's start, find every team's tools again when they were found longer ago than "
        "this (None: only on the `refresh_tools` signal).",
    )
    max_tokens_per_chat: int | None = Field(
        default=None,
        ge=1,
        description="Tokens the chat's model calls may use in all (prompt and completion, as the provider "
        "counts them); once they are spent every message is answered with a note saying so, without calling "
        "the model (None: no limit).",
    )
    max_cost_per_chat: float | None = Field(
        default=None,
        gt=0,
        description="US dollars the chat's model calls may cost in all (litellm's prices; a model it has no "
        "price for, such as the offline one, costs 0); once spent, as `max_tokens_per_chat` (None: no limit).",
    )


class UserMessage(BaseModel):
    """Input of the ``send_message`` update."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="What the user says.")
    sender: str | None = Field(
        default=None,
        max_length=200,
        description="Who says it; shown as who asked when a tool call waits for approval.",
    )
    token: str | None = Field(
        default=None,
        repr=False,
        description="The sender's signed token; required when the orchestrator trusts an issuer. Encrypted "
        "with the chat's other payloads, never logged, never carried into a continued run.",
    )

    def problem(self) -> str | None:
        """Why the agent can't take this message, or None."""
        if not self.text.strip():
            return "The message is empty; say something."
        if len(self.text) > MAX_MESSAGE_CHARS:
            return f"The message has {len(self.text)} characters; the limit is {MAX_MESSAGE_CHARS}."
        return None


class ToolCallRecord(BaseModel):
    """One tool call the agent made while answering, as the user sees it."""

    tool: str = Field(description="Tool name within its service, e.g. `stock_price`.")
    service: str = Field(description="Who ran it: a team name (`it`, `finance`) or `local`.")
    arguments: dict[str, JsonValue] = Field(description="Arguments the model gave (empty if unreadable).")
    ok: bool = Field(description="Whether the tool returned a result.")
    result: dict[str, JsonValue] | None = Field(default=None, description="The tool's result, when ok.")
    error: str | None = Field(default=None, description="Why the call failed, when not ok.")
    note: str | None = Field(
        default=None, description="Anything else worth knowing, e.g. a result cut short."
    )
    call_id: str | None = Field(default=None, description="The call's id within the chat.")
    duration_ms: float | None = Field(
        default=None, description="From the model's asking to the outcome, approval wait included."
    )
    approval: ApprovalRecord | None = Field(
        default=None, description="The decision on a call that needed a person's yes: the audit trail."
    )


# --- Approval -------------------------------------------------------------------------------------------


class PendingApproval(BaseModel):
    """A tool call waiting for a person's decision (the ``pending_approvals`` query lists these)."""

    call_id: str = Field(description="Name it in `decide_tool_call`.")
    service: str = Field(description="The team that runs the tool, or `local`.")
    tool: str
    arguments: dict[str, JsonValue] = Field(description="Exactly what the tool will run with.")
    digest: str = Field(description="Of service, tool and arguments: a decision must quote it.")
    requested_by: str = Field(description="Who sent the message the call answers.")
    requested_at: datetime
    expires_at: datetime = Field(description="No decision by then counts as denied.")


class ToolCallDecision(BaseModel):
    """Input of the ``decide_tool_call`` update."""

    model_config = ConfigDict(extra="forbid")

    call_id: str
    digest: str = Field(description="The digest of the pending approval: a decision is for what was shown.")
    approve: bool
    approver: str = Field(min_length=1, max_length=200, description="Who decides.")
    reason: str = Field(default="", max_length=2_000, description="Why; the model reads it on a denial.")
    token: str | None = Field(
        default=None,
        repr=False,
        description="The approver's signed token; required when the orchestrator trusts an issuer. Encrypted "
        "with the chat's other payloads, never logged, never carried into a continued run.",
    )


class ApprovalRecord(BaseModel):
    """How a call that needed approval was decided: who, when, on what, why."""

    outcome: Literal["approved", "denied", "expired"]
    digest: str
    requested_by: str
    requested_at: datetime
    decided_at: datetime
    approver: str | None = Field(default=None, description="None when no one decided (in time, or at all).")
    reason: str | None = None
    approver_identity: str | None = Field(
        default=None,
        description="Who decided, as verified: the token's subject, or `local-developer` when no issuer is "
        "configured (then `approver` is only the name they gave).",
    )


# --- Live progress --------------------------------------------------------------------------------------


class RunningTool(BaseModel):
    """A tool call in flight."""

    call_id: str
    service: str
    tool: str
    started_at: datetime


class Progress(BaseModel):
    """What the agent is doing right now (the ``progress`` query: no history event per look)."""

    state: Literal["idle", "discovering", "calling_model", "running_tools"] = "idle"
    step: int | None = Field(default=None, description="Model call of the current turn, from 1.")
    since: datetime | None = Field(default=None, description="When the current state began.")
    running: list[RunningTool] = Field(default_factory=list)
    pending_approvals: list[PendingApproval] = Field(default_factory=list)


class AgentReply(BaseModel):
    """Output of the ``send_message`` update."""

    text: str = Field(description="The agent's answer.")
    tool_calls: list[ToolCallRecord] = Field(default_factory=list, description="Tools used for it, in order.")
    unavailable_services: list[str] = Field(
        default_factory=list, description="Tool services whose tools could not be discovered (yet)."
    )
    model: str | None = Field(
        default=None,
        description="The model that wrote the answer (its litellm id: `AGENT_MODEL`, or the fallback that "
        "answered when it failed); None when no model answered.",
    )

    def fitted(self, limit: int = PAYLOAD_LIMIT_BYTES // 2) -> AgentReply:
        """This reply, or, when its JSON is over ``limit`` bytes (too large for a payload, with room to
        spare), the same with its tool calls' arguments and results left out, each call saying so."""
        size = byte_size(self.model_dump_json())
        if size <= limit:
            return self
        note = f"[cut: the reply was {size} bytes; this call's arguments and result were left out]"
        calls = [
            call.model_copy(update={"arguments": {}, "result": None, "note": note})
            for call in self.tool_calls
        ]
        return self.model_copy(update={"tool_calls": calls})


class TranscriptEntry(BaseModel):
    """One exchange of the conversation."""

    user: str
    reply: AgentReply
    started_at: datetime | None = Field(default=None, description="When the message came in.")
    duration_ms: float | None = Field(
        default=None, description="From the message coming in to the reply, approval waits included."
    )
    tokens: int | None = Field(
        default=None, description="Tokens the turn's model calls used (None in chats from before counting)."
    )
    cost_usd: float | None = Field(
        default=None, description="What the turn's model calls cost, in US dollars (0 for an unpriced model)."
    )


class Transcript(BaseModel):
    """Result of the ``transcript`` query, and of the workflow when the chat ends."""

    entries: list[TranscriptEntry] = Field(default_factory=list, description="The turns, oldest first.")
    earlier_turns: int = Field(
        default=0, description="Turns older than `entries`, dropped when a long chat continued as new."
    )
    ended: bool = False
    tokens_used: int = Field(
        default=0,
        description="Tokens every model call of the chat used, earlier turns and summaries included.",
    )
    cost_usd: float = Field(
        default=0.0, description="What every model call of the chat cost, in US dollars (litellm's prices)."
    )


# --- Between the workflow and the LLM activity --------------------------------------------------------


class ModelToolCall(BaseModel):
    """A tool call the model asked for. ``arguments`` is the raw JSON text, which may be malformed."""

    id: str
    name: str
    arguments: str


class ChatMessage(BaseModel):
    """One message of the model conversation, in the provider-neutral OpenAI shape litellm accepts."""

    model_config = ConfigDict(extra="forbid")

    role: Literal["system", "user", "assistant", "tool"]
    content: str | None = None
    tool_calls: list[ModelToolCall] = Field(default_factory=list)
    tool_call_id: str | None = None

    def to_litellm(self) -> dict[str, Any]:
        message: dict[str, Any] = {"role": self.role, "content": self.content}
        if self.tool_calls:
            message["tool_calls"] = [
                {
                    "id": call.id,
                    "type": "function",
                    "function": {"name": call.name, "arguments": call.arguments},
                }
                for call in self.tool_calls
            ]
        if self.tool_call_id is not None:
            message["tool_call_id"] = self.tool_call_id
        return message


class FunctionTool(BaseModel):
    """A tool as the model sees it (OpenAI function-calling shape)."""

    name: str
    description: str
    parameters: dict[str, Any]

    def to_litellm(self) -> dict[str, Any]:
        return {
            "type": "function",
            "function": {"name": self.name, "description": self.description, "parameters": self.parameters},
        }


class LlmRequest(BaseModel):
    """Input of the LLM activity."""

    messages: list[ChatMessage]
    tools: list[FunctionTool]
    model_choice: int = Field(
        default=0,
        ge=0,
        description="Which model of the worker's list to ask: 0 for `AGENT_MODEL`, 1 for the first of "
        "`AGENT_FALLBACK_MODELS`, and so on.",
    )


class TokenUsage(BaseModel):
    """Tokens of one model call, as the provider reports them."""

    prompt_tokens: int = Field(default=0, ge=0)
    completion_tokens: int = Field(default=0, ge=0)

    @property
    def total(self) -> int:
        return self.prompt_tokens + self.completion_tokens


class LlmResponse(BaseModel):
    """What the model answered: text, tool calls, or both. Provider-specific fields are dropped."""

    content: str | None = None
    tool_calls: list[ModelToolCall] = Field(default_factory=list)
    model: str = Field(
        description="The model that answered: its litellm id, as the worker's settings name it."
    )
    request_tokens: int | None = Field(
        default=None,
        description="Tokens of the request as sent, by litellm's counter (None before counting).",
    )
    context_window: int | None = Field(
        default=None, description="The model's window in input tokens, as the worker sees it."
    )
    usage: TokenUsage | None = Field(default=None, description="What the call used, as the provider says.")
    cost_usd: float | None = Field(
        default=None, description="What the call cost (litellm's price list; 0 for an unpriced model)."
    )


class HistorySummary(BaseModel):
    """Output of the ``summarize_history`` activity: the summary that replaces the older messages of a chat's
    history, or nothing when the request still fits (``summary`` None)."""

    summary: str | None = Field(default=None, description="The summary; None: keep the history as it is.")
    replaced: int = Field(
        default=0, ge=0, description="How many of the history's first messages it replaces."
    )
    request_tokens: int = Field(ge=0, description="Tokens of the request once the summary replaces them.")
    context_window: int = Field(gt=0, description="The model's window in input tokens.")
    usage: TokenUsage | None = Field(default=None, description="What the summarising call used.")
    cost_usd: float = Field(default=0.0, description="What the summarising call cost.")
