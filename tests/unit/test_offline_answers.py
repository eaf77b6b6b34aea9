"""The offline model's answers once results are in: one sentence per call, from the result and what its
fields mean (the ``fields`` the workflow adds from the tool's output schema), numbers written for people."""

from __future__ import annotations

import json
from typing import Any

import pytest

from orchestrator.llm.planner import plan
from orchestrator.llm.planning.numbers import money, plain
from tests.support.offline_chat import TOOLS


def answer(tool: str, arguments: dict[str, Any], outcome: dict[str, Any]) -> str:
    messages: list[dict[str, Any]] = [
        {"role": "user", "content": "..."},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "c1",
                    "type": "function",
                    "function": {"name": tool, "arguments": json.dumps(arguments)},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "content": json.dumps(outcome)},
    ]
    step = plan(messages, TOOLS)
    assert not step.calls and step.text is not None
    return step.text


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (1000.0, "1,000"),
        (16288.95, "16,288.95"),
        (2 / 3, "0.6666666667"),
        (-7.0, "-7"),
        (1e20, "100,000,000,000,000,000,000"),
    ],
)
def test_numbers_are_written_for_people(value: float, written: str) -> None:
    assert plain(value) == written


@pytest.mark.parametrize(
    ("value", "currency", "written"),
    [(512.3, "USD", "$512.30"), (-3.5, "EUR", "-\u20ac3.50"), (100, "CHF", "100.00 CHF")],
)
def test_money_is_written_with_its_currency(value: float, currency: str, written: str) -> None:
    assert money(value, currency) == written


def test_an_arithmetic_result_is_an_equation() -> None:
    text = answer(
        "calculator",
        {"expression": "125 * 8"},
        {"ok": True, "result": {"expression": "125 * 8", "value": 1000.0}},
    )

    assert text == "[offline model] 125 \u00d7 8 = 1,000."


def test_a_result_without_field_descriptions_still_reads_as_a_sentence() -> None:
    text = answer(
        "hr__headcount",
        {"department": "Engineering"},
        {"ok": True, "result": {"department": "Engineering", "people": 42}},
    )

    assert text == "[offline model] Engineering: people 42."


def test_units_come_from_field_names_and_descriptions() -> None:
    result = {
        "city": "Tokyo",
        "country": "JP",
        "temperature_c": 14.0,
        "wind_kph": 8.0,
        "humidity_percent": 47,
    }
    fields = {"country": "ISO country code.", "temperature_c": "Air temperature in degrees Celsius."}

    text = answer("weather", {"city": "Tokyo"}, {"ok": True, "result": result, "fields": fields})

    assert text == "[offline model] Tokyo (JP): temperature 14 \u00b0C, wind 8 km/h and humidity 47%."


def test_a_list_in_a_result_is_summed_up_item_by_item() -> None:
    tickets = [
        {"id": "IT-1002", "title": "VPN drops every hour", "priority": "high", "status": "open"},
        {"id": "IT-1001", "title": "Printer jammed", "priority": "low", "status": "open"},
    ]

    text = answer("it__list_tickets", {}, {"ok": True, "result": {"tickets": tickets, "count": 2}})

    assert text == (
        "[offline model] Count 2 and tickets: IT-1002 (\u201cVPN drops every hour\u201d, high, open), "
        "IT-1001 (Printer jammed, low, open)."
    )


def test_a_failed_call_says_what_failed_and_why() -> None:
    text = answer(
        "finance__stock_price", {"ticker": "ZZZZ"}, {"ok": False, "error": "No quote for ticker 'ZZZZ'"}
    )

    assert text == "[offline model] Stock price for ZZZZ failed: No quote for ticker 'ZZZZ'."


def test_a_result_too_large_to_show_says_so() -> None:
    outcome = {
        "ok": True,
        "result_preview": "{...",
        "note": "The result had 9000 characters; only the first 6000 were given to the model.",
    }

    text = answer("it__list_tickets", {}, outcome)

    assert "The result had 9000 characters" in text
