"""Where ``create_ticket`` writes: a ledger with exactly-once creation.

Every creation carries the call's idempotency key (``shared.kit.current_call``), which the ledger stores
under a unique constraint: a retried call (after a crash, a redelivered start) finds the ticket it already
made instead of making a second. The default ledger is a local SQLite file (``IT_TICKET_DB``, default
``.local/it-tickets.db``); a real tracker plugs in with ``IT_TICKET_LEDGER=package.module:ClassName``.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
import time
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol, runtime_checkable

from it_service.models import Priority, Ticket
from shared.kit.provider_loading import load_provider

LEDGER_VARIABLE = "IT_TICKET_LEDGER"
DB_VARIABLE = "IT_TICKET_DB"
DEFAULT_DB = Path(".local") / "it-tickets.db"
FIRST_TICKET_NUMBER = 1000
SETUP_WITHIN_SECONDS = 10.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tickets (
    number INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    priority TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open',
    created_at TEXT NOT NULL,
    requested_by TEXT
)
"""
_ADDED_COLUMNS = {"requested_by": "TEXT"}
"""Columns added since the first release: a ledger made before them gets them on first use."""


@runtime_checkable
class TicketLedger(Protocol):
    """Creates tickets exactly once per idempotency key, and lists them."""

    async def create(
        self,
        idempotency_key: str,
        title: str,
        description: str,
        priority: Priority,
        requested_by: str | None = None,
    ) -> Ticket: ...

    async def recent(self, status: str, limit: int) -> list[Ticket]: ...


class SqliteTicketLedger:
    """Tickets in a SQLite file; the idempotency key is unique, so a retry returns the first ticket."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or Path(os.environ.get(DB_VARIABLE) or DEFAULT_DB)
        self._setup_lock = threading.Lock()
        self._set_up = False

    async def create(
        self,
        idempotency_key: str,
        title: str,
        description: str,
        priority: Priority,
        requested_by: str | None = None,
    ) -> Ticket:
        return await asyncio.to_thread(
            self._create, idempotency_key, title, description, priority, requested_by
        )

    async def recent(self, status: str, limit: int) -> list[Ticket]:
        return await asyncio.to_thread(self._recent, status, limit)

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=10)
        connection.row_factory = sqlite3.Row
        with self._setup_lock:
            if not self._set_up:
                _set_up(connection)
                self._set_up = True
        return connection

    def _create(
        self, idempotency_key: str, title: str, description: str, priority: Priority, requested_by: str | None
    ) -> Ticket:
        created_at = datetime.now(UTC).isoformat(timespec="seconds")
        with closing(self._connect()) as connection, connection:
            connection.execute(
                "INSERT INTO tickets (idempotency_key, title, description, priority, created_at, requested_by)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING",
                (idempotency_key, title, description, priority, created_at, requested_by),
            )
            row = connection.execute(
                "SELECT * FROM tickets WHERE idempotency_key = ?", (idempotency_key,)
            ).fetchone()
        return _ticket(row)

    def _recent(self, status: str, limit: int) -> list[Ticket]:
        with closing(self._connect()) as connection, connection:
            rows = connection.execute(
                "SELECT * FROM tickets WHERE status = ? ORDER BY number DESC LIMIT ?", (status, limit)
            ).fetchall()
        return [_ticket(row) for row in rows]


def _set_up(connection: sqlite3.Connection) -> None:
    """The WAL journal (it stays with the file) and the table. Turning a new file to WAL needs a moment when
    no other connection holds it, which SQLite's busy timeout does not wait for (another worker may be
    setting the file up too): retry that briefly."""
    deadline = time.monotonic() + SETUP_WITHIN_SECONDS
    while True:
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute(_SCHEMA)
            present = {row[1] for row in connection.execute("PRAGMA table_info(tickets)")}
            for column, kind in _ADDED_COLUMNS.items():
                if column not in present:
                    connection.execute(f"ALTER TABLE tickets ADD COLUMN {column} {kind}")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _ticket(row: sqlite3.Row) -> Ticket:
    return Ticket(
        id=f"IT-{FIRST_TICKET_NUMBER + row['number']}",
        title=row["title"],
        description=row["description"],
        priority=row["priority"],
        status=row["status"],
        created_at=row["created_at"],
        requested_by=row["requested_by"],
    )


def ticket_ledger() -> TicketLedger:
    return load_provider(LEDGER_VARIABLE, SqliteTicketLedger, TicketLedger)
