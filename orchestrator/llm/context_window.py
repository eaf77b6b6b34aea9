"""What of a chat the model is sent, counted in tokens: when older turns are summarised, where the history is
cut for it, and what the summary replaces. Free of litellm (the workflow imports it): the LLM activities count
the tokens with litellm's tokenizer, and this module decides with their counts.

Every limit is a share of the model's window ``W`` (its input tokens: ``AGENT_CONTEXT_TOKENS``, else litellm's
model data) or of its room ``R``, what ``W`` leaves after the instructions and the tools' schemas:

- a request past ``TRIGGER_SHARE`` of ``W`` has the older turns summarised before the next model call;
- the summary and the messages kept after it take at most ``KEPT_SHARE`` of ``R`` (the latest turn at least);
- one tool result takes at most ``RESULT_SHARE`` of ``R`` (``tool_results.cut_to_tokens``).

A cut falls only before a user message or an assistant message, so an assistant's tool calls and their results
are summarised, or kept, together. A cut inside the latest turn keeps that turn's question after the summary.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, Field

from orchestrator.models import ChatMessage

TRIGGER_SHARE = 0.75
KEPT_SHARE = 0.4
SUMMARY_SHARE = 0.15
SUMMARY_MAX_TOKENS = 1_000
"""However large the window, a summary this long says enough, and a chat's state stays small."""
RESULT_SHARE = 0.2
MIN_RESULT_TOKENS = 64
"""A result is never cut shorter than this: its note and a first glimpse must fit."""
ESTIMATED_CHARS_PER_TOKEN = 3
"""The workflow's estimate of messages no activity has counted yet; low, so that it errs towards asking."""

SUMMARY_HEADING = "Summary of the earlier conversation (it replaces the older messages):"
"""How the summary message starts: a system message at the head of the history."""
USER, ASSISTANT, CALLED, RESULT, EARLIER = (
    "user: ",
    "assistant: ",
    "assistant called ",
    "tool result: ",
    "summary: ",
)
"""How ``rendered`` starts each message's first line; its further lines are indented by ``CONTINUED``."""
CONTINUED = "  "


class ContextCount(BaseModel):
    """The tokens of the model's latest request, as an LLM activity counted them."""

    tokens: int = Field(ge=0, description="Tokens of the request: instructions, tools and history.")
    window: int = Field(gt=0, description="The model's window, in input tokens, as the worker sees it.")
    messages: int = Field(ge=0, description="How many messages of the chat's history that request held.")

    def wants_summary(self, history: Sequence[ChatMessage]) -> bool:
        """Whether the next request (this one and the messages added since, estimated) passes the trigger."""
        added = sum(estimated_tokens(message) for message in history[self.messages :])
        return over_trigger(self.tokens + added, self.window)


def over_trigger(tokens: int, window: int) -> bool:
    return tokens > TRIGGER_SHARE * window


def estimated_tokens(message: ChatMessage) -> int:
    text = (message.content or "") + "".join(call.name + call.arguments for call in message.tool_calls)
    return 4 + len(text) // ESTIMATED_CHARS_PER_TOKEN


def room(window: int, fixed: int) -> int:
    """What the window leaves for the history after the ``fixed`` tokens (instructions and tools)."""
    return max(0, window - fixed)


def summary_tokens(window: int, fixed: int) -> int:
    """How long a summary may be."""
    return max(32, min(SUMMARY_MAX_TOKENS, int(SUMMARY_SHARE * room(window, fixed))))


def kept_tokens(window: int, fixed: int) -> int:
    """How many tokens of the latest messages a summary keeps after it."""
    return max(0, int(KEPT_SHARE * room(window, fixed)) - summary_tokens(window, fixed))


def result_tokens(window: int, fixed: int) -> int:
    """How many tokens one tool result may take in a request."""
    return max(MIN_RESULT_TOKENS, int(RESULT_SHARE * room(window, fixed)))


def is_summary(message: ChatMessage) -> bool:
    return message.role == "system" and (message.content or "").startswith(SUMMARY_HEADING)


def summary_message(summary: str) -> ChatMessage:
    return ChatMessage(role="system", content=f"{SUMMARY_HEADING}\n{summary.strip()}")


def cut_for_summary(history: Sequence[ChatMessage], sizes: Sequence[int], budget: int) -> int:
    """Where the messages to summarise end (those before are summarised, the rest kept): the earliest cut that
    keeps at most ``budget`` tokens (``sizes``: each message's), else the latest one; 0 when nothing can be
    summarised (the history is one turn's question and what followed it, or a summary and that)."""
    cuts = [index for index in range(1, len(history)) if _removes_something(history, index)]
    for index in cuts:
        if _kept_size(history, sizes, index) <= budget:
            return index
    return cuts[-1] if cuts else 0


def to_summarise(history: Sequence[ChatMessage], cut: int) -> list[ChatMessage]:
    """The messages a summary replaces at ``cut``: those before it, less the question ``summarized`` keeps."""
    kept_question = _question_before(history, cut) if history[cut:] and history[cut].role != "user" else None
    return [message for index, message in enumerate(history[:cut]) if index != kept_question]


def summarized(history: Sequence[ChatMessage], cut: int, summary: str) -> list[ChatMessage]:
    """The history once ``summary`` replaces the messages before ``cut``: the summary, then (for a cut inside
    a turn) that turn's question, then the messages from ``cut`` on."""
    kept = list(history[cut:])
    if kept and kept[0].role != "user" and (question := _question_before(history, cut)) is not None:
        kept = [history[question], *kept]
    return [summary_message(summary), *kept]


def rendered(messages: Sequence[ChatMessage]) -> str:
    """``messages`` as plain text for a model to summarise: one entry a message, its first line saying whose
    (``user: ``, ``assistant: ``, ``assistant called tool({...})``, ``tool result: ``, ``summary: ``), its
    further lines indented. Any model reads it: no provider's tool-call format is needed."""
    lines: list[str] = []
    for message in messages:
        if is_summary(message):
            entries = [EARLIER + (message.content or "").removeprefix(SUMMARY_HEADING).strip()]
        elif message.role == "tool":
            entries = [RESULT + (message.content or "")]
        else:
            prefix = USER if message.role == "user" else ASSISTANT
            entries = [prefix + message.content] if message.content else []
            entries += [f"{CALLED}{call.name}({call.arguments})" for call in message.tool_calls]
        for entry in entries:
            first, *further = entry.splitlines() or [""]
            lines += [first, *(CONTINUED + line for line in further)]
    return "\n".join(lines)


def _kept_size(history: Sequence[ChatMessage], sizes: Sequence[int], cut: int) -> int:
    size = sum(sizes[cut:])
    if history[cut].role != "user" and (question := _question_before(history, cut)) is not None:
        size += sizes[question]
    return size


def _removes_something(history: Sequence[ChatMessage], cut: int) -> bool:
    """Whether ``cut`` may end the messages to summarise: it falls before a user or assistant message (never
    between a call and its results), and what it summarises is more than an earlier summary and the
    question it keeps anyway."""
    if history[cut].role not in ("user", "assistant"):
        return False
    kept_question = _question_before(history, cut) if history[cut].role != "user" else None
    return any(
        not is_summary(message) and index != kept_question for index, message in enumerate(history[:cut])
    )


def _question_before(history: Sequence[ChatMessage], cut: int) -> int | None:
    return next((index for index in range(cut - 1, -1, -1) if history[index].role == "user"), None)
