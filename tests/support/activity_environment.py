"""Running activity code in tests without a worker, with every heartbeat recorded."""

from __future__ import annotations

from temporalio.testing import ActivityEnvironment


def recording_environment() -> tuple[ActivityEnvironment, list[tuple[object, ...]]]:
    """An ``ActivityEnvironment`` and the list its heartbeats' details are appended to."""
    environment = ActivityEnvironment()
    heartbeats: list[tuple[object, ...]] = []
    environment.on_heartbeat = lambda *details: heartbeats.append(details)
    return environment, heartbeats
