"""Tool routing: where each tool call the model asks for goes (refused, run locally, sent to a team through
its circuit breaker), and what a remote call's answer or failure comes to."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import nexusrpc
import pytest
from pydantic import ValidationError
from temporalio.exceptions import NexusOperationError, TimeoutError, TimeoutType

from finance_service.tools import build_team as finance_team
from orchestrator.catalog import ToolCatalog
from orchestrator.circuit_breaker import COOLDOWN, FAILURES_TO_OPEN, CircuitBreaker
from orchestrator.local_tools import LOCAL_TOOLS
from orchestrator.models import ModelToolCall
from orchestrator.service_directory import TeamEndpoint
from orchestrator.tool_routing import Refused, RunLocally, RunRemotely, ToolRouter
from shared.contract import ExecuteToolOutput

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
FINANCE = TeamEndpoint(team="finance", endpoint="finance-endpoint")


def router(breakers: dict[str, CircuitBreaker] | None = None) -> ToolRouter:
    catalog = ToolCatalog(LOCAL_TOOLS)
    catalog.add_service(FINANCE, finance_team().specs())
    return ToolRouter(catalog, {} if breakers is None else breakers, timedelta(seconds=60))


def model_call(name: str, arguments: str) -> ModelToolCall:
    return ModelToolCall(id="call_1", name=name, arguments=arguments)


def refusal(route: object) -> tuple[str, str, str]:
    """The refused call's tool and service as the user sees them, and the error the model reads."""
    assert isinstance(route, Refused), f"expected a refusal, got {route!r}"
    record, message = route.outcome
    assert not record.ok and json.loads(message) == {"ok": False, "error": record.error}
    assert record.error is not None
    return record.tool, record.service, record.error


def remote(route: object) -> RunRemotely:
    assert isinstance(route, RunRemotely), f"expected a remote call, got {route!r}"
    return route


def nexus_failure(cause: BaseException) -> NexusOperationError:
    error = NexusOperationError(
        "nexus operation completed unsuccessfully",
        scheduled_event_id=5,
        endpoint=FINANCE.endpoint,
        service="ToolService",
        operation="execute_tool",
        operation_token="",
    )
    error.__cause__ = cause
    return error


def contract_violation() -> ValidationError:
    with pytest.raises(ValidationError) as raised:
        ExecuteToolOutput.model_validate({"tool": "stock_price"})
    return raised.value


def test_arguments_that_are_not_json_are_refused_with_the_parse_error() -> None:
    route = router().route(model_call("finance__stock_price", '{"ticker": '), NOW)

    tool, service, error = refusal(route)
    assert (tool, service) == ("stock_price", "finance")
    assert error.startswith("The arguments are not valid JSON (Expecting value")


def test_arguments_that_are_not_a_json_object_are_refused() -> None:
    route = router().route(model_call("calculator", '["1 + 1"]'), NOW)

    assert refusal(route) == ("calculator", "local", "The arguments must be a JSON object.")


def test_an_unknown_tool_is_refused_naming_the_tools_there_are() -> None:
    route = router().route(model_call("hr__headcount", "{}"), NOW)

    tool, service, error = refusal(route)
    assert (tool, service) == ("hr__headcount", "unknown")
    assert error == (
        "There is no tool 'hr__headcount'. Available tools: "
        "calculator, weather, finance__stock_price, finance__calculate_roi."
    )


def test_a_local_tool_runs_locally_with_the_parsed_arguments() -> None:
    route = router().route(model_call("calculator", '{"expression": "125 * 8"}'), NOW)

    assert isinstance(route, RunLocally)
    assert (route.entry.tool, route.arguments) == ("calculator", {"expression": "125 * 8"})


def test_no_arguments_at_all_are_an_empty_object() -> None:
    route = router().route(model_call("finance__stock_price", ""), NOW)

    assert remote(route).arguments == {}


def test_a_remote_tool_goes_to_its_team_under_the_teams_own_breaker() -> None:
    routing = router()

    route = remote(routing.route(model_call("finance__stock_price", '{"ticker": "TSLA"}'), NOW))

    assert (route.entry.tool, route.entry.endpoint, route.arguments) == (
        "stock_price",
        "finance-endpoint",
        {"ticker": "TSLA"},
    )
    assert route.breaker is routing.breakers["finance"]


def test_a_call_to_a_team_whose_breaker_is_open_is_refused_saying_for_how_long() -> None:
    breaker = CircuitBreaker()
    for _ in range(FAILURES_TO_OPEN):
        breaker.record_failure(NOW)

    route = router({"finance": breaker}).route(model_call("finance__stock_price", '{"ticker": "TSLA"}'), NOW)

    tool, service, error = refusal(route)
    assert (tool, service) == ("stock_price", "finance")
    assert error.startswith(
        f"The finance service failed {FAILURES_TO_OPEN} times in a row, so the agent is not calling it for "
        f"the next {round(COOLDOWN.total_seconds())} s."
    )


def test_an_open_breaker_does_not_stop_local_tools() -> None:
    breaker = CircuitBreaker()
    for _ in range(FAILURES_TO_OPEN):
        breaker.record_failure(NOW)

    route = router({"finance": breaker}).route(model_call("weather", '{"city": "Paris"}'), NOW)

    assert isinstance(route, RunLocally)


def test_after_the_cooldown_one_trial_call_goes_through_and_the_next_waits_for_it() -> None:
    breaker = CircuitBreaker()
    for _ in range(FAILURES_TO_OPEN):
        breaker.record_failure(NOW)
    routing = router({"finance": breaker})
    later = NOW + COOLDOWN

    first = routing.route(model_call("finance__stock_price", '{"ticker": "TSLA"}'), later)
    second = routing.route(model_call("finance__stock_price", '{"ticker": "MSFT"}'), later)

    assert isinstance(first, RunRemotely)
    assert isinstance(second, Refused)


def test_an_answer_reaches_the_model_and_closes_the_breaker() -> None:
    routing = router({"finance": CircuitBreaker(failures=FAILURES_TO_OPEN - 1)})
    route = remote(routing.route(model_call("finance__stock_price", '{"ticker": "TSLA"}'), NOW))

    record, message = route.answered({"ticker": "TSLA", "price": 402.15})

    assert (record.ok, record.result) == (True, {"ticker": "TSLA", "price": 402.15})
    assert json.loads(message) == {
        "ok": True,
        "result": {"ticker": "TSLA", "price": 402.15},
        "fields": {"ticker": "Ticker symbol.", "price": "Last price."},  # from the tool's output schema
    }
    assert routing.breakers["finance"].failures == 0


def test_a_timed_out_call_counts_against_the_service() -> None:
    routing = router()
    route = remote(routing.route(model_call("finance__stock_price", '{"ticker": "TSLA"}'), NOW))
    timed_out = TimeoutError(
        "operation timed out", type=TimeoutType.SCHEDULE_TO_CLOSE, last_heartbeat_details=[]
    )

    record, _ = route.failed_with(nexus_failure(timed_out), NOW)

    assert (record.ok, record.error) == (False, "operation timed out")
    assert routing.breakers["finance"].failures == 1


def test_a_call_the_service_rejected_as_bad_does_not_count_against_it() -> None:
    routing = router({"finance": CircuitBreaker(failures=FAILURES_TO_OPEN - 1)})
    route = remote(routing.route(model_call("finance__stock_price", '{"ticker": 5}'), NOW))
    bad_request = nexusrpc.HandlerError(
        "Invalid arguments for tool 'stock_price': ticker: Input should be a valid string",
        type=nexusrpc.HandlerErrorType.BAD_REQUEST,
    )

    record, _ = route.failed_with(nexus_failure(bad_request), NOW)

    assert record.error == "Invalid arguments for tool 'stock_price': ticker: Input should be a valid string"
    assert routing.breakers["finance"].failures == 0


def test_an_answer_outside_the_contract_counts_against_the_service_and_says_what_is_wrong() -> None:
    routing = router()
    route = remote(routing.route(model_call("finance__stock_price", '{"ticker": "TSLA"}'), NOW))

    record, message = route.failed_with(contract_violation(), NOW)

    assert record.error == (
        "The service's answer does not match the ToolService contract (call_id: Field required; and 1 more)."
    )
    assert json.loads(message) == {"ok": False, "error": record.error}
    assert routing.breakers["finance"].failures == 1
