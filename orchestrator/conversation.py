"""A client-side handle on one chat with the agent: start it, send messages, read the transcript, end it.
The chat CLI, the demo and the tests all talk to the agent through this."""

from __future__ import annotations

import uuid

from temporalio.client import Client, WorkflowHandle

from orchestrator.chat_state import AgentRunInput
from orchestrator.models import AgentInput, AgentReply, Transcript, UserMessage
from orchestrator.workflow import AgentWorkflow
from shared.topology import load_topology


class Conversation:
    """One ``AgentWorkflow`` run, seen from a client."""

    def __init__(self, handle: WorkflowHandle[AgentWorkflow, Transcript]) -> None:
        self.handle = handle

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
    ) -> Conversation:
        started = await client.start_workflow(
            AgentWorkflow.run,
            AgentRunInput.model_validate((agent_input or AgentInput()).model_dump()),
            id=workflow_id or f"chat-{uuid.uuid4()}",
            task_queue=task_queue or load_topology().orchestrator.task_queue,
        )
        # Not pinned to the first run: a long chat continues as new, and messages go to its latest run.
        return cls.resume(client, started.id)

    @classmethod
    def resume(cls, client: Client, workflow_id: str) -> Conversation:
        return cls(client.get_workflow_handle_for(AgentWorkflow.run, workflow_id))

    async def send(self, text: str) -> AgentReply:
        """One turn; a rejected message raises ``WorkflowUpdateFailedError`` saying why."""
        return await self.handle.execute_update(AgentWorkflow.send_message, UserMessage(text=text))

    async def transcript(self) -> Transcript:
        return await self.handle.query(AgentWorkflow.transcript)

    async def end(self) -> Transcript:
        await self.handle.signal(AgentWorkflow.end_chat)
        return await self.handle.result()
