"""A client-side handle on one chat with the agent: start it, send messages, read the transcript, end it.
The chat CLI, the demo and the tests all talk to the agent through this."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable

from temporalio.api.enums.v1 import EventType
from temporalio.client import (
    Client,
    WorkflowExecutionDescription,
    WorkflowFailureError,
    WorkflowHandle,
    WorkflowQueryFailedError,
    WorkflowUpdateHandle,
    WorkflowUpdateStage,
)
from temporalio.service import RPCError, RPCStatusCode

from orchestrator.chat_state import AgentRunInput
from orchestrator.models import (
    AgentInput,
    AgentReply,
    FunctionTool,
    PendingApproval,
    Progress,
    ToolCallDecision,
    Transcript,
    UserMessage,
)
from orchestrator.workflow import AgentWorkflow
from shared.topology import load_topology

LOOK_TIMEOUT_SECONDS = 5.0
"""How long ``send_approving`` waits for one look at the pending approvals."""


class Conversation:
    """One ``AgentWorkflow`` run, seen from a client."""

    def __init__(self, handle: WorkflowHandle[AgentWorkflow, Transcript], token: str | None = None) -> None:
        self.handle = handle
        self.token = token
        """The person's token, sent with every message and decision (needed when an issuer is configured)."""

    @property
    def workflow_id(self) -> str:
        return self.handle.id

    @classmethod
    async def start(
        cls,
        client: Client,
        *,
        workflow_id: str | None = None,
        task_queue: str | None = None,
        agent_input: AgentInput | None = None,
        token: str | None = None,
    ) -> Conversation:
        chosen = (agent_input or AgentInput()).model_copy(update={"token": token})
        started = await client.start_workflow(
            AgentWorkflow.run,
            AgentRunInput.model_validate(chosen.model_dump()),
            id=workflow_id or f"chat-{uuid.uuid4()}",
            task_queue=task_queue or load_topology().orchestrator.task_queue,
        )
        # Not pinned to the first run: a long chat continues as new, and messages go to its latest run.
        return cls.resume(client, started.id, token=token)

    @classmethod
    def resume(cls, client: Client, workflow_id: str, *, token: str | None = None) -> Conversation:
        return cls(client.get_workflow_handle_for(AgentWorkflow.run, workflow_id), token)

    async def send(self, text: str, sender: str | None = None) -> AgentReply:
        """One turn; a rejected message raises ``WorkflowUpdateFailedError`` saying why."""
        return await self.handle.execute_update(
            AgentWorkflow.send_message, UserMessage(text=text, sender=sender, token=self.token)
        )

    async def start_send(self, text: str, sender: str | None = None) -> WorkflowUpdateHandle[AgentReply]:
        """Hand a message to the chat and return once the chat has accepted it (its turn then runs; the
        handle's ``result()`` is the reply). Until a worker runs the chat this waits; a rejected message
        raises ``WorkflowUpdateFailedError`` saying why."""
        return await self.handle.start_update(
            AgentWorkflow.send_message,
            UserMessage(text=text, sender=sender, token=self.token),
            wait_for_stage=WorkflowUpdateStage.ACCEPTED,
        )

    @staticmethod
    def settled_at_once(update: WorkflowUpdateHandle[AgentReply]) -> bool:
        """Whether the chat settled a message as it took it: its validator refused it (``result()`` raises
        why). The SDK keeps an outcome the server returned with the start; no turn settles that fast."""
        return getattr(update, "_known_outcome", None) is not None

    async def describe(self) -> WorkflowExecutionDescription:
        """The chat's workflow as the server sees it (its task queue, whether it is still running)."""
        return await self.handle.describe()

    async def ever_ran(self) -> bool:
        """Whether a worker has ever completed a task of this chat (no: nothing was said in it yet)."""
        async for event in self.handle.fetch_history_events():
            if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
                return True
        return False

    async def progress(self) -> Progress:
        """What the agent is doing right now (a query: it adds nothing to the chat's history)."""
        return await self.handle.query(AgentWorkflow.progress)

    async def tools(self) -> list[FunctionTool]:
        """Every tool the chat's model can call now."""
        return await self.handle.query(AgentWorkflow.tools)

    async def refresh_tools(self) -> None:
        """Ask the chat to find every team's tools again now (a team added or changed its tools)."""
        await self.handle.signal(AgentWorkflow.refresh_tools)

    async def pending_approvals(self) -> list[PendingApproval]:
        return await self.handle.query(AgentWorkflow.pending_approvals)

    async def decide(
        self, pending: PendingApproval, *, approve: bool, approver: str, reason: str = ""
    ) -> None:
        """Approve or deny a waiting call, for exactly the arguments ``pending`` shows."""
        await self.submit(
            ToolCallDecision(
                call_id=pending.call_id,
                digest=pending.digest,
                approve=approve,
                approver=approver,
                reason=reason,
                token=self.token,
            )
        )

    async def submit(self, decision: ToolCallDecision) -> None:
        """Send a decision as given; the workflow judges it: a refused one (an unknown call, decided
        already, expired, another digest) raises ``WorkflowUpdateFailedError`` saying why."""
        await self.handle.execute_update(AgentWorkflow.decide_tool_call, decision)

    async def send_approving(
        self,
        text: str,
        approver: str,
        *,
        reason: str = "",
        shown: Callable[[PendingApproval], None] | None = None,
        poll_seconds: float = 0.1,
    ) -> AgentReply:
        """One turn, sent by ``approver``, who approves every call that waits for a person (the demo, chaos,
        tests); ``shown`` sees each waiting call before it is approved."""
        turn = asyncio.ensure_future(self.send(text, sender=approver))
        try:
            while not turn.done():
                try:
                    waiting = await asyncio.wait_for(self.pending_approvals(), LOOK_TIMEOUT_SECONDS)
                except (TimeoutError, RPCError, WorkflowQueryFailedError):
                    waiting = []  # no worker answers right now (one restarting): look again
                for pending in waiting:
                    if shown is not None:
                        shown(pending)
                    await self.decide(pending, approve=True, approver=approver, reason=reason)
                await asyncio.wait({turn}, timeout=poll_seconds)
        finally:
            if not turn.done():
                turn.cancel()
        return turn.result()

    async def transcript(self) -> Transcript:
        return await self.handle.query(AgentWorkflow.transcript)

    async def request_end(self) -> None:
        """Ask the chat to end (a call still waiting for approval is then denied); do not wait for it."""
        await self.handle.signal(AgentWorkflow.end_chat)

    async def end(self) -> Transcript:
        await self.request_end()
        return await self.handle.result()

    async def close(self, *, within: float) -> bool:
        """Ask the chat to end and wait at most ``within`` seconds for it to close: False if it is still
        open (no worker runs it now; it closes when one does). A chat that has ended already is closed."""
        try:
            await self.request_end()
        except RPCError as error:
            if error.status == RPCStatusCode.NOT_FOUND:
                return True  # it had ended already
            raise
        try:
            async with asyncio.timeout(within):
                await self.handle.result()
        except TimeoutError:
            return False
        except WorkflowFailureError:
            pass  # ended otherwise (terminated): closed all the same
        return True

    async def discard(self, reason: str) -> None:
        """Terminate a chat no worker has ever run: there is nothing in it to end gracefully."""
        await self.handle.terminate(reason=reason)
