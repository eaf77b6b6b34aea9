"""Where the repository is, and where the local stack keeps its state (database, logs, keys)."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
LOCAL_STATE_DIR = REPO_ROOT / ".local"
"""Where ``scripts/stack``, the demo and ``scripts/token`` keep the server's database, logs and keys."""
