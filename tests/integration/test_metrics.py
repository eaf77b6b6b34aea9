"""Metrics: every worker serves the SDK's and the suite's metrics on a Prometheus endpoint at its
``METRICS_ADDRESS``, with the labels the README lists. A suite of its own (each worker on a port of its own),
the offline model, one conversation, then each endpoint scraped over HTTP."""

from __future__ import annotations

import asyncio
import re
import urllib.request
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from harness.server import free_port
from harness.suite import Suite, offline_settings, running_suite
from harness.workers import topology_workers
from orchestrator.conversation import Conversation
from shared.metrics import (
    CHATS_STARTED,
    MODEL_CALL_LATENCY,
    MODEL_COST,
    MODEL_TOKENS,
    TOOL_CALL_LATENCY,
    TURNS,
    metrics_runtime,
)
from shared.topology import ORCHESTRATOR, load_topology
from tests.support.waiting import eventually

_direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@pytest.fixture(scope="module")
async def measured(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[tuple[Suite, dict[str, str]]]:
    state = tmp_path_factory.mktemp("measured")
    addresses = {part: f"127.0.0.1:{free_port()}" for part in load_topology().sites()}
    workers = [
        replace(spec, env={**spec.env, "METRICS_ADDRESS": addresses[part]})
        for part, spec in topology_workers(load_topology()).items()
    ]
    async with running_suite(state, env=offline_settings(state / "tickets.db"), workers=workers) as suite:
        yield suite, addresses


def scrape(address: str) -> str:
    with _direct.open(f"http://{address}/metrics", timeout=10) as response:
        return str(response.read().decode())


def series(text: str, name: str) -> list[dict[str, str]]:
    """The label sets of every sample of ``name`` (histogram buckets, sums and counts included)."""
    found = []
    for line in text.splitlines():
        match = re.match(rf"^{name}(?:_bucket|_sum|_count|_total)?\{{(.*)\}} ", line)
        if match:
            found.append(dict(re.findall(r'(\w+)="([^"]*)"', match.group(1))))
    return found


async def test_each_worker_serves_the_suites_metrics_with_their_labels(
    measured: tuple[Suite, dict[str, str]],
) -> None:
    suite, addresses = measured
    chat = await Conversation.start(suite.client)
    reply = await chat.send("What is the stock price of TSLA and what is 125 * 8?")
    assert sorted(call.tool for call in reply.tool_calls) == ["calculator", "stock_price"]
    orchestrator_address = addresses[ORCHESTRATOR]

    async def recorded() -> bool:
        text = await asyncio.to_thread(scrape, orchestrator_address)
        return bool(series(text, TURNS)) and bool(series(text, TOOL_CALL_LATENCY))

    await eventually(recorded, within=30, what="the turn's metrics")
    agent = await asyncio.to_thread(scrape, orchestrator_address)

    model = {"model": "offline/planner", "outcome": "ok"}
    assert any(model.items() <= labels.items() for labels in series(agent, MODEL_CALL_LATENCY))
    assert {"input", "output"} <= {labels.get("direction") for labels in series(agent, MODEL_TOKENS)}
    assert any(labels.get("model") == "offline/planner" for labels in series(agent, MODEL_COST))
    tools = {
        (labels.get("team"), labels.get("tool"), labels.get("outcome"))
        for labels in series(agent, TOOL_CALL_LATENCY)
    }
    assert {("finance", "stock_price", "ok"), ("local", "calculator", "ok")} <= tools
    assert series(agent, TURNS) and series(agent, CHATS_STARTED)
    assert "temporal_workflow_task_execution_latency" in agent, "the SDK's own metrics"
    for team in load_topology().tool_services:
        team_metrics = await asyncio.to_thread(scrape, addresses[team])
        assert "temporal_" in team_metrics, f"the {team} worker serves the SDK's metrics"
    finance = await asyncio.to_thread(scrape, addresses["finance"])
    assert "stock_price" in finance, "the Finance worker's metrics name the tool's activity"


def test_without_metrics_address_a_process_serves_none() -> None:
    with pytest.MonkeyPatch.context() as environment:
        environment.setenv("METRICS_ADDRESS", "")
        assert metrics_runtime() is None
