"""``AgentWorkflow``: the durable agent. It decides; activities and Nexus operations act.

At start it discovers every tool service's tools (``discovery``). Each ``send_message`` update runs one turn:
call the model (``llm.model_call``), run all tool calls of its response concurrently (``tool_routing``), feed
the results back, until the model answers. Before a model call whose request nears the model's window, older
turns are summarised (``llm.context_window``); a chat whose budget of tokens or cost is spent is answered
without the model (``chat_budget``). A long chat continues as new, carrying what it needs. Its
search attributes (``search_attributes``: user, status, tools used, model) say what it is at a glance.

It runs outside the workflow sandbox (as do ``ToolGatewayWorkflow`` and the teams' ``ToolWorkflow``). Every
module it uses is deterministic code passed through the sandbox anyway, so the sandbox guarded only this
file's own lines, and it cost each new chat a fresh import of this module: about a third of the workflow
worker's CPU per new chat (26-29 ms with it, 17-19 ms without, 100 chats opened at once). Determinism rests
where it did: all I/O in activities and Nexus operations, and replay tests of recorded histories.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

from orchestrator import agent_metrics, chat_budget, patches, worker_steps
from orchestrator.catalog import ToolCatalog
from orchestrator.chat_attributes import ChatAttributes
from orchestrator.chat_opening import OPEN_CHAT_PATCH, opened
from orchestrator.chat_state import AgentRunInput, ChatState
from orchestrator.discovery import CATALOG_REFRESH_PATCH, PARALLEL_START_PATCH, ToolDiscovery
from orchestrator.identity_checks import (
    IDENTITY_REFUSED,
    TokenRefused,
    decide_unchecked_local_messages,
    identity_of,
    shown_as,
    verified,
)
from orchestrator.llm.context_window import ContextCount, summarized
from orchestrator.llm.model_call import (
    ask_model,
    by_tokens,
    decide_context,
    decide_fallback,
    model_request,
    summarize_history,
    window,
)
from orchestrator.local_tools import LOCAL_TOOLS
from orchestrator.models import (
    AgentReply,
    ChatMessage,
    FunctionTool,
    LlmRequest,
    PendingApproval,
    Progress,
    ToolCallDecision,
    ToolCallRecord,
    Transcript,
    TranscriptEntry,
    UserMessage,
)
from orchestrator.search_attributes import ACTIVE, ENDED, WAITING_FOR_APPROVAL
from orchestrator.tool_routing import ToolRouter
from shared.failures import failure_message
from shared.identity.identity import LOCAL_DEVELOPER, Identity

AGENT_WORKFLOW = "AgentWorkflow"

TURNS_PER_RUN = 100
"""After this many turns (or when Temporal suggests it) the chat continues as new, keeping its history small."""
TRANSCRIPT_KEPT = 50
"""Turns of the transcript a continued chat carries; older ones are counted in ``earlier_turns``."""
REFUSED_CHAT_KEPT = timedelta(minutes=10)
"""How long a chat whose start token was refused stays, refusing every message with the reason, then ends."""


@workflow.defn(name=AGENT_WORKFLOW, sandboxed=False)
class AgentWorkflow:
    """A multi-turn chat with an LLM agent whose tools are activities and other teams' Nexus services."""

    @workflow.init
    def __init__(self, input: AgentRunInput) -> None:
        self._input = input
        carried = input.resume
        catalog = ToolCatalog(LOCAL_TOOLS)
        if carried is None:
            self._discovery = ToolDiscovery(catalog)
        else:
            catalog.restore(carried.catalog)
            self._discovery = ToolDiscovery(
                catalog,
                carried.unavailable,
                withheld=carried.withheld,
                discovered=True,
                discovered_at=carried.discovered_at,
            )
        breakers = dict(carried.breakers) if carried else {}
        self._router = ToolRouter(catalog, breakers, timedelta(seconds=input.tool_timeout_seconds))
        self._progress = Progress()
        self._history: list[ChatMessage] = list(carried.history) if carried else []
        self._transcript = carried.transcript if carried else Transcript()
        self._context: ContextCount | None = carried.context if carried else None
        """The tokens of the model's latest request: whether the next one needs older turns summarised."""
        self._spending = chat_budget.Spending()
        """What the current turn's model calls used."""
        self._owner: Identity | None = (carried.owner or LOCAL_DEVELOPER) if carried else None
        """Who started the chat, verified (None until the start token is checked)."""
        self._refusal: str | None = None
        """Why the start token was refused: the chat then refuses every message with it."""
        self._turns_this_run = 0
        self._busy = False
        self._ended = False
        self._attributes = ChatAttributes()
        self._router.approvals.on_change = self._approvals_changed

    @workflow.run
    async def run(self, input: AgentRunInput) -> Transcript:
        patches.decide()
        self._attributes.start()
        worker_steps.decide()
        decide_unchecked_local_messages()
        patches.patched(CATALOG_REFRESH_PATCH)  # decided here, read before each turn
        decide_fallback()
        decide_context()
        if self._owner is None:
            try:
                self._owner = await self._open(input.token)
            except TokenRefused as refusal:
                self._refusal = str(refusal)
                await workflow.wait_condition(lambda: self._ended, timeout=REFUSED_CHAT_KEPT)
                self._attributes.set(status=ENDED)
                self._transcript.ended = True
                return self._transcript
        self._attributes.set(user=self._owner.subject, status=ACTIVE)
        if not self._discovery.discovered:  # the chat's first run, not a continued one
            agent_metrics.chat_started()
        await self._discovery.discover_once(self._owner)
        await workflow.wait_condition(lambda: self._ended or self._time_to_continue_as_new())
        await workflow.wait_condition(workflow.all_handlers_finished)
        if not self._ended:
            # The token stays behind: the next run keeps the verified owner, not a credential.
            workflow.continue_as_new(
                self._input.model_copy(update={"resume": self._state_to_carry(), "token": None})
            )
        self._attributes.set(status=ENDED)
        self._transcript.ended = True
        return self._transcript

    async def _open(self, token: str | None) -> Identity:
        """Who started the chat (``token``'s owner, verified), with the service directory for its first
        discovery read in the same step (runs past ``OPEN_CHAT_PATCH``) or beside it (runs before)."""
        if patches.patched(OPEN_CHAT_PATCH):
            opening = await opened(token)
            self._discovery.directory_read(opening.services)
            return opening.owner
        if patches.patched(PARALLEL_START_PATCH):
            self._discovery.read_directory_now()
        return await verified(token)

    def _approvals_changed(self) -> None:
        """Keep the chat's status saying whether a tool call waits for a person's decision."""
        self._attributes.set(status=WAITING_FOR_APPROVAL if self._router.approvals.pending else ACTIVE)

    def _catalog_max_age(self) -> timedelta | None:
        seconds = self._input.catalog_max_age_seconds
        if seconds is None or not patches.patched(CATALOG_REFRESH_PATCH):
            return None
        return timedelta(seconds=seconds)

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
                entries=kept,
                earlier_turns=self._transcript.earlier_turns + len(entries) - len(kept),
                tokens_used=self._transcript.tokens_used,
                cost_usd=self._transcript.cost_usd,
            ),
            catalog=self._discovery.catalog.entries(),
            unavailable=self._discovery.unavailable,
            withheld=self._discovery.withheld,
            breakers=self._router.breakers,
            owner=self._owner,
            discovered_at=self._discovery.discovered_at,
            context=self._context,
        )

    @workflow.update
    async def send_message(self, message: UserMessage) -> AgentReply:
        self._busy = True
        self._spending = chat_budget.Spending()
        started = workflow.now()
        try:
            await workflow.wait_condition(lambda: self._owner is not None or self._refusal is not None)
            if self._refusal is not None:
                raise ApplicationError(_not_opened(self._refusal), type=IDENTITY_REFUSED, non_retryable=True)
            sender = await identity_of(message.token, self._owner)
            await workflow.wait_condition(lambda: self._discovery.discovered)
            self._progress = Progress(state="discovering", since=workflow.now())
            await self._discovery.before_turn(sender, self._catalog_max_age())
            reply = await self._turn(
                message.text.strip(), sender, shown_as(sender, message.sender, "the chat's user")
            )
        finally:
            self._busy = False
            self._progress = Progress()
        took = (workflow.now() - started).total_seconds() * 1000
        self._transcript.entries.append(
            TranscriptEntry(
                user=message.text,
                reply=reply,
                started_at=started,
                duration_ms=round(took, 1),
                tokens=self._spending.tokens,
                cost_usd=self._spending.cost_usd,
            )
        )
        self._turns_this_run += 1
        agent_metrics.turn_answered()
        return reply

    @send_message.validator
    def _validate_message(self, message: UserMessage) -> None:
        if self._refusal is not None:
            raise ValueError(_not_opened(self._refusal))
        if self._ended:
            raise ValueError("This chat has ended; start a new one to keep talking.")
        if self._busy:
            raise ValueError(
                "The agent is still answering the previous message; send this one when it is done."
            )
        if (problem := message.problem()) is not None:
            raise ValueError(problem)

    @workflow.update
    async def decide_tool_call(self, decision: ToolCallDecision) -> None:
        approver = await identity_of(decision.token, self._owner)
        self._router.approvals.decide_checked(decision, workflow.now(), approver)

    @decide_tool_call.validator
    def _validate_decision(self, decision: ToolCallDecision) -> None:
        if (refusal := self._router.approvals.refusal(decision, workflow.now())) is not None:
            raise ValueError(refusal)

    @workflow.query
    def transcript(self) -> Transcript:
        return self._transcript

    @workflow.query
    def tools(self) -> list[FunctionTool]:
        """Every tool the model can call now, as it sees them."""
        return self._discovery.catalog.functions()

    @workflow.query
    def pending_approvals(self) -> list[PendingApproval]:
        return list(self._router.approvals.pending.values())

    @workflow.query
    def progress(self) -> Progress:
        return self._router.progress(self._progress)

    @workflow.signal
    def refresh_tools(self) -> None:
        """Find every team's tools again now: a team added, changed or removed tools."""
        if self._owner is not None and self._discovery.discovered:
            self._discovery.refresh(self._owner)
        # else the chat's first discovery is still to come, and it finds the catalog as it is now

    @workflow.signal
    def end_chat(self) -> None:
        self._ended = True
        self._router.approvals.close()  # a call still waiting for a decision will not run

    async def _turn(self, text: str, sender: Identity, sender_name: str) -> AgentReply:
        history = [*self._history, ChatMessage(role="user", content=text)]
        self._history = history if by_tokens() else window(history)
        records: list[ToolCallRecord] = []
        discovery = self._discovery
        for step in range(self._input.max_steps):
            if (spent := chat_budget.spent(self._transcript, self._input)) is not None:
                return self._reply(spent, records)
            tools = discovery.catalog.functions()
            self._progress = Progress(state="calling_model", step=step + 1, since=workflow.now())
            request = model_request(
                self._input.system_prompt,
                self._history,
                tools,
                discovery.unavailable,
                discovery.not_permitted(),
            )
            if by_tokens() and self._context is not None and self._context.wants_summary(self._history):
                request = await self._summarize(request)
            try:
                response = await ask_model(request)
            except ActivityError as error:
                return self._reply(f"Sorry, the model could not answer: {failure_message(error)}", records)
            chat_budget.charge(self._transcript, self._spending, response)
            if response.request_tokens is not None and response.context_window:
                self._context = ContextCount(
                    tokens=response.request_tokens,
                    window=response.context_window,
                    messages=len(self._history),
                )
            self._attributes.set(model=response.model)
            self._history.append(
                ChatMessage(role="assistant", content=response.content, tool_calls=response.tool_calls)
            )
            if not response.tool_calls:
                return self._reply(
                    (response.content or "").strip() or "(the model gave an empty answer)",
                    records,
                    response.model,
                )
            position = f"{self._transcript.earlier_turns + len(self._transcript.entries)}.{step}"
            self._progress = Progress(state="running_tools", step=step + 1, since=workflow.now())
            outcomes = await asyncio.gather(
                *(
                    self._router.call(call, f"{position}.{index}", sender_name, sender)
                    for index, call in enumerate(response.tool_calls)
                )
            )
            for call, (record, content) in zip(response.tool_calls, outcomes, strict=True):
                records.append(record)
                self._history.append(ChatMessage(role="tool", tool_call_id=call.id, content=content))
            self._attributes.set(tools=(f"{record.service}/{record.tool}" for record, _ in outcomes))
        return self._reply(
            f"I stopped after {self._input.max_steps} model calls without reaching an answer; "
            "try asking for less at once.",
            records,
        )

    async def _summarize(self, request: LlmRequest) -> LlmRequest:
        """``request`` once a summary replaces the history's older messages, when the ``summarize_history``
        activity finds it passes its share of the model's window; as it is otherwise."""
        summary = await summarize_history(request)
        if summary is None:
            return request
        chat_budget.charge(self._transcript, self._spending, summary)
        if summary.summary is not None:
            self._history = summarized(self._history, summary.replaced, summary.summary)
        self._context = ContextCount(
            tokens=summary.request_tokens, window=summary.context_window, messages=len(self._history)
        )
        return request.model_copy(update={"messages": [*request.messages[:1], *self._history]})

    def _reply(self, text: str, records: list[ToolCallRecord], model: str | None = None) -> AgentReply:
        if unavailable := self._discovery.unavailable:
            reasons = "; ".join(f"{team}: {reason}" for team, reason in unavailable.items())
            text += f"\n\n(Unavailable right now: the tools of {', '.join(unavailable)}. {reasons}.)"
        reply = AgentReply(text=text, tool_calls=records, unavailable_services=list(unavailable), model=model)
        return reply.fitted()  # the reply is a payload of the history: it must fit one


def _not_opened(refusal: str) -> str:
    return f"This chat was not opened. {refusal} Then start a new chat."
