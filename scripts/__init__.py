"""Operator scripts for the local stack (and the Python helpers behind them)."""
