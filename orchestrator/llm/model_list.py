"""The worker step ``llm_models``: the models a call may ask, in order, as the worker's settings list them
(``AGENT_MODEL``, then ``AGENT_FALLBACK_MODELS``). Free of litellm, so a worker that runs only the chats'
workflows serves it without loading a model SDK."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from temporalio import activity

from orchestrator.llm.names import LLM_MODELS


def llm_models_activity(models: Sequence[str]) -> Any:
    """The ``llm_models`` activity of a worker whose settings list ``models``: the workflow's
    ``model_choice`` is a position in that list."""
    listed = list(models)

    @activity.defn(name=LLM_MODELS)
    async def llm_models() -> list[str]:
        return listed

    return llm_models
