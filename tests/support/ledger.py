"""Reading the IT ticket ledger directly, as an auditor would."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def tickets_titled(db: Path, title: str) -> int:
    """How many tickets carry this title (the ledger itself never holds two with one idempotency key)."""
    if not db.exists():
        return 0
    with sqlite3.connect(db) as connection:
        (count,) = connection.execute("SELECT COUNT(*) FROM tickets WHERE title = ?", (title,)).fetchone()
    return int(count)
