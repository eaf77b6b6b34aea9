"""Reading the IT ticket ledger directly, as an auditor would: the same check ``scripts/chaos`` makes."""

from __future__ import annotations

from scripts.chaos import tickets_titled

__all__ = ["tickets_titled"]
