"""Freeing a chat from a dead worker's sticky queue is best effort: a request that fails is logged, and the
attempt it runs beside goes on (``orchestrator.sticky_release``)."""

from __future__ import annotations

from structlog.testing import capture_logs
from temporalio.testing import ActivityEnvironment

from orchestrator.sticky_release import release_sticky_workflow


async def test_a_release_that_cannot_reach_the_server_is_logged_not_raised() -> None:
    environment = ActivityEnvironment()  # it has no client: the request fails before it is sent

    with capture_logs() as logs:
        await environment.run(release_sticky_workflow, "default", "chat-1", "run-1")  # raises nothing

    (warning,) = logs
    assert warning["log_level"] == "warning"
    assert warning["event"] == "could not free the workflow from its sticky queue"
    assert warning["error"], "the log says why"
