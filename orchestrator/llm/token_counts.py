"""Tokens, as the LLM activities count them with litellm: the model's window (``AGENT_CONTEXT_TOKENS``, else
litellm's model data, else a default), a request's tokens, and a request's tool results cut to their share
of the window (``context_window.result_tokens``) before the model is sent them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache, lru_cache
from typing import Any

import litellm
from litellm.utils import huggingface_tokenizer_kind

from orchestrator.llm.context_window import result_tokens
from orchestrator.models import ChatMessage, FunctionTool
from orchestrator.tool_results import cut_to_tokens

DEFAULT_CONTEXT_TOKENS = 8_192
"""The window of a model litellm has no data for (the offline model, a local server): a small model's."""
REPLY_PRIMING_TOKENS = 3
"""What litellm's count adds once per request for the start of the reply: in two counts, taken off once."""
LARGEST_DEFAULT_WINDOW = 32_000
"""The most of a larger model's window a chat uses unless ``AGENT_CONTEXT_TOKENS`` says more: every request
is an activity input in the chat's history (a request of 24k tokens is some 100 KB), and costs by its size."""


@cache
def model_window(model: str, configured: int | None = None) -> int:
    """The input tokens a chat with ``model`` uses: ``configured`` when set, else litellm's
    ``max_input_tokens`` for it, at most ``LARGEST_DEFAULT_WINDOW``, else ``DEFAULT_CONTEXT_TOKENS``."""
    if configured is not None:
        return configured
    try:
        info = litellm.get_model_info(model)
    except Exception:  # litellm raises for a model it has no data for
        return DEFAULT_CONTEXT_TOKENS
    known = info.get("max_input_tokens") or info.get("max_tokens")
    return min(int(known), LARGEST_DEFAULT_WINDOW) if known else DEFAULT_CONTEXT_TOKENS


def load_tokenizers(models: Sequence[str]) -> None:
    """Load now the tokenizers of ``models`` that litellm has with it (tiktoken's encodings, Anthropic's): a
    process's first count loads its model's (0.12-0.28 s here), and a worker's first call may be the retry of
    one its predecessor lost. A tokenizer litellm would fetch from the Hugging Face Hub (Llama's, Cohere's) is
    left to the first call that needs it: a worker needs no internet to start."""
    for model in models:
        if huggingface_tokenizer_kind(model) in (None, "anthropic"):
            TokenCounter(model).request([ChatMessage(role="user", content="")])


class TokenCounter:
    """litellm's token counts for one model."""

    def __init__(self, model: str) -> None:
        self.model = model

    def request(self, messages: Sequence[ChatMessage], tools: Sequence[FunctionTool] = ()) -> int:
        """The tokens of a request of ``messages`` with ``tools``."""
        schemas: Any = [tool.to_litellm() for tool in tools] or None
        return int(
            litellm.token_counter(
                model=self.model, messages=[message.to_litellm() for message in messages], tools=schemas
            )
        )

    def fixed(self, instructions: Sequence[ChatMessage], tools: Sequence[FunctionTool]) -> int:
        """The tokens of a request of the ``instructions`` and ``tools`` alone: what every request of a chat
        spends before its history. The same for every call of a chat, so counted once per process."""
        request = [[message.to_litellm() for message in instructions], [tool.to_litellm() for tool in tools]]
        return _counted_once(self.model, json.dumps(request))

    def total(self, fixed: int, history: Sequence[ChatMessage]) -> int:
        """The tokens of a request of the instructions and tools that count ``fixed`` (``fixed``), then
        ``history``: what ``request`` counts for the whole, without counting the tools again."""
        if not history:
            return fixed
        return fixed + self.request(history) - REPLY_PRIMING_TOKENS

    def messages(self, messages: Sequence[ChatMessage]) -> list[int]:
        """The tokens of each message alone."""
        return [self.request([message]) for message in messages]

    def fitted(self, messages: Sequence[ChatMessage], window: int, fixed: int) -> list[ChatMessage]:
        """``messages`` with each tool result cut to the tokens one may take of ``window`` once ``fixed``
        tokens (instructions and tools) are spent, with a note."""
        limit = result_tokens(window, fixed)
        return [
            message.model_copy(
                update={"content": cut_to_tokens(message.content, limit, self._encode, self._decode)}
            )
            if message.role == "tool" and message.content
            else message
            for message in messages
        ]

    def shortened(self, messages: Sequence[ChatMessage], limit: int) -> list[ChatMessage]:
        """``messages`` with every text over ``limit`` tokens cut to its first ones, with a note (what a
        summarising call is sent: one huge answer must not take the window)."""
        return [
            message.model_copy(update={"content": self.cut(message.content, limit, note=True)})
            if message.content
            else message
            for message in messages
        ]

    def cut(self, text: str, limit: int, note: bool = False) -> str:
        """``text``'s first ``limit`` tokens; with ``note``, followed by how many it had."""
        tokens = self._encode(text)
        if len(tokens) <= limit:
            return text
        return self._decode(tokens[:limit]) + (f" [cut: it had {len(tokens)} tokens]" if note else "")

    def _encode(self, text: str) -> list[int]:
        return list(litellm.encode(model=self.model, text=text))

    def _decode(self, tokens: Sequence[int]) -> str:
        return str(litellm.decode(model=self.model, tokens=list(tokens)))


@lru_cache(maxsize=1024)
def _counted_once(model: str, request: str) -> int:
    """``TokenCounter.fixed`` of a request written as JSON (so that it can be the cache's key)."""
    instructions, tools = json.loads(request)
    return int(litellm.token_counter(model=model, messages=instructions, tools=tools or None))


def usage_of(response: Any) -> tuple[int, int]:
    """The prompt and completion tokens a litellm response reports (0 for what it leaves out)."""
    usage = getattr(response, "usage", None)
    return int(getattr(usage, "prompt_tokens", 0) or 0), int(getattr(usage, "completion_tokens", 0) or 0)
