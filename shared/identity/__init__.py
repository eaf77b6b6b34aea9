"""Who is asking: people's signed tokens, verified by the orchestrator, and the short-lived proof each tool
call carries to the team that runs it, verified by that team before anything starts."""
