"""``scripts/chaos`` in miniature: conversations while workers are killed at random, checked end to end."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.chaos import run_chaos


@pytest.mark.timeout(300)  # a suite of its own: server, every worker, six conversations under kills
async def test_conversations_survive_random_worker_kills_with_nothing_wrong_duplicated_or_lost(
    tmp_path: Path,
) -> None:
    # The first kill comes as the conversations start, and more follow every 1-2 s while they run.
    report = await run_chaos(
        conversations=6, concurrency=3, seed=11, state_dir=tmp_path, kill_every=(1.0, 2.0)
    )

    print(
        f"\nchaos: {report.completed}/{report.conversations} completed, {report.kills} kills, {report.seconds:.0f} s"
    )
    assert report.kills > 0, "the monkey must have killed something for this to mean anything"
    assert report.details == []
    assert report.completed == report.conversations
    assert (report.wrong_answers, report.duplicate_effects, report.missing_effects, report.lost_messages) == (
        0,
        0,
        0,
        0,
    )
