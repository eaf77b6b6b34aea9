"""Cutting what is too large to keep: a model's answer or a tool's result keeps at most ``MAX_KEPT_BYTES``,
says it was cut and how large it was, and stays readable (valid UTF-8, valid JSON)."""

from __future__ import annotations

import json

from shared.payload_limits import CUT, MAX_KEPT_BYTES, PAYLOAD_LIMIT_BYTES, PREVIEW, cut_result, cut_text


def test_the_kept_limit_leaves_room_for_several_in_one_payload() -> None:
    assert MAX_KEPT_BYTES * 4 <= PAYLOAD_LIMIT_BYTES


def test_text_within_the_limit_is_kept_whole() -> None:
    text = "x" * MAX_KEPT_BYTES

    assert cut_text(text, "the model's answer") == text


def test_text_over_the_limit_keeps_its_start_and_ends_with_a_note_of_its_size() -> None:
    text = "abc" * 1_000_000

    cut = cut_text(text, "the model's answer")

    assert len(cut.encode()) <= MAX_KEPT_BYTES
    assert cut.endswith("\n[cut: the model's answer was 3000000 bytes]")
    assert text.startswith(cut.rsplit("\n", 1)[0])


def test_a_cut_never_splits_a_character() -> None:
    text = "é" * 30  # two bytes each

    cut = cut_text(text, "it", limit=len("\n[cut: it was 60 bytes]") + 5)

    assert cut == "éé\n[cut: it was 60 bytes]"


def test_a_result_within_the_limit_is_kept_whole() -> None:
    result = {"rows": ["x" * 100] * 100}

    assert cut_result(result) is result


def test_a_result_over_the_limit_becomes_a_note_and_the_start_of_its_json() -> None:
    result = {"rows": [{"name": 'say "hi"', "path": "C:\\temp"}] * 100_000}
    text = json.dumps(result)

    cut = cut_result(result)

    assert list(cut) == [CUT, PREVIEW], "the note first, where a reader looks"
    assert cut[CUT] == f"[cut: the result was {len(text)} bytes; preview holds the start of its JSON]"
    assert text.startswith(cut[PREVIEW])
    assert len(json.dumps(cut)) <= MAX_KEPT_BYTES, "quotes and backslashes escaped again still fit"
