"""Serve the web chat: ``python -m orchestrator.web [--host 127.0.0.1] [--port 8000] [--profile P]
[--temporal-ui URL]``, then open http://127.0.0.1:8000/.

It connects to Temporal like every other part (``TEMPORAL_ADDRESS``, profiles: ``shared.connection``), in the
orchestrator's namespace, and needs an orchestrator worker running to answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import Sequence

from temporalio.client import Client

from orchestrator.web.app import serve
from orchestrator.web.web_settings import parse_settings
from shared.connection import connect
from shared.log import configure_logging
from shared.process import ServerUnreachable, exit_process
from shared.topology import load_topology


async def main(argv: Sequence[str] | None = None, client: Client | None = None) -> None:
    settings = parse_settings(argv)
    configure_logging()
    if client is None:
        client = await connect(load_topology().orchestrator.namespace, profile=settings.profile)
    await serve(client, settings)


if __name__ == "__main__":
    code = 0
    with contextlib.suppress(KeyboardInterrupt):
        try:
            asyncio.run(main())
        except ServerUnreachable as problem:  # one line naming the address, no traceback
            print(problem, file=sys.stderr)
            code = 2
    exit_process(code)
