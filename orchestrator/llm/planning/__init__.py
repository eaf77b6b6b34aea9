"""The offline model's planner, in parts: ``words`` (how a message is read), ``arithmetic`` (arithmetic in
words), ``tool_views`` (what a tool's schema says), ``clause``, ``values`` and ``strings`` (arguments found
in a clause), ``asks`` (clauses, the tool each asks for), ``follow_ups``, ``context`` (earlier turns),
``answers`` and ``numbers`` (sentences from results), ``suggestions`` (what to ask when nothing matches).
``orchestrator.llm.planner`` puts them together.

No part names a tool or an argument: everything is read from the tools' names, descriptions and schemas.
"""
