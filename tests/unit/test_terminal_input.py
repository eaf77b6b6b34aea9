"""The chat's own line editing at a terminal (non-canonical mode): lines of any length, the usual edits, keys'
escape sequences ignored, a bracketed paste kept as one message."""

from __future__ import annotations

from orchestrator.terminal_input import PASTE_END, PASTE_START, LineEditor


def typed(*chunks: bytes) -> tuple[list[str | None], bytes]:
    editor = LineEditor(prompt=b"you> ")
    lines: list[str | None] = []
    echo = b""
    for chunk in chunks:
        more, shown = editor.feed(chunk)
        lines += more
        echo += shown
    return lines, echo


def test_a_line_far_past_the_terminals_4095_characters_comes_whole_and_is_echoed() -> None:
    lines, echo = typed(b"x" * 100_000 + b"\r")

    assert lines == ["x" * 100_000]
    assert echo == b"x" * 100_000 + b"\r\n"


def test_a_line_may_arrive_in_pieces_and_a_crlf_is_one_line_break() -> None:
    assert typed(b"What is ", b"6 * 7?", b"\r\n", b"next\n") == (
        ["What is 6 * 7?", "next"],
        b"What is 6 * 7?\r\nnext\r\n",
    )


def test_backspace_removes_a_whole_character_even_a_multibyte_one() -> None:
    lines, echo = typed("café".encode() + b"\x7f\x7fe\x08x\r")

    assert lines == ["cax"]
    assert echo.count(b"\b \b") == 3


def test_ctrl_u_clears_the_line_and_shows_the_prompt_again() -> None:
    lines, echo = typed(b"wrong\x15right\r")

    assert lines == ["right"]
    assert b"\r\x1b[Kyou> " in echo


def test_ctrl_d_on_an_empty_line_ends_the_input_and_is_ignored_otherwise() -> None:
    assert typed(b"abc\x04\r\x04")[0] == ["abc", None]


def test_arrow_and_function_keys_are_ignored() -> None:
    assert typed(b"a\x1b[Db\x1bOAc\x1b[15~d\r")[0] == ["abcd"]


def test_a_bracketed_paste_keeps_its_line_breaks_as_one_message() -> None:
    lines, echo = typed(PASTE_START + b"first line\rsecond line" + PASTE_END + b"\r")

    assert lines == ["first line\nsecond line"]
    assert echo == b"first line\r\nsecond line\r\n"


def test_control_characters_other_than_tab_are_not_taken_into_the_line() -> None:
    assert typed(b"a\tb\x07\x01c\r")[0] == ["a\tbc"]
