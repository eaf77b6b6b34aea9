"""Which of the workflows' patches a run takes: one marker for all of them in the runs this version starts.

Each change to the workflows' code since the first recorded histories is a ``workflow.patched`` id (named
where its change lives: ``worker_steps``, ``identity_checks``...). A run that took them one by one recorded
a marker for each, and with each the SDK upserts the ``TemporalChangeVersion`` search attribute: eight
markers and eight visibility writes before a new chat's first step. (``parallel-start`` was only ever
taken through the bundle.) A run started by this version records
``PATCHES_2026_11`` alone, which stands for every id of ``BUNDLED``; a run recorded before it has no such
marker, and replays (and goes on) taking each id as it did.

Deterministic workflow code. ``decide`` is every run's first step, so the bundle's marker sits at the same
place in every history and the run's answer is fixed (the SDK memoizes it) before any id is read.
"""

from __future__ import annotations

from temporalio import workflow

PATCHES_2026_11 = "patches-2026-11"
BUNDLED = frozenset(
    {
        "search-attributes",
        "identity",
        "approval-policy",
        "worker-steps-as-activities",
        "unchecked-local-messages",
        "catalog-refresh",
        "model-fallback",
        "context-by-tokens",
        "parallel-start",
    }
)
"""The ids ``PATCHES_2026_11`` stands for: every patch of the workflows up to this version."""


def decide() -> None:
    """As every run's first step: whether this run takes every bundled patch at once (new runs)."""
    workflow.patched(PATCHES_2026_11)


def patched(patch_id: str) -> bool:
    """``workflow.patched(patch_id)``, true at once in a run that took the bundle (recording no marker)."""
    if patch_id in BUNDLED and workflow.patched(PATCHES_2026_11):
        return True
    return workflow.patched(patch_id)
