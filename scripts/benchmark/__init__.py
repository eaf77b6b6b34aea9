"""The benchmark behind ``scripts/bench``: what durability costs, measured on a local stack it starts itself.

One module per concern: ``stack`` (dev server, workers, stub model), ``probes`` (a remote tool call against
a plain activity), ``turns`` (per-turn latency with the offline model), ``concurrency`` (many chats against a
model with a fixed latency), ``long_chat`` (a chat of many turns), ``recovery`` (a worker SIGKILLed mid-turn),
``usage`` (CPU and memory of processes from /proc), ``targets`` (the goals and whether they hold), ``report``
and ``chart`` (what a person reads), ``models`` (the typed results).
"""
