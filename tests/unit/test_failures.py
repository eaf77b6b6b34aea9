"""Failures read for a person or a model: a validation error summed up on one line."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, Field, ValidationError

from shared.failures import validation_problems


class Inner(BaseModel):
    price: float


class Answer(BaseModel):
    ticker: str = Field(min_length=1)
    quote: Inner


def problems_of(value: object) -> ValidationError:
    with pytest.raises(ValidationError) as raised:
        Answer.model_validate(value)
    return raised.value


def test_every_problem_is_named_by_its_field_path() -> None:
    error = problems_of({"ticker": "", "quote": {"price": "high"}})

    assert validation_problems(error) == (
        "ticker: String should have at least 1 character; "
        "quote.price: Input should be a valid number, unable to parse string as a number"
    )


def test_a_problem_with_the_whole_value_is_named_as_the_caller_says() -> None:
    error = problems_of(["not", "an", "object"])

    assert validation_problems(error, whole="answer").startswith("answer: Input should be a valid dictionary")


def test_top_level_fields_can_go_by_other_names() -> None:
    error = problems_of({"ticker": "", "quote": {"price": 1}})

    assert validation_problems(error, names={"ticker": "TICKER_VARIABLE"}) == (
        "TICKER_VARIABLE: String should have at least 1 character"
    )


def test_only_the_first_problems_are_listed_when_asked_and_the_rest_are_counted() -> None:
    error = problems_of({})

    assert validation_problems(error, at_most=1) == "ticker: Field required; and 1 more"
