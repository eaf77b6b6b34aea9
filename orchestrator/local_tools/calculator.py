"""Safe arithmetic: the expression is parsed into a syntax tree and only numbers and arithmetic operators
are evaluated. Nothing is ever passed to ``eval`` or ``exec``."""

from __future__ import annotations

import ast
import math
import operator
import re
from collections.abc import Callable

from pydantic import BaseModel, ConfigDict, Field

from shared.kit import ToolError

MAX_EXPRESSION_CHARS = 500
MAX_EXPONENT = 1000
MAX_MAGNITUDE = 1e300

_BINARY: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_UNARY: dict[type[ast.unaryop], Callable[[float], float]] = {ast.UAdd: operator.pos, ast.USub: operator.neg}
_CONSTANTS = {"pi": math.pi, "e": math.e}
_TIMES, _DIVIDED_BY = "\u00d7", "\u00f7"
_THOUSANDS_SEPARATOR = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")


class CalculatorArguments(BaseModel):
    """An arithmetic expression."""

    model_config = ConfigDict(extra="forbid")

    expression: str = Field(
        min_length=1,
        max_length=MAX_EXPRESSION_CHARS,
        description="Arithmetic with + - * / // % ** (or ^) and parentheses, e.g. (125 * 8) / 2.",
        examples=["(125 * 8) / 2"],
    )


class CalculatorResult(BaseModel):
    """The value of the expression."""

    expression: str = Field(description="The expression as evaluated.")
    value: float = Field(description="Its value.")


def evaluate(expression: str) -> float:
    """The value of ``expression``; a ``ToolError`` says what is wrong with one that can't be evaluated."""
    normalized = expression.replace("^", "**").replace(_TIMES, "*").replace(_DIVIDED_BY, "/")
    # Only thousands separators go: "1,5" (one and a half in much of the world) is refused, not read as 15.
    normalized = _THOUSANDS_SEPARATOR.sub("", normalized)
    try:
        tree = ast.parse(normalized.strip(), mode="eval")
    except SyntaxError:
        raise ToolError(f"Not an arithmetic expression: {expression!r}") from None
    try:
        value = _evaluate(tree.body)
    except ZeroDivisionError:
        raise ToolError(f"Division by zero in {expression!r}") from None
    except OverflowError:
        raise ToolError(f"The result of {expression!r} is too large") from None
    if isinstance(value, float) and math.isnan(value):
        raise ToolError(f"The result of {expression!r} is not a number")
    return value


def _evaluate(node: ast.expr) -> float:
    value = _evaluate_node(node)
    if abs(value) > MAX_MAGNITUDE:  # checked at every step, so nested powers can't exhaust memory
        raise OverflowError
    return value


def _evaluate_node(node: ast.expr) -> float:
    if (
        isinstance(node, ast.Constant)
        and isinstance(node.value, int | float)
        and not isinstance(node.value, bool)
    ):
        return node.value
    if isinstance(node, ast.Name) and node.id in _CONSTANTS:
        return _CONSTANTS[node.id]
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _UNARY[type(node.op)](_evaluate(node.operand))
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _evaluate(node.left), _evaluate(node.right)
        if isinstance(node.op, ast.Pow) and abs(right) > MAX_EXPONENT:
            raise ToolError(f"Exponent {right:g} is out of range (the limit is {MAX_EXPONENT} either way)")
        result = _BINARY[type(node.op)](left, right)
        if isinstance(result, complex):
            raise ToolError("The result is not a real number")
        return result
    raise ToolError(f"Only numbers and + - * / // % ** are allowed, not {ast.unparse(node)!r}")


async def calculator(arguments: CalculatorArguments) -> CalculatorResult:
    value = evaluate(arguments.expression)
    return CalculatorResult(expression=arguments.expression, value=value)
