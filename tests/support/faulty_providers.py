"""Providers with faults (a crash, a slow write, a huge answer), plugged into real worker processes through
the teams' provider variables (``FINANCE_QUOTE_PROVIDER``, ``IT_TICKET_LEDGER``), exactly as an operator plugs
in a real provider."""

from __future__ import annotations

import asyncio
import os

from finance_service.models import StockQuote
from it_service.models import Priority, Ticket
from it_service.ticket_ledger import SqliteTicketLedger

BROKEN_CALLS_FILE = "BROKEN_QUOTE_CALLS_FILE"
"""Where ``BrokenQuoteProvider`` notes each call, so a test can see the bug being hit and retried."""


class BrokenQuoteProvider:
    """A release with a bug: every quote crashes (not a ToolError, so Temporal keeps retrying)."""

    async def quote(self, ticker: str) -> StockQuote:
        if calls := os.environ.get(BROKEN_CALLS_FILE):
            await asyncio.to_thread(_note, calls, ticker)
        raise RuntimeError(f"bug: the quote parser crashed on {ticker}")


class HugeQuoteProvider:
    """A provider whose answer is far too large to keep: a company name of 3 MB."""

    async def quote(self, ticker: str) -> StockQuote:
        return StockQuote(
            ticker=ticker,
            name="Very Large Company " * 160_000,
            price=1.0,
            previous_close=1.0,
            change_percent=0.0,
            currency="USD",
            as_of="2026-01-02",
            source="huge",
        )


def _note(path: str, line: str) -> None:
    with open(path, "a") as notes:
        notes.write(f"{line}\n")


class SlowTicketLedger(SqliteTicketLedger):
    """Writes the ticket, then takes 2 s to answer: a crash in that window is the classic duplicate maker."""

    async def create(
        self,
        idempotency_key: str,
        title: str,
        description: str,
        priority: Priority,
        requested_by: str | None = None,
    ) -> Ticket:
        ticket = await super().create(idempotency_key, title, description, priority, requested_by)
        await asyncio.sleep(2)
        return ticket
