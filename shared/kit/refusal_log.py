"""One log line for every Nexus request a team refuses: an unknown tool, invalid arguments, a caller who is not
permitted. It names the operation, the tool and the caller's call id, and the reason. A refusal is an answer
to a caller's mistake, not a bug: no traceback, and the SDK's own line for it (which says nothing of what
was refused) is dropped (``shared.log``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nexusrpc import HandlerError
from temporalio.worker import (
    ExecuteNexusOperationStartInput,
    Interceptor,
    NexusOperationInboundInterceptor,
)

from shared.log import get_logger, logged

log = get_logger(__name__)


class RefusalLog(Interceptor):
    """Logs the refusals of ``team``'s Nexus handler; put it first, so it sees the caller check's too."""

    def __init__(self, team: str) -> None:
        self._team = team

    def intercept_nexus_operation(
        self, next: NexusOperationInboundInterceptor
    ) -> NexusOperationInboundInterceptor:
        return _LoggedOperation(next, self._team)


class _LoggedOperation(NexusOperationInboundInterceptor):
    def __init__(self, next: NexusOperationInboundInterceptor, team: str) -> None:
        super().__init__(next)
        self._team = team

    async def execute_nexus_operation_start(self, input: ExecuteNexusOperationStartInput) -> Any:
        try:
            return await self.next.execute_nexus_operation_start(input)
        except HandlerError as refusal:
            log.info(
                "request refused",
                team=self._team,
                operation=input.ctx.operation,
                **_call_of(input.input),
                refusal=refusal.type.name if hasattr(refusal.type, "name") else str(refusal.type),
                reason=str(refusal),
            )
            logged(refusal)
            raise


def _call_of(request: Any) -> dict[str, str]:
    """The tool and call id of an ``execute_tool`` request (a model or, from a caller's own types, a dict)."""
    fields = request if isinstance(request, Mapping) else getattr(request, "__dict__", {})
    return {name: str(fields[name]) for name in ("tool", "call_id") if fields.get(name) is not None}
