"""Leaving a terminal chat (``/quit``, the end of the input, a one-shot's reply, Ctrl-C) without leaving
anything behind the person did not ask for.

Unless kept (``--keep``), the chat is ended: the ``end_chat`` signal, then a short wait for it to close. A chat
this client started that no worker has ever run holds nothing yet, so it is terminated instead (a signal would
wait for a worker forever). A kept chat stays open, and the person is told how to resume it. Either way they
learn where their last message got to: not sent, not delivered, or with the agent.
"""

from __future__ import annotations

from temporalio.service import RPCError

from orchestrator.terminal_chat import TerminalChat

CLOSE_WITHIN_SECONDS = 5.0
"""How long to wait for an ended chat to close (its worker runs the ``end_chat`` signal)."""
DISCARD_REASON = "the chat client left before any orchestrator worker ran the chat"


async def leave(chat: TerminalChat, *, keep: bool, started_here: bool, announce: bool = False) -> None:
    """End the chat unless ``keep``; print where the last message got to, and what stays open (that the
    chat has ended only when something went amiss, or ``announce``: after Ctrl-C, say)."""
    conversation = chat.conversation
    chat_id = conversation.workflow_id
    stage = chat.last.stage if chat.last is not None else "answered"
    if keep:
        fate = {
            "held": "Your last message was not sent. ",
            "sent": "Your last message has not reached the agent: the chat answers it if a worker starts "
            "soon. ",
            "accepted": "Your last message reached the agent, which answers it in the chat. ",
            "refused": "",
            "answered": "",
        }[stage]
        print(
            f"({fate}The chat stays open: resume it with python -m orchestrator.chat --workflow-id {chat_id})"
        )
        return
    try:
        if started_here and not await conversation.ever_ran():
            await conversation.discard(DISCARD_REASON)
            closed = True
        else:
            closed = await conversation.close(within=CLOSE_WITHIN_SECONDS)
    except RPCError as error:
        print(f"(could not end the chat {chat_id}: {error.message}; it may still be open)")
        return
    fate = {
        "held": "Your last message was not sent. ",
        "sent": "Your last message was not delivered. ",
        "accepted": "Your last message reached the agent. ",
        "refused": "",
        "answered": "",
    }[stage]
    if not closed:
        print(f"({fate}The chat {chat_id} is ending: it closes when a worker runs it again.)")
    elif fate or announce:
        print(f"({fate}The chat {chat_id} has ended.)")
