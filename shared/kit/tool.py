"""A tool as a team declares it: name, description, argument model, async implementation, activity policy."""

from __future__ import annotations

import re
import typing
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from shared.contract import ApprovalRequirement, ToolSpec
from shared.kit.policy import ActivityPolicy

ArgsT = TypeVar("ArgsT", bound=BaseModel)
ResultT = TypeVar("ResultT", bound=BaseModel)

TOOL_NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,47}$")


@dataclass(frozen=True)
class Tool(Generic[ArgsT, ResultT]):
    """One tool. ``arguments`` is the pydantic model the caller's JSON must match; its field
    descriptions become the JSON Schema the model reads. The result model's schema (``result``, else the
    return annotation of ``run``) is advertised too, so a caller knows what each result field means."""

    name: str
    description: str
    arguments: type[ArgsT]
    run: Callable[[ArgsT], Awaitable[ResultT]]
    policy: ActivityPolicy = field(default_factory=ActivityPolicy)
    approval: ApprovalRequirement | None = None
    """Set for a tool that changes something: a person approves each call before it runs."""
    scopes: tuple[str, ...] = ()
    """What a caller must hold to see and call the tool (`finance:read`); checked when identity is on."""
    result: type[ResultT] | None = None
    """The result model, when ``run`` is not annotated with it."""

    def __post_init__(self) -> None:
        if not TOOL_NAME_PATTERN.match(self.name):
            raise ValueError(
                f"Tool name {self.name!r} must be lower_snake_case, start with a letter, at most 48 characters"
            )
        if not self.description.strip():
            raise ValueError(f"Tool {self.name!r} needs a description: the model picks tools by it")

    def spec(self) -> ToolSpec:
        """How the tool is advertised through ``list_tools`` (a copy of one made once: every ``list_tools``
        and every new chat's catalog asks for it, and making the JSON Schemas is most of the work)."""
        return self._spec.model_copy(deep=True)

    @cached_property
    def _spec(self) -> ToolSpec:
        return ToolSpec(
            name=self.name,
            description=self.description,
            input_schema=self.arguments.model_json_schema(),
            output_schema=output_schema(self.result or _returned_model(self.run)),
            approval=self.approval,
            scopes=list(self.scopes),
        )

    async def invoke(self, arguments: ArgsT) -> ResultT:
        """Run the implementation (the activity calls this)."""
        return await self.run(arguments)


def output_schema(model: type[BaseModel] | None) -> dict[str, Any] | None:
    """The JSON Schema of a result model (None without one)."""
    return model.model_json_schema() if model is not None else None


def _returned_model(run: Callable[..., Any]) -> type[BaseModel] | None:
    """The pydantic model ``run`` is annotated to return, if its annotation names one that can be resolved."""
    try:
        returned = typing.get_type_hints(run).get("return")
    except Exception:  # an annotation naming something out of reach: the tool simply advertises no schema
        return None
    return returned if isinstance(returned, type) and issubclass(returned, BaseModel) else None
