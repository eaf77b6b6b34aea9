"""What a tool call comes to for the user and the model, and which failures count against the service."""

from __future__ import annotations

import json
from itertools import pairwise

import nexusrpc
import pytest
from temporalio.exceptions import ApplicationError, NexusOperationError, TimeoutError, TimeoutType

from orchestrator.catalog import CatalogEntry
from orchestrator.tool_results import UNKNOWN_SERVICE, failed, is_service_failure, succeeded
from shared.contract import TOOL_FAILED, TOOL_UNAVAILABLE, ToolSpec
from shared.payload_limits import CUT, cut_result
from shared.topology import load_topology

FINANCE_ENDPOINT = load_topology().tool_service("finance").endpoint
STOCK_PRICE = CatalogEntry(
    model_name="finance__stock_price",
    service="finance",
    spec=ToolSpec(name="stock_price", description="A quote.", input_schema={"type": "object"}),
    endpoint=FINANCE_ENDPOINT,
)
README_RESULT_LIMIT = 6_000
"""The README's promise: a tool result too large for the context is "cut to 6,000 characters"."""


def test_a_result_goes_to_the_user_and_the_model_whole() -> None:
    result = {"ticker": "TSLA", "price": 402.15}

    record, message = succeeded(STOCK_PRICE, {"ticker": "TSLA"}, result)

    assert (record.tool, record.service, record.ok, record.result, record.note) == (
        "stock_price",
        "finance",
        True,
        result,
        None,
    )
    assert json.loads(message) == {"ok": True, "result": result}


def test_a_result_too_large_for_the_context_is_cut_to_6000_characters_with_a_note() -> None:
    result = {"rows": ["x" * 100] * 100}
    size = len(json.dumps(result))

    record, message = succeeded(STOCK_PRICE, {}, result)

    sent = json.loads(message)
    assert sent["ok"] is True and "result" not in sent
    assert len(sent["result_preview"]) == README_RESULT_LIMIT
    assert sent["result_preview"] == json.dumps(result)[:README_RESULT_LIMIT]
    assert sent["note"] == f"The result had {size} characters; only the first 6000 were given to the model."
    assert record.ok and record.result is None and record.note == sent["note"]


def test_a_result_of_exactly_6000_characters_is_not_cut() -> None:
    padding = README_RESULT_LIMIT - len(json.dumps({"text": ""}))
    result = {"text": "x" * padding}

    _, message = succeeded(STOCK_PRICE, {}, result)

    assert json.loads(message) == {"ok": True, "result": result}


def test_a_result_of_6001_characters_is_cut() -> None:
    padding = README_RESULT_LIMIT + 1 - len(json.dumps({"text": ""}))
    result = {"text": "x" * padding}

    _, message = succeeded(STOCK_PRICE, {}, result)

    assert len(json.loads(message)["result_preview"]) == README_RESULT_LIMIT


def test_a_failure_carries_the_error_to_the_user_and_the_model() -> None:
    record, message = failed("finance__stock_price", STOCK_PRICE, {"ticker": "ZZZZ"}, "No quote for 'ZZZZ'")

    assert (record.tool, record.service, record.ok, record.error) == (
        "stock_price",
        "finance",
        False,
        "No quote for 'ZZZZ'",
    )
    assert record.arguments == {"ticker": "ZZZZ"}
    assert json.loads(message) == {"ok": False, "error": "No quote for 'ZZZZ'"}


def test_a_call_to_an_unknown_tool_is_recorded_under_the_name_the_model_used() -> None:
    record, _ = failed("hr__headcount", None, {}, "Unknown tool")

    assert (record.tool, record.service) == ("hr__headcount", UNKNOWN_SERVICE)


def nexus_failure(cause: BaseException) -> NexusOperationError:
    """A failed Nexus call as the workflow sees it, with ``cause`` at the end of the chain."""
    error = NexusOperationError(
        "nexus operation completed unsuccessfully",
        scheduled_event_id=5,
        endpoint=FINANCE_ENDPOINT,
        service="ToolService",
        operation="execute_tool",
        operation_token="",
    )
    error.__cause__ = cause
    return error


def chained(*errors: BaseException) -> BaseException:
    """``errors[0]`` caused by ``errors[1]`` caused by ...; returns the outermost."""
    for outer, inner in pairwise(errors):
        outer.__cause__ = inner
    return errors[0]


@pytest.mark.parametrize(
    ("cause", "service_failure"),
    [
        (TimeoutError("timed out", type=TimeoutType.SCHEDULE_TO_CLOSE, last_heartbeat_details=[]), True),
        (nexusrpc.HandlerError("no worker", type=nexusrpc.HandlerErrorType.UNAVAILABLE), True),
        (nexusrpc.HandlerError("crashed", type=nexusrpc.HandlerErrorType.INTERNAL), True),
        (nexusrpc.HandlerError("Unknown tool 'x'", type=nexusrpc.HandlerErrorType.BAD_REQUEST), False),
        (ApplicationError("Tool 'stock_price' failed: boom", type=TOOL_UNAVAILABLE), True),
        (ApplicationError("Tool 'stock_price' failed: No quote", type=TOOL_FAILED), False),
        (ValueError("something else"), False),
    ],
    ids=["timeout", "unavailable", "internal", "bad-request", "tool-unavailable", "tool-failed", "other"],
)
def test_which_failures_count_against_the_service(cause: BaseException, service_failure: bool) -> None:
    assert is_service_failure(nexus_failure(cause)) is service_failure


def test_the_innermost_cause_decides_however_deep_the_chain() -> None:
    deep = chained(
        ApplicationError("workflow failed", type="WrapperError"),
        nexusrpc.HandlerError("Unknown tool 'x'", type=nexusrpc.HandlerErrorType.BAD_REQUEST),
    )
    timed_out = chained(
        nexusrpc.HandlerError("upstream", type=nexusrpc.HandlerErrorType.BAD_REQUEST),
        TimeoutError("timed out", type=TimeoutType.START_TO_CLOSE, last_heartbeat_details=[]),
    )

    assert is_service_failure(nexus_failure(deep)) is False
    assert is_service_failure(nexus_failure(timed_out)) is True


def test_the_model_reads_what_each_result_field_means_from_the_output_schema() -> None:
    described = STOCK_PRICE.model_copy(
        update={
            "spec": STOCK_PRICE.spec.model_copy(
                update={
                    "output_schema": {
                        "type": "object",
                        "properties": {
                            "ticker": {"type": "string", "description": "Ticker symbol."},
                            "price": {"type": "number", "description": "Last price."},
                            "currency": {"type": "string"},
                        },
                    }
                }
            )
        }
    )
    result = {"ticker": "TSLA", "price": 402.15, "currency": "USD"}

    record, message = succeeded(described, {"ticker": "TSLA"}, result)

    assert record.result == result, "the user's record keeps the raw result"
    assert json.loads(message) == {
        "ok": True,
        "result": result,
        "fields": {"ticker": "Ticker symbol.", "price": "Last price."},
    }


def test_a_result_cut_for_size_carries_no_field_descriptions() -> None:
    described = STOCK_PRICE.model_copy(
        update={
            "spec": STOCK_PRICE.spec.model_copy(
                update={"output_schema": {"properties": {"rows": {"description": "Rows."}}}}
            )
        }
    )

    _, message = succeeded(described, {}, {"rows": ["x" * 100] * 100})

    assert "fields" not in json.loads(message)


def test_a_result_the_team_cut_tells_the_user_and_the_model_it_was_cut() -> None:
    result = cut_result({"rows": ["x" * 100] * 30_000})

    record, message = succeeded(STOCK_PRICE, {}, result)

    sent = json.loads(message)
    expected = f"{result[CUT]} Only the first 6000 characters were given to the model."
    assert record.ok and record.result is None and record.note == expected
    assert sent["note"] == expected
    assert sent["result_preview"].startswith('{"cut": "[cut: the result was 3'), "the model sees it first"
