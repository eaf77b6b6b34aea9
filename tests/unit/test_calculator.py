"""The calculator: arithmetic is evaluated safely; anything else is a ``ToolError`` that says what is wrong."""

from __future__ import annotations

import time

import pytest
from pydantic import ValidationError

from orchestrator.local_tools.calculator import CalculatorArguments, calculator, evaluate
from shared.kit import ToolError

# --- Results -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "value"),
    [
        ("125 * 8", 1000),
        ("(125 * 8) / 2", 500),
        ("10 / 4", 2.5),
        ("7 // 2", 3),
        ("7 % 3", 1),
        ("-3 + 5", 2),
        ("1.5 + 2.25", 3.75),
    ],
)
def test_arithmetic_gives_its_value(expression: str, value: float) -> None:
    assert evaluate(expression) == value


def test_multiplication_binds_tighter_than_addition() -> None:
    assert evaluate("2 + 3 * 4") == 14


def test_parentheses_override_precedence() -> None:
    assert evaluate("(2 + 3) * 4") == 20


def test_caret_is_power_not_xor() -> None:
    assert evaluate("2^10") == 1024


def test_powers_associate_to_the_right() -> None:
    assert evaluate("2^3^2") == 512


def test_power_binds_tighter_than_unary_minus() -> None:
    assert evaluate("-2^2") == -4


def test_multiplication_and_division_signs_are_understood() -> None:
    assert (evaluate("6 \u00d7 7"), evaluate("6 \u00f7 4")) == (42, 1.5)


def test_thousands_separators_are_ignored() -> None:
    assert evaluate("1,000 + 2,500") == 3500


def test_a_comma_that_is_not_a_thousands_separator_is_not_dropped() -> None:
    # "1,5" is one and a half in much of the world; reading it as 15 would be a silent wrong answer.
    with pytest.raises(ToolError):
        evaluate("1,5 * 2")


def test_pi_and_e_are_known_constants() -> None:
    assert evaluate("2 * pi") == pytest.approx(6.283185307179586)
    assert evaluate("e") == pytest.approx(2.718281828459045)


async def test_the_tool_returns_the_expression_and_its_value() -> None:
    result = await calculator(CalculatorArguments(expression="(125 * 8) / 2"))

    assert (result.expression, result.value) == ("(125 * 8) / 2", 500)


# --- Errors ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("expression", ["1 / 0", "1 // 0", "1 % 0", "5 / (3 - 3)"])
def test_division_by_zero_is_a_tool_error(expression: str) -> None:
    with pytest.raises(ToolError, match="Division by zero"):
        evaluate(expression)


@pytest.mark.parametrize(
    "expression",
    [
        "__import__('os')",
        "().__class__",
        "abs(-1)",
        "x + 1",
        "pi.real",
        "'a' * 3",
        "[1]",
        "True + 1",
        "lambda: 1",
        "1 if 1 else 2",
        "1 < 2",
    ],
)
def test_anything_but_numbers_and_arithmetic_is_rejected(expression: str) -> None:
    with pytest.raises(ToolError, match="Only numbers and"):
        evaluate(expression)


def test_the_rejection_names_the_part_that_is_not_arithmetic() -> None:
    with pytest.raises(ToolError, match=r"not \"__import__\('os'\)\""):
        evaluate("1 + __import__('os')")


@pytest.mark.parametrize("expression", ["", "   ", "1 +", "two plus two", "(1 + 2", "1 2"])
def test_empty_or_garbled_input_is_not_an_arithmetic_expression(expression: str) -> None:
    with pytest.raises(ToolError, match="Not an arithmetic expression"):
        evaluate(expression)


@pytest.mark.parametrize("expression", ["2 ** 1001", "9 ** 9 ** 9", "2 ** -1001", "2^2^2^2^2^2^2^2"])
def test_a_huge_exponent_is_rejected_quickly(expression: str) -> None:
    started = time.perf_counter()

    with pytest.raises(ToolError, match="out of range"):
        evaluate(expression)

    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize(
    "expression", ["10 ** 999", "(2 ** 1000) ** 2", "(10 ** 300) ** 1000", "1e300 * 1e300", "1e400"]
)
def test_a_result_too_large_to_be_useful_is_rejected_quickly(expression: str) -> None:
    started = time.perf_counter()

    with pytest.raises(ToolError, match="too large"):
        evaluate(expression)

    assert time.perf_counter() - started < 0.5


def test_a_huge_number_written_out_is_rejected_as_too_large() -> None:
    with pytest.raises(ToolError, match="too large"):
        evaluate("9" * 400)


def test_a_complex_result_is_rejected() -> None:
    with pytest.raises(ToolError, match="not a real number"):
        evaluate("(-8) ** 0.5")


def test_the_tool_refuses_an_empty_expression_before_evaluating() -> None:
    with pytest.raises(ValidationError, match="expression"):
        CalculatorArguments(expression="")
