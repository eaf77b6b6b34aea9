"""The circuit breaker per tool service: closed, open after failures in a row, half-open with one trial."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from orchestrator.circuit_breaker import COOLDOWN, FAILURES_TO_OPEN, CircuitBreaker

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def opened_at(now: datetime) -> CircuitBreaker:
    breaker = CircuitBreaker()
    for _ in range(FAILURES_TO_OPEN):
        breaker.record_failure(now)
    return breaker


def test_a_closed_circuit_admits_every_call() -> None:
    breaker = CircuitBreaker()

    assert [breaker.admit(NOW) for _ in range(5)] == [True] * 5


def test_failures_short_of_the_threshold_keep_the_circuit_closed() -> None:
    breaker = CircuitBreaker()
    for _ in range(FAILURES_TO_OPEN - 1):
        breaker.record_failure(NOW)

    assert breaker.admit(NOW)


def test_a_success_resets_the_count_of_failures_in_a_row() -> None:
    breaker = CircuitBreaker()
    for _ in range(FAILURES_TO_OPEN - 1):
        breaker.record_failure(NOW)
    breaker.record_success()
    for _ in range(FAILURES_TO_OPEN - 1):
        breaker.record_failure(NOW)

    assert breaker.admit(NOW)


def test_three_failures_in_a_row_open_the_circuit_for_the_cooldown() -> None:
    breaker = opened_at(NOW)

    assert FAILURES_TO_OPEN == 3
    assert not breaker.admit(NOW)
    assert not breaker.admit(NOW + COOLDOWN - timedelta(milliseconds=1))


def test_after_the_cooldown_exactly_one_trial_call_is_admitted() -> None:
    breaker = opened_at(NOW)
    later = NOW + COOLDOWN

    assert breaker.admit(later)
    assert not breaker.admit(later), "a second call while the trial is in flight"
    assert not breaker.admit(later + timedelta(seconds=5))


def test_a_successful_trial_closes_the_circuit() -> None:
    breaker = opened_at(NOW)
    later = NOW + COOLDOWN
    assert breaker.admit(later)

    breaker.record_success()

    assert [breaker.admit(later) for _ in range(3)] == [True] * 3


def test_a_failed_trial_opens_the_circuit_for_another_cooldown() -> None:
    breaker = opened_at(NOW)
    later = NOW + COOLDOWN
    assert breaker.admit(later)

    breaker.record_failure(later)

    assert not breaker.admit(later + COOLDOWN - timedelta(milliseconds=1))
    assert breaker.admit(later + COOLDOWN), "the next trial after the new cooldown"


def test_the_refusal_says_how_many_failures_and_how_long_until_the_next_try() -> None:
    breaker = opened_at(NOW)

    text = breaker.refusal("finance", NOW + timedelta(seconds=10))

    assert "The finance service failed 3 times in a row" in text
    assert f"for the next {round(COOLDOWN.total_seconds()) - 10} s" in text
    assert "unavailable right now" in text
