"""Which of the workflows' patches a run takes: one marker for all of them in the runs this version starts.

Each change to the workflows' code since the first recorded histories is a ``workflow.patched`` id (named
where its change lives: ``worker_steps``, ``identity_checks``...). A run that took them one by one recorded
a marker for each, and with each the SDK upserts the ``TemporalChangeVersion`` search attribute: eight
markers and eight visibility writes before a new chat's first step. Since then a run records one marker, a
bundle's, that stands for every id the bundle lists (``BUNDLES``). A run started by this version takes the
newest bundle; a run recorded with an older bundle replays (and goes on) taking that bundle's ids, and the
ids added since as single patches; a run recorded before any bundle takes each id as it did.
(``parallel-start`` was only ever taken through a bundle.)

Deterministic workflow code. ``decide`` is every run's first step, so the bundle's marker sits at the same
place in every history and the run's answer is fixed (the SDK memoizes it) before any id is read.
"""

from __future__ import annotations

from temporalio import workflow

PATCHES_2026_11 = "patches-2026-11"
BUNDLED_2026_11 = frozenset(
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
PATCHES_2026_11_28 = "patches-2026-11-28"
BUNDLED_2026_11_28 = BUNDLED_2026_11 | {"open-chat"}

BUNDLES = ((PATCHES_2026_11_28, BUNDLED_2026_11_28), (PATCHES_2026_11, BUNDLED_2026_11))
"""Every bundle, newest first, with the ids it stands for: every patch of the workflows up to its version."""


def decide() -> None:
    """As every run's first step: which bundle this run takes (new runs: the newest), if any."""
    for bundle, _ in BUNDLES:
        if workflow.patched(bundle):
            return


def patched(patch_id: str) -> bool:
    """``workflow.patched(patch_id)``, true at once in a run whose bundle stands for it (recording no marker)."""
    for bundle, ids in BUNDLES:
        if patch_id in ids and workflow.patched(bundle):
            return True
    return workflow.patched(patch_id)
