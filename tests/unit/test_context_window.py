"""What of a long chat the model is sent, counted in tokens: when older turns are summarised, where the history
is cut for it (never between a tool call and its results), and what the summary replaces."""

from __future__ import annotations

from orchestrator.llm.context_window import (
    SUMMARY_HEADING,
    ContextCount,
    cut_for_summary,
    kept_tokens,
    rendered,
    result_tokens,
    summarized,
    summary_message,
    summary_tokens,
    to_summarise,
)
from orchestrator.models import ChatMessage, ModelToolCall


def turn(number: int) -> list[ChatMessage]:
    return [
        ChatMessage(role="user", content=f"question {number}"),
        ChatMessage(
            role="assistant", tool_calls=[ModelToolCall(id=f"c{number}", name="weather", arguments="{}")]
        ),
        ChatMessage(role="tool", tool_call_id=f"c{number}", content="{}"),
        ChatMessage(role="assistant", content=f"answer {number}"),
    ]


def chat(turns: int) -> list[ChatMessage]:
    return [message for number in range(turns) for message in turn(number)]


def test_a_request_under_three_quarters_of_the_window_needs_no_summary() -> None:
    count = ContextCount(tokens=700, window=1_000, messages=4)

    assert not count.wants_summary(chat(1))


def test_a_request_past_three_quarters_of_the_window_needs_a_summary() -> None:
    assert ContextCount(tokens=760, window=1_000, messages=4).wants_summary(chat(1))


def test_messages_added_since_the_last_count_are_estimated_towards_the_trigger() -> None:
    history = [*chat(1), ChatMessage(role="user", content="x" * 600)]

    assert ContextCount(tokens=600, window=1_000, messages=4).wants_summary(history)


def test_the_earliest_cut_that_keeps_within_the_budget_is_chosen() -> None:
    history = chat(5)
    sizes = [10] * len(history)

    cut = cut_for_summary(history, sizes, budget=80)

    assert cut == 12 and history[cut].role == "user", "the last two turns (80 tokens) are kept"


def test_a_cut_never_falls_between_a_tool_call_and_its_results() -> None:
    history = chat(5)

    for budget in range(0, 200, 5):
        cut = cut_for_summary(history, [10] * len(history), budget)
        assert history[cut].role != "tool"


def test_a_turn_too_large_to_keep_whole_is_cut_inside_and_keeps_its_question() -> None:
    history = [*chat(2), ChatMessage(role="user", content="big question"), *turn(9)[1:]]
    sizes = [10] * 8 + [10, 10, 500, 10]

    cut = cut_for_summary(history, sizes, budget=50)
    after = summarized(history, cut, "what came before")

    assert history[cut] == ChatMessage(role="assistant", content="answer 9")
    assert [message.role for message in after] == ["system", "user", "assistant"]
    assert after[1].content == "big question"
    assert ChatMessage(role="user", content="big question") not in to_summarise(history, cut)


def test_a_history_of_only_the_latest_turn_has_nothing_to_summarise() -> None:
    history = turn(1)[:3]

    assert cut_for_summary(history, [10, 10, 900], budget=0) == 0


def test_an_earlier_summary_alone_is_not_summarised_again() -> None:
    history = [summary_message("before"), *turn(1)[:3]]

    assert cut_for_summary(history, [10, 10, 10, 900], budget=0) == 0


def test_the_summary_replaces_the_older_messages_at_the_head_of_the_history() -> None:
    history = chat(3)

    after = summarized(history, 8, "the first two turns")

    assert after[0] == ChatMessage(role="system", content=f"{SUMMARY_HEADING}\nthe first two turns")
    assert after[1:] == history[8:]


def test_the_older_messages_are_rendered_as_text_any_model_reads() -> None:
    history = [summary_message("- Asked: a"), *turn(1)]
    history[-1] = ChatMessage(role="assistant", content="line one\nline two")

    assert rendered(history).splitlines() == [
        "summary: - Asked: a",
        "user: question 1",
        "assistant called weather({})",
        "tool result: {}",
        "assistant: line one",
        "  line two",
    ]


def test_the_shares_of_the_window_leave_room_for_the_latest_turn() -> None:
    window, fixed = 8_192, 650

    assert summary_tokens(window, fixed) == 1_000, "a summary is at most 1,000 tokens"
    assert kept_tokens(window, fixed) == int(0.4 * (window - fixed)) - 1_000
    assert result_tokens(window, fixed) == int(0.2 * (window - fixed))
    assert fixed + summary_tokens(window, fixed) + kept_tokens(window, fixed) < 0.75 * window
