"""The orchestrator's settings, read once from the environment when its worker starts.

Provider credentials stay in the provider's usual variables (``OPENAI_API_KEY``, ``ANTHROPIC_API_KEY``...),
which litellm reads itself; they never enter a workflow's input or history.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from orchestrator.approvals import ApprovalPolicy
from orchestrator.llm.names import OFFLINE_MODEL
from shared.contract import DEFAULT_APPROVAL_TIMEOUT_SECONDS
from shared.failures import validation_problems
from shared.process import SettingsProblem
from shared.topology import load_topology

MODEL_ID = re.compile(r"[\w.:@+-]+(/[\w.:@+-]+)*")
"""What a litellm model id looks like: ``gpt-4o``, ``openai/gpt-4o-mini``, ``bedrock/anthropic.claude-v2:1``."""

TASK_QUEUE_VARIABLE = "ORCHESTRATOR_TASK_QUEUE"
"""The variable naming the task queue the worker polls (a second orchestrator, with another model, say)."""
ROLE_VARIABLE = "ORCHESTRATOR_WORKER_ROLE"
"""The variable naming what a worker process runs: ``all``, ``workflows`` or ``activities`` (``WorkerRole``)."""

WorkerRole = Literal["all", "workflows", "activities"]
"""What one orchestrator worker process runs: ``workflows``, the chats' workflows; ``activities``, every
activity of the chats (their model calls, tools and short steps); ``all``, both, and then the model calls a
chat schedules start at once in the process that runs it."""
OpenAiClient = Literal["litellm", "openai-sdk"]
"""What sends an OpenAI-compatible model's requests: litellm's own HTTP handler, or the OpenAI SDK."""
OLD_ROLE_NAMES = {"llm": "activities"}
"""Roles by the names an earlier version gave them (its ``llm`` process made the model calls)."""


class SettingsError(SettingsProblem):
    """A setting in the environment is unusable; the message names it and says what it expects."""


class OrchestratorSettings(BaseModel):
    """Everything the orchestrator worker can be told through its environment."""

    model_config = ConfigDict(frozen=True)

    model: str = Field(
        default=OFFLINE_MODEL,
        description="AGENT_MODEL: any litellm model id (openai/gpt-4o-mini, anthropic/claude-...); "
        "default: the offline model.",
    )
    fallback_models: tuple[str, ...] = Field(
        default=(),
        description="AGENT_FALLBACK_MODELS: comma-separated litellm model ids that answer, in order, when "
        "the model before them keeps failing (its retries ran out) or is rate-limited; default: none.",
    )
    api_base: str | None = Field(
        default=None,
        description="AGENT_API_BASE: the provider's base URL, if not its default (for every model of the list).",
    )
    api_key: SecretStr | None = Field(
        default=None,
        description="AGENT_API_KEY: a key for AGENT_API_BASE (for every model of the list); else the "
        "provider's usual variable.",
    )
    llm_timeout_seconds: float = Field(
        default=60.0,
        gt=0,
        le=110,
        allow_inf_nan=False,
        description="AGENT_LLM_TIMEOUT: seconds one model call may take (at most 110: the activity allows 120).",
    )
    context_tokens: int | None = Field(
        default=None,
        ge=1_000,
        le=128_000,
        description="AGENT_CONTEXT_TOKENS: the input tokens a chat's requests may take (the model's window), for "
        "every model of the list; default: litellm's data for the model, at most 32,000, else 8,192 (the offline "
        "model, a local server); at most 128,000.",
    )
    openai_client: OpenAiClient = Field(
        default="litellm",
        description="AGENT_OPENAI_CLIENT: what sends the requests of OpenAI-compatible models: `litellm` "
        "(default: litellm's own HTTP handler, less than half the SDK's CPU per call) or `openai-sdk` "
        "(the OpenAI Python SDK, litellm's own default; it also sends OPENAI_ORGANIZATION and "
        "OPENAI_PROJECT_ID). It sets litellm's EXPERIMENTAL_OPENAI_BASE_LLM_HTTP_HANDLER in the worker.",
    )
    task_queue: str = Field(
        default_factory=lambda: load_topology().orchestrator.task_queue,
        description="ORCHESTRATOR_TASK_QUEUE: the task queue to poll (default from the topology).",
    )
    worker_role: WorkerRole = Field(
        default="all",
        description="ORCHESTRATOR_WORKER_ROLE: what this process runs: `all` (default: the chats' workflows and "
        "their activities, model calls among them), `workflows` (it never loads litellm, so it starts in a "
        "second) or `activities` (`llm` in an earlier version), to run them in processes of their own.",
    )
    approval_required: str = Field(
        default="",
        pattern=r"^[\w*?/\[\]!.-]*(,\s*[\w*?/\[\]!.-]+)*$",
        description="AGENT_APPROVAL_REQUIRED: comma-separated `team/tool` patterns (`finance/*`, "
        "`local/calculator`) whose calls need a person's yes, besides the tools their teams mark.",
    )
    approval_timeout_seconds: float = Field(
        default=DEFAULT_APPROVAL_TIMEOUT_SECONDS,
        gt=0,
        le=7 * 24 * 3600,
        allow_inf_nan=False,
        description="AGENT_APPROVAL_TIMEOUT: seconds a call gated by AGENT_APPROVAL_REQUIRED waits for a "
        "decision before it counts as denied.",
    )

    @field_validator("worker_role", mode="before")
    @classmethod
    def _current_role_name(cls, value: object) -> object:
        return OLD_ROLE_NAMES.get(value, value) if isinstance(value, str) else value

    @field_validator("fallback_models", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        return tuple(model.strip() for model in value.split(",")) if isinstance(value, str) else value

    @field_validator("fallback_models")
    @classmethod
    def _usable(cls, fallbacks: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        seen = {info.data.get("model")}
        for model in fallbacks:
            if not MODEL_ID.fullmatch(model):
                raise PydanticCustomError(
                    "model_id",
                    "{model} is not a litellm model id; list ids separated by commas, "
                    "e.g. openai/gpt-4o-mini,anthropic/claude-3-5-haiku-latest",
                    {"model": repr(model)},
                )
            if model in seen:
                raise PydanticCustomError(
                    "model_repeated", "{model} is listed twice (AGENT_MODEL included)", {"model": repr(model)}
                )
            seen.add(model)
        return fallbacks

    @property
    def models(self) -> tuple[str, ...]:
        """The models a call may ask, in order: ``AGENT_MODEL``, then ``AGENT_FALLBACK_MODELS``."""
        return (self.model, *self.fallback_models)

    def approval_policy(self) -> ApprovalPolicy:
        patterns = [pattern.strip() for pattern in self.approval_required.split(",") if pattern.strip()]
        return ApprovalPolicy(patterns=patterns, timeout_seconds=self.approval_timeout_seconds)

    @property
    def is_offline(self) -> bool:
        """Whether a model of the list is the offline one (litellm must then be told of it)."""
        return any(model.startswith(OFFLINE_MODEL.split("/")[0] + "/") for model in self.models)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> OrchestratorSettings:
        environ = os.environ if environ is None else environ
        variables = {
            "model": "AGENT_MODEL",
            "fallback_models": "AGENT_FALLBACK_MODELS",
            "api_base": "AGENT_API_BASE",
            "api_key": "AGENT_API_KEY",
            "llm_timeout_seconds": "AGENT_LLM_TIMEOUT",
            "context_tokens": "AGENT_CONTEXT_TOKENS",
            "openai_client": "AGENT_OPENAI_CLIENT",
            "task_queue": TASK_QUEUE_VARIABLE,
            "worker_role": ROLE_VARIABLE,
            "approval_required": "AGENT_APPROVAL_REQUIRED",
            "approval_timeout_seconds": "AGENT_APPROVAL_TIMEOUT",
        }
        values = {field: environ[variable] for field, variable in variables.items() if environ.get(variable)}
        try:
            return cls.model_validate(values)
        except ValidationError as error:
            problems = validation_problems(error, names=variables)
            raise SettingsError(f"Bad orchestrator setting: {problems}") from None
