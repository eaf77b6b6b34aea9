"""What the dev server was asked while chats took turns, from its own Prometheus endpoint (``/metrics``): the
requests of the kinds a turn is made of, per turn, so the bench can set the agent's turn against the
baseline's request by request. CPU figures say how much the server worked; these say what for.

A turn of either chat is an update, two workflow tasks and one activity, which runs on the workflow's own
task queue in the worker that completed the workflow task: the server hands it back with that completion
(eager dispatch) and matching never sees it, unless the worker had no slot free (or, deployed by role, runs
no activities: then it is added to matching, polled and started through the history service). The agent's
model call also heartbeats."""

from __future__ import annotations

import urllib.request
from collections import Counter

from prometheus_client.parser import text_string_to_metric_families

from harness.server import ServerState, StackError

READ_TIMEOUT_SECONDS = 5.0

REQUESTS: dict[str, tuple[str, str, str]] = {
    # shown as: (metric family, the server's service, operation)
    "updates (a turn's message)": ("service_requests", "frontend", "UpdateWorkflowExecution"),
    "workflow tasks completed": ("service_requests", "frontend", "RespondWorkflowTaskCompleted"),
    "activity tasks polled": ("service_requests", "frontend", "PollActivityTaskQueue"),
    "activity tasks added to matching": ("service_requests", "matching", "AddActivityTask"),
    "activity tasks started through history": ("service_requests", "history", "RecordActivityTaskStarted"),
    "activity heartbeats": ("service_requests", "frontend", "RecordActivityTaskHeartbeat"),
    "activity tasks completed": ("service_requests", "frontend", "RespondActivityTaskCompleted"),
    "workflow state writes": ("persistence_requests", "history", "UpdateWorkflowExecution"),
    "task queue writes": ("persistence_requests", "matching", "CreateTasks"),
}
"""The kinds of request shown, by the name a reader sees."""


def parse_requests(metrics_text: str) -> Counter[str]:
    """The count so far of each kind of ``REQUESTS`` in the Prometheus text ``metrics_text``."""
    wanted = {key: name for name, key in REQUESTS.items()}
    counts: Counter[str] = Counter()
    for family in text_string_to_metric_families(metrics_text):
        for sample in family.samples:
            key = (family.name, sample.labels.get("service_name", ""), sample.labels.get("operation", ""))
            if key in wanted:
                counts[wanted[key]] += round(sample.value)
    return counts


def server_requests(server: ServerState) -> Counter[str]:
    """The dev server's counts so far (``parse_requests``), read from its metrics endpoint."""
    if server.metrics_port is None:
        raise StackError("This dev server was started without a metrics port: start it again")
    url = f"http://127.0.0.1:{server.metrics_port}/metrics"
    with urllib.request.urlopen(url, timeout=READ_TIMEOUT_SECONDS) as response:
        return parse_requests(response.read().decode())


def per_turn(before: Counter[str], after: Counter[str], turns: int) -> dict[str, float]:
    """Each kind's requests between ``before`` and ``after``, per turn of ``turns``, in ``REQUESTS``' order."""
    return {name: round((after[name] - before[name]) / turns, 2) for name in REQUESTS}
