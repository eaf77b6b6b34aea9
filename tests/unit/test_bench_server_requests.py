"""The bench's count of what the dev server was asked: read from the server's Prometheus text, per turn."""

from __future__ import annotations

from harness.bench.output import as_markdown
from harness.bench.server_requests import parse_requests, per_turn
from tests.unit.test_bench_results import report

# As the dev server writes them: one line per namespace, operation and service.
METRICS = """\
# HELP service_requests service_requests counter
# TYPE service_requests counter
service_requests{namespace="orchestrator",operation="AddActivityTask",service_name="matching"} 150
service_requests{namespace="finance",operation="AddActivityTask",service_name="matching"} 3
service_requests{namespace="orchestrator",operation="PollActivityTaskQueue",service_name="frontend"} 140
service_requests{namespace="orchestrator",operation="PollActivityTaskQueue",service_name="matching"} 999
service_requests{namespace="_unknown_",operation="Check",service_name="frontend"} 0
# HELP persistence_requests persistence_requests counter
# TYPE persistence_requests counter
persistence_requests{operation="CreateTasks",service_name="matching"} 12
"""


def test_requests_are_counted_by_service_and_operation_over_every_namespace() -> None:
    counts = parse_requests(METRICS)

    assert counts["activity tasks added to matching"] == 153
    assert counts["activity tasks polled"] == 140  # the frontend's polls, not matching's share of them
    assert counts["task queue writes"] == 12
    assert counts["activity heartbeats"] == 0


def test_per_turn_is_the_difference_over_the_turns_for_every_kind() -> None:
    before = parse_requests(METRICS)
    after = parse_requests(METRICS.replace("} 150", "} 450").replace("} 140", "} 440"))

    turns = per_turn(before, after, 300)

    assert turns["activity tasks added to matching"] == 1.0
    assert turns["activity tasks polled"] == 1.0
    assert turns["updates (a turn's message)"] == 0.0


def test_the_table_sets_the_agent_against_the_baseline() -> None:
    bench = report([])
    level = bench.concurrency[-1]
    level.agent.server_requests_per_turn = {"activity tasks added to matching": 1.0}
    level.baseline.server_requests_per_turn = {"activity tasks added to matching": 0.12}

    row = next(line for line in as_markdown(bench).splitlines() if "added to matching" in line)

    assert "1.00" in row and "0.12" in row
