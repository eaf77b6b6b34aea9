"""The IT team's SQLite ticket ledger: one ticket per idempotency key however often a call is retried,
tickets listed newest first by status, and nothing lost when the worker starts again on the same file."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from it_service.ticket_ledger import SqliteTicketLedger, TicketLedger, ticket_ledger


@pytest.fixture
def ledger(tmp_path: Path) -> SqliteTicketLedger:
    return SqliteTicketLedger(tmp_path / "tickets.db")


def close_ticket(ledger: SqliteTicketLedger, ticket_id: str) -> None:
    """Close a ticket the way a help-desk agent would: in the ticket system, not through a tool."""
    number = int(ticket_id.removeprefix("IT-")) - 1000
    with closing(sqlite3.connect(ledger.path)) as connection, connection:
        connection.execute("UPDATE tickets SET status = 'closed' WHERE number = ?", (number,))


async def test_a_new_ticket_is_open_and_numbered_from_it_1001(ledger: SqliteTicketLedger) -> None:
    ticket = await ledger.create("call-1", "VPN drops", "Since Monday, on the 3rd floor.", "high")

    assert (ticket.id, ticket.title, ticket.description, ticket.priority, ticket.status) == (
        "IT-1001",
        "VPN drops",
        "Since Monday, on the 3rd floor.",
        "high",
        "open",
    )
    assert ticket.created_at.endswith("+00:00"), "created_at is UTC, ISO 8601"


async def test_a_second_create_with_the_same_key_returns_the_first_ticket_and_adds_none(
    ledger: SqliteTicketLedger,
) -> None:
    first = await ledger.create("call-1", "VPN drops", "", "high")

    retried = await ledger.create("call-1", "VPN drops again", "a retry may carry other text", "low")

    assert retried == first
    assert await ledger.recent("open", 500) == [first]


async def test_concurrent_creates_with_the_same_key_make_one_ticket(ledger: SqliteTicketLedger) -> None:
    tickets = await asyncio.gather(*(ledger.create("call-1", "Printer jam", "", "low") for _ in range(10)))

    assert {ticket.id for ticket in tickets} == {"IT-1001"}
    assert [ticket.title for ticket in await ledger.recent("open", 500)] == ["Printer jam"]


async def test_concurrent_creates_with_different_keys_make_one_ticket_each(
    ledger: SqliteTicketLedger,
) -> None:
    tickets = await asyncio.gather(
        *(ledger.create(f"call-{number}", f"Ticket {number}", "", "low") for number in range(10))
    )

    assert len({ticket.id for ticket in tickets}) == 10
    assert len(await ledger.recent("open", 500)) == 10


async def test_two_ledgers_setting_up_one_new_file_at_once_both_write(tmp_path: Path) -> None:
    # Two workers' ledgers meeting a new file: turning it to WAL must not fail either of them.
    path = tmp_path / "tickets.db"
    first, second = SqliteTicketLedger(path), SqliteTicketLedger(path)

    tickets = await asyncio.gather(
        *(
            ledger.create(f"{name}-{number}", "Desk", "", "low")
            for number in range(5)
            for name, ledger in (("a", first), ("b", second))
        )
    )

    assert len({ticket.id for ticket in tickets}) == 10


async def test_different_keys_make_different_tickets_even_with_the_same_text(
    ledger: SqliteTicketLedger,
) -> None:
    first = await ledger.create("call-1", "Printer jam", "", "low")
    second = await ledger.create("call-2", "Printer jam", "", "low")

    assert (first.id, second.id) == ("IT-1001", "IT-1002")


async def test_recent_lists_the_newest_first_up_to_the_limit(ledger: SqliteTicketLedger) -> None:
    for number in range(5):
        await ledger.create(f"call-{number}", f"Ticket {number}", "", "medium")

    listed = await ledger.recent("open", 3)

    assert [ticket.title for ticket in listed] == ["Ticket 4", "Ticket 3", "Ticket 2"]


async def test_recent_lists_only_tickets_of_the_status_asked_for(ledger: SqliteTicketLedger) -> None:
    kept = await ledger.create("call-1", "Still broken", "", "medium")
    fixed = await ledger.create("call-2", "Fixed now", "", "medium")
    close_ticket(ledger, fixed.id)

    open_tickets = await ledger.recent("open", 20)
    closed_tickets = await ledger.recent("closed", 20)

    assert [ticket.id for ticket in open_tickets] == [kept.id]
    assert [(ticket.id, ticket.status) for ticket in closed_tickets] == [(fixed.id, "closed")]


async def test_an_empty_ledger_lists_nothing(ledger: SqliteTicketLedger) -> None:
    assert await ledger.recent("open", 20) == []


async def test_a_ledger_opened_again_on_the_same_file_keeps_its_tickets_and_keys(tmp_path: Path) -> None:
    path = tmp_path / "tickets.db"
    before = await SqliteTicketLedger(path).create("call-1", "VPN drops", "", "high")

    after_restart = SqliteTicketLedger(path)
    retried = await after_restart.create("call-1", "VPN drops", "", "high")

    assert retried == before
    assert await after_restart.recent("open", 20) == [before]


async def test_the_database_and_its_folder_are_made_on_first_use(tmp_path: Path) -> None:
    path = tmp_path / "not" / "there" / "yet" / "tickets.db"

    await SqliteTicketLedger(path).create("call-1", "VPN drops", "", "high")

    assert path.is_file()


def test_the_default_ledger_is_sqlite_at_the_path_in_it_ticket_db(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("IT_TICKET_LEDGER", raising=False)
    monkeypatch.setenv("IT_TICKET_DB", str(tmp_path / "elsewhere.db"))

    ledger = ticket_ledger()

    assert isinstance(ledger, SqliteTicketLedger)
    assert isinstance(ledger, TicketLedger)
    assert ledger.path == tmp_path / "elsewhere.db"
