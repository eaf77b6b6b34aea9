"""A long chat continues as new every 100 turns and goes on as if nothing happened: same chat id, messages
keep working, tools are not discovered again, the transcript counts every turn."""

from __future__ import annotations

import pytest

from orchestrator.conversation import Conversation
from orchestrator.workflow import TRANSCRIPT_KEPT, TURNS_PER_RUN
from tests.integration.agent_support import nexus_schedules
from tests.support.stack import Stack

pytestmark = pytest.mark.usefixtures("orchestrator_worker")


async def test_a_chat_longer_than_one_run_continues_as_new_and_keeps_going(stack: Stack) -> None:
    chat = await Conversation.start(stack.client)
    first_run = (await chat.handle.describe()).run_id
    turns = TURNS_PER_RUN + 5

    for turn in range(turns):
        reply = await chat.send(f"What is {turn} + 1?")
        assert str(turn + 1) in reply.text, reply.text

    latest = await chat.handle.describe()
    assert latest.run_id != first_run, "the chat did not continue as new"
    transcript = await chat.transcript()
    assert transcript.earlier_turns + len(transcript.entries) == turns
    assert len(transcript.entries) <= TRANSCRIPT_KEPT + 5
    assert transcript.entries[-1].user == f"What is {turns - 1} + 1?"
    assert await nexus_schedules(chat.handle, "list_tools") == [], "the new run discovered tools again"
    after = await chat.send("What is the stock price of TSLA?")
    assert after.tool_calls[0].ok, "remote tools carried over must still work"
    final = await chat.end()
    assert final.ended and final.earlier_turns + len(final.entries) == turns + 1
