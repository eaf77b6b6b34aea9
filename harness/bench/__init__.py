"""What durability costs, measured on a suite of its own (``scripts/bench`` runs it).

- ``probe``: one remote tool call (Nexus ``execute_tool``) against one plain activity, inside a workflow.
- ``baseline``: the least a durable chat can be (an update running one activity), with its worker, for the
  agent's chats to be compared with on the same server.
- ``measurements``: turns with the offline model, chats at once against a stub model and the baseline, a long
  chat, five recoveries after a SIGKILL mid-turn; ``run_bench`` runs them all.
- ``results``: the typed results and the targets they are held to.
- ``output``: the tables (terminal and Markdown), the JSON and the chart (the optional ``bench`` extra).
"""
