"""``AgentWorkflow``: the durable agent. It decides; activities and Nexus operations act.

At start it discovers every tool service's tools once (``list_tools``, concurrently). Each ``send_message``
update runs one turn: call the model, run all tool calls of its response concurrently (remote ones through
Nexus ``execute_tool``, local ones as activities), feed the results back, until the model answers.
"""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, NexusOperationError

with workflow.unsafe.imports_passed_through():
    from pydantic import ValidationError

    from orchestrator.catalog import LOCAL, CatalogEntry, ToolCatalog
    from orchestrator.chat_state import AgentRunInput, ChatState
    from orchestrator.circuit_breaker import CircuitBreaker
    from orchestrator.llm.names import CALL_LLM, LLM_REJECTED
    from orchestrator.local_tools import LOCAL_TOOLS
    from orchestrator.models import (
        MAX_MESSAGE_CHARS,
        AgentReply,
        ChatMessage,
        LlmRequest,
        LlmResponse,
        ToolCall,
        ToolCallRecord,
        Transcript,
        TranscriptEntry,
        UserMessage,
    )
    from orchestrator.service_directory import TOOL_SERVICES, ToolService
    from orchestrator.tool_results import failed, is_service_failure, succeeded
    from shared.contract import (
        SERVICE_NAME,
        ExecuteToolInput,
        ExecuteToolOutput,
        ListToolsInput,
        ListToolsOutput,
    )
    from shared.failures import failure_message

AGENT_WORKFLOW = "AgentWorkflow"

DISCOVERY_TIMEOUT = timedelta(seconds=10)
"""How long ``list_tools`` of one service may take before the agent goes on without it."""
REDISCOVERY_GRACE = timedelta(seconds=1)
"""How long a turn waits for a missing service's rediscovery before answering without it."""
LLM_TIMEOUT = timedelta(seconds=120)
LLM_HEARTBEAT_TIMEOUT = timedelta(seconds=3)
"""The LLM activity heartbeats twice a second: a call lost with its worker is retried within seconds."""
LLM_RETRY_POLICY = RetryPolicy(
    initial_interval=timedelta(milliseconds=500),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(seconds=20),
    maximum_attempts=6,
    non_retryable_error_types=[LLM_REJECTED],
)

MODEL_WINDOW = 40
"""Messages the model sees at most: the latest ones, starting at a user message (older ones stay in the
transcript). Without it every turn would resend the whole chat, and a long chat would outgrow any limit."""
TURNS_PER_RUN = 100
"""After this many turns (or when Temporal suggests it) the chat continues as new, keeping its history small."""
TRANSCRIPT_KEPT = 50
"""Turns of the transcript a continued chat carries; older ones are counted in ``earlier_turns``."""

DEFAULT_SYSTEM_PROMPT = (
    "You are a company assistant. Answer with the tools you are given: prefer calling a tool to guessing, "
    "call several tools at once when the question asks several things, and use the calculator for "
    "arithmetic. When a tool fails, say so plainly and give its reason. Be concise."
)


@workflow.defn(name=AGENT_WORKFLOW)
class AgentWorkflow:
    """A multi-turn chat with an LLM agent whose tools are local activities and other teams' Nexus services."""

    @workflow.init
    def __init__(self, input: AgentRunInput) -> None:
        self._input = input
        self._catalog = ToolCatalog(LOCAL_TOOLS)
        self._unavailable: dict[str, str] = {}
        """Tool services whose tools are missing, with the reason."""
        self._breakers: dict[str, CircuitBreaker] = {}
        self._discovered = False
        self._rediscovery: asyncio.Task[None] | None = None
        self._history: list[ChatMessage] = []
        self._transcript = Transcript()
        self._turns_this_run = 0
        self._busy = False
        self._ended = False
        if (resume := input.resume) is not None:
            self._catalog.restore(resume.catalog)
            self._unavailable = dict(resume.unavailable)
            self._breakers = dict(resume.breakers)
            self._history = list(resume.history)
            self._transcript = resume.transcript
            self._discovered = True

    @workflow.run
    async def run(self, input: AgentRunInput) -> Transcript:
        if not self._discovered:
            await self._discover()
            self._discovered = True
        await workflow.wait_condition(lambda: self._ended or self._time_to_continue_as_new())
        await workflow.wait_condition(workflow.all_handlers_finished)
        if not self._ended:
            carried = self._input.model_copy(update={"resume": self._state_to_carry()})
            workflow.continue_as_new(carried)
        self._transcript.ended = True
        return self._transcript

    def _time_to_continue_as_new(self) -> bool:
        return not self._busy and (
            self._turns_this_run >= TURNS_PER_RUN or workflow.info().is_continue_as_new_suggested()
        )

    def _state_to_carry(self) -> ChatState:
        entries = self._transcript.entries
        kept = entries[-TRANSCRIPT_KEPT:]
        return ChatState(
            history=self._history,
            transcript=Transcript(
                entries=kept, earlier_turns=self._transcript.earlier_turns + len(entries) - len(kept)
            ),
            catalog=self._catalog.entries(),
            unavailable=self._unavailable,
            breakers=self._breakers,
        )

    @workflow.update
    async def send_message(self, message: UserMessage) -> AgentReply:
        self._busy = True
        try:
            await workflow.wait_condition(lambda: self._discovered)
            await self._retry_unavailable_services()
            reply = await self._turn(message.text.strip())
        finally:
            self._busy = False
        self._transcript.entries.append(TranscriptEntry(user=message.text, reply=reply))
        self._turns_this_run += 1
        return reply

    @send_message.validator
    def _validate_message(self, message: UserMessage) -> None:
        if self._ended:
            raise ValueError("This chat has ended; start a new one to keep talking.")
        if self._busy:
            raise ValueError(
                "The agent is still answering the previous message; send this one when it is done."
            )
        if not message.text.strip():
            raise ValueError("The message is empty; say something.")
        if len(message.text) > MAX_MESSAGE_CHARS:
            raise ValueError(
                f"The message has {len(message.text)} characters; the limit is {MAX_MESSAGE_CHARS}."
            )

    @workflow.query
    def transcript(self) -> Transcript:
        return self._transcript

    @workflow.signal
    def end_chat(self) -> None:
        self._ended = True

    # --- discovery ----------------------------------------------------------------------------------

    async def _discover(self, only: set[str] | None = None) -> None:
        """Find the tools of every service (or of the ``only`` ones) and note why any are missing."""
        services: list[ToolService] = await workflow.execute_local_activity(
            TOOL_SERVICES, start_to_close_timeout=timedelta(seconds=10), result_type=list[ToolService]
        )
        wanted = [service for service in services if only is None or service.team in only]
        for service in wanted:
            if service.endpoint_exists is False:  # scheduling on it would wedge the workflow: never try
                self._unavailable[service.team] = f"its Nexus endpoint {service.endpoint!r} does not exist"
        reachable = [service for service in wanted if service.endpoint_exists is not False]
        outcomes = await asyncio.gather(*(self._list_tools(service) for service in reachable))
        for service, outcome in zip(reachable, outcomes, strict=True):
            if isinstance(outcome, ListToolsOutput):
                if left_out := self._catalog.add_service(service, outcome.tools):
                    workflow.logger.warning(
                        "Left out tools of %s with unusable names: %s", service.team, left_out
                    )
                self._unavailable.pop(service.team, None)
            else:
                self._unavailable[service.team] = outcome

    async def _list_tools(self, service: ToolService) -> ListToolsOutput | str:
        """The service's catalog, or why there is none."""
        try:
            raw = await self._nexus(service.endpoint).execute_operation(
                "list_tools", ListToolsInput(), output_type=dict, schedule_to_close_timeout=DISCOVERY_TIMEOUT
            )
        except NexusOperationError as error:
            workflow.logger.warning("Tool discovery failed for %s: %s", service.team, failure_message(error))
            return f"it did not answer tool discovery ({failure_message(error)})"
        try:
            return ListToolsOutput.model_validate(raw)
        except ValidationError as error:
            return f"its catalog does not match the ToolService contract ({_summary(error)})"

    async def _retry_unavailable_services(self) -> None:
        """Try the unavailable services again, in the background; wait only briefly for them."""
        if self._rediscovery is not None and self._rediscovery.done():
            if (error := self._rediscovery.exception()) is not None:
                workflow.logger.warning("Rediscovery failed: %s", error)
            self._rediscovery = None
        if self._unavailable and self._rediscovery is None:
            self._rediscovery = asyncio.create_task(self._discover(only=set(self._unavailable)))
        if self._rediscovery is not None:
            try:
                await workflow.wait_condition(self._rediscovery.done, timeout=REDISCOVERY_GRACE)
            except TimeoutError:
                pass  # still waiting on a slow or dead service: answer with what we have

    # --- one turn -----------------------------------------------------------------------------------

    async def _turn(self, text: str) -> AgentReply:
        self._history = _window([*self._history, ChatMessage(role="user", content=text)])
        records: list[ToolCallRecord] = []
        for step in range(self._input.max_steps):
            try:
                response = await self._call_llm()
            except ActivityError as error:
                return self._reply(f"Sorry, the model could not answer: {failure_message(error)}", records)
            self._history.append(
                ChatMessage(role="assistant", content=response.content, tool_calls=response.tool_calls)
            )
            if not response.tool_calls:
                return self._reply(
                    (response.content or "").strip() or "(the model gave an empty answer)", records
                )
            position = f"{self._transcript.earlier_turns + len(self._transcript.entries)}.{step}"
            outcomes = await asyncio.gather(
                *(
                    self._call_tool(call, f"{position}.{index}")
                    for index, call in enumerate(response.tool_calls)
                )
            )
            for call, (record, content) in zip(response.tool_calls, outcomes, strict=True):
                records.append(record)
                self._history.append(ChatMessage(role="tool", tool_call_id=call.id, content=content))
        return self._reply(
            f"I stopped after {self._input.max_steps} model calls without reaching an answer; "
            "try asking for less at once.",
            records,
        )

    def _reply(self, text: str, records: list[ToolCallRecord]) -> AgentReply:
        if self._unavailable:
            reasons = "; ".join(f"{team}: {reason}" for team, reason in self._unavailable.items())
            text += f"\n\n(Unavailable right now: the tools of {', '.join(self._unavailable)}. {reasons}.)"
        return AgentReply(text=text, tool_calls=records, unavailable_services=list(self._unavailable))

    async def _call_llm(self) -> LlmResponse:
        prompt = self._input.system_prompt or DEFAULT_SYSTEM_PROMPT
        if self._unavailable:
            prompt += " These services are unavailable right now, so their tools are missing: "
            prompt += ", ".join(self._unavailable) + "."
        request = LlmRequest(
            messages=[ChatMessage(role="system", content=prompt), *self._history],
            tools=self._catalog.functions(),
        )
        return await workflow.execute_activity(
            CALL_LLM,
            request,
            start_to_close_timeout=LLM_TIMEOUT,
            heartbeat_timeout=LLM_HEARTBEAT_TIMEOUT,
            retry_policy=LLM_RETRY_POLICY,
            result_type=LlmResponse,
        )

    async def _call_tool(self, call: ToolCall, position: str) -> tuple[ToolCallRecord, str]:
        """Run one tool call; any failure becomes a result the model reads, never an error of the turn."""
        entry = self._catalog.get(call.name)
        try:
            arguments = json.loads(call.arguments or "{}")
        except json.JSONDecodeError as error:
            return failed(call.name, entry, {}, f"The arguments are not valid JSON ({error.msg}).")
        if not isinstance(arguments, dict):
            return failed(call.name, entry, {}, "The arguments must be a JSON object.")
        if entry is None:
            available = ", ".join(self._catalog.names())
            return failed(
                call.name, None, arguments, f"There is no tool {call.name!r}. Available tools: {available}."
            )
        if entry.service == LOCAL:
            try:
                result = await self._run_local(entry, arguments)
            except ActivityError as error:
                return failed(call.name, entry, arguments, failure_message(error))
            return succeeded(entry, arguments, result)
        breaker = self._breakers.setdefault(entry.service, CircuitBreaker())
        if not breaker.admit(workflow.now()):
            return failed(call.name, entry, arguments, breaker.refusal(entry.service, workflow.now()))
        try:
            result = await self._run_remote(
                entry, arguments, call_id=f"{workflow.info().workflow_id}/{position}"
            )
        except ValidationError as error:
            breaker.record_failure(workflow.now())
            problem = f"The service's answer does not match the ToolService contract ({_summary(error)})."
            return failed(call.name, entry, arguments, problem)
        except NexusOperationError as error:
            if is_service_failure(error):
                breaker.record_failure(workflow.now())
            else:
                breaker.record_success()  # the service answered; the call itself was wrong
            return failed(call.name, entry, arguments, failure_message(error))
        breaker.record_success()
        return succeeded(entry, arguments, result)

    async def _run_local(self, entry: CatalogEntry, arguments: dict[str, Any]) -> dict[str, Any]:
        assert entry.policy is not None, "local tools carry their activity policy"
        result: dict[str, Any] = await workflow.execute_activity(
            entry.tool,
            arguments,
            start_to_close_timeout=entry.policy.start_to_close_timeout,
            schedule_to_close_timeout=entry.policy.retry_budget,
            heartbeat_timeout=entry.policy.heartbeat_timeout,
            retry_policy=entry.policy.retry_policy(),
            result_type=dict,
        )
        return result

    async def _run_remote(
        self, entry: CatalogEntry, arguments: dict[str, Any], call_id: str
    ) -> dict[str, Any]:
        assert entry.endpoint is not None, "remote tools carry their endpoint"
        raw = await self._nexus(entry.endpoint).execute_operation(
            "execute_tool",
            ExecuteToolInput(tool=entry.tool, arguments=arguments, call_id=call_id),
            output_type=dict,
            schedule_to_close_timeout=timedelta(seconds=self._input.tool_timeout_seconds),
        )
        return dict(ExecuteToolOutput.model_validate(raw).result)

    @staticmethod
    def _nexus(endpoint: str) -> workflow.NexusClient[Any]:
        """A client for a team's ``ToolService`` whose answers arrive as plain JSON: the workflow validates
        them itself, so one team's malformed answer fails that call, never the workflow task."""
        return workflow.create_nexus_client(service=SERVICE_NAME, endpoint=endpoint)


def _summary(error: ValidationError) -> str:
    first = error.errors(include_url=False)[0]
    where = ".".join(str(part) for part in first["loc"]) or "answer"
    return f"{error.error_count()} problem(s), first: {where}: {first['msg']}"


def _window(history: list[ChatMessage]) -> list[ChatMessage]:
    """The latest ``MODEL_WINDOW`` messages, starting at a user message so no tool result loses its call."""
    recent = history[-MODEL_WINDOW:]
    first_user = next(
        (index for index, message in enumerate(recent) if message.role == "user"), len(recent) - 1
    )
    return recent[first_user:]
