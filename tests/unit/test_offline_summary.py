"""The offline model's summary of a conversation: what was asked and the first line of each answer, the latest
kept when they don't all fit, counting those left out across summaries."""

from __future__ import annotations

from orchestrator.llm.context_window import rendered, summary_message
from orchestrator.llm.planning.summaries import summary
from orchestrator.models import ChatMessage, ModelToolCall


def exchange(question: str, answer: str) -> list[ChatMessage]:
    return [
        ChatMessage(role="user", content=question),
        ChatMessage(role="assistant", tool_calls=[ModelToolCall(id="c1", name="weather", arguments="{}")]),
        ChatMessage(role="tool", tool_call_id="c1", content='{"ok": true, "result": {"t": 14}}'),
        ChatMessage(role="assistant", content=answer),
    ]


def test_each_exchange_is_its_question_and_the_first_line_of_its_answer() -> None:
    text = rendered(exchange("Weather in Paris?", "[offline model] Paris: 14 °C.\nMore detail."))

    assert summary(text, 1_000) == "- Asked: Weather in Paris? Answered: Paris: 14 °C."


def test_the_latest_exchanges_are_kept_when_they_do_not_all_fit() -> None:
    messages = [m for n in range(10) for m in exchange(f"Question {n}?", f"Answer {n}.")]

    lines = summary(rendered(messages), 120).splitlines()

    assert lines[0] == "(8 earlier exchanges left out)"
    assert lines[1:] == [
        "- Asked: Question 8? Answered: Answer 8.",
        "- Asked: Question 9? Answered: Answer 9.",
    ]


def test_an_earlier_summary_is_carried_with_its_count_of_exchanges_left_out() -> None:
    earlier = summary_message("(3 earlier exchanges left out)\n- Asked: Question 3? Answered: Answer 3.")
    messages = [earlier, *exchange("Question 4?", "Answer 4.")]

    assert summary(rendered(messages), 1_000).splitlines() == [
        "(3 earlier exchanges left out)",
        "- Asked: Question 3? Answered: Answer 3.",
        "- Asked: Question 4? Answered: Answer 4.",
    ]


def test_the_same_conversation_is_summarised_the_same_way() -> None:
    text = rendered([m for n in range(5) for m in exchange(f"Q{n}?", f"A{n}.")])

    assert summary(text, 90) == summary(text, 90)
