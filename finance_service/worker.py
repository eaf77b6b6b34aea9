"""The Finance team's worker: ``python -m finance_service.worker [--profile finance]``."""

from __future__ import annotations

from temporalio.client import Client

from finance_service.tools import build_team
from shared.kit import serve_tool_team
from shared.process import start_worker, worker_arguments


async def main(client: Client | None = None, *, profile: str | None = None) -> None:
    await serve_tool_team(build_team(), client, profile=profile)


if __name__ == "__main__":
    arguments = worker_arguments("Run the Finance team's tool worker (namespace finance-namespace).")
    start_worker(main(profile=arguments.profile))
