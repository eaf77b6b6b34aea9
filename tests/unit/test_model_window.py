"""What the model sees of a long chat: the latest messages, never a tool result without its call."""

from __future__ import annotations

from orchestrator.llm.model_call import MODEL_WINDOW, window
from orchestrator.models import ChatMessage, ModelToolCall


def turn(number: int) -> list[ChatMessage]:
    return [
        ChatMessage(role="user", content=f"question {number}"),
        ChatMessage(
            role="assistant", tool_calls=[ModelToolCall(id=f"c{number}", name="calculator", arguments="{}")]
        ),
        ChatMessage(role="tool", tool_call_id=f"c{number}", content="{}"),
        ChatMessage(role="assistant", content=f"answer {number}"),
    ]


def test_a_short_chat_is_sent_whole() -> None:
    history = turn(1) + turn(2)

    assert window(history) == history


def test_a_long_chat_is_cut_to_the_window_at_a_user_message() -> None:
    history = [message for number in range(100) for message in turn(number)]

    seen = window(history)

    assert len(seen) <= MODEL_WINDOW
    assert seen[0].role == "user"
    assert seen[-1] == history[-1]
    assert seen == history[-len(seen) :]


def test_the_latest_user_message_is_kept_even_after_a_huge_turn() -> None:
    huge = [ChatMessage(role="tool", tool_call_id=f"t{n}", content="{}") for n in range(MODEL_WINDOW * 2)]
    history = [*turn(1), *huge, ChatMessage(role="user", content="next")]

    assert window(history) == [ChatMessage(role="user", content="next")]
