"""Who asks, checked before anything starts: a Nexus inbound interceptor on every team's worker.

With identity on, each ``list_tools`` and ``execute_tool`` request must carry a call proof (the
``CALL_PROOF_HEADER``) signed by the orchestrator for this team and, for ``execute_tool``, for exactly this
tool, call id and arguments; the asker must hold the tool's scopes. Anything else is refused as an
UNAUTHORIZED ``HandlerError``, which no caller retries. With identity off, the asker is the local developer.
The handler reads the verified asker with ``current_asker()``.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from nexusrpc import HandlerError, HandlerErrorType
from nexusrpc.handler import StartOperationContext
from temporalio.worker import (
    ExecuteNexusOperationStartInput,
    Interceptor,
    NexusOperationInboundInterceptor,
)

from shared.contract import CALL_PROOF_HEADER, EXECUTE_TOOL, LIST_TOOLS, ExecuteToolInput, arguments_digest
from shared.identity.call_proofs import CallClaims, CallProofVerifier
from shared.identity.identity import LOCAL_DEVELOPER, Identity, IdentityRefused
from shared.kit.team import ToolTeam

_asker: ContextVar[Identity] = ContextVar("asker", default=LOCAL_DEVELOPER)


def current_asker() -> Identity:
    """Who asked for the Nexus operation being handled (the local developer when identity is off)."""
    return _asker.get()


class CallerCheck(Interceptor):
    """Verifies every Nexus request to ``team`` with ``verifier`` (None: identity off)."""

    def __init__(self, team: ToolTeam, verifier: CallProofVerifier | None) -> None:
        self._team = team
        self._verifier = verifier

    def intercept_nexus_operation(
        self, next: NexusOperationInboundInterceptor
    ) -> NexusOperationInboundInterceptor:
        return _CheckedOperation(next, self)

    def asker(self, ctx: StartOperationContext, request: Any) -> Identity:
        """The verified asker of a request, or an UNAUTHORIZED ``HandlerError`` saying why not."""
        if self._verifier is None:
            return LOCAL_DEVELOPER
        team = self._team.name
        call = ExecuteToolInput.model_validate(request) if ctx.operation == EXECUTE_TOOL else None
        expected = CallClaims(team=team, operation=ctx.operation)
        if call is not None:
            expected = expected.model_copy(
                update={
                    "tool": call.tool,
                    "call_id": call.call_id,
                    "arguments_digest": arguments_digest(team, call.tool, call.arguments),
                }
            )
        elif ctx.operation != LIST_TOOLS:
            raise HandlerError(f"Unknown operation {ctx.operation!r}", type=HandlerErrorType.NOT_FOUND)
        proof = next(
            (value for name, value in ctx.headers.items() if name.lower() == CALL_PROOF_HEADER), None
        )
        try:
            asker = self._verifier.verify(proof, expected)
        except IdentityRefused as refusal:
            raise HandlerError(f"Not permitted: {refusal}", type=HandlerErrorType.UNAUTHORIZED) from None
        if call is not None and (missing := asker.lacks(self._team.scopes_of(call.tool))):
            raise HandlerError(
                f"Not permitted: {asker.subject} may not use {team}/{call.tool}, which needs the scope "
                f"{', '.join(missing)}",
                type=HandlerErrorType.UNAUTHORIZED,
            )
        return asker


class _CheckedOperation(NexusOperationInboundInterceptor):
    def __init__(self, next: NexusOperationInboundInterceptor, check: CallerCheck) -> None:
        super().__init__(next)
        self._check = check

    async def execute_nexus_operation_start(self, input: ExecuteNexusOperationStartInput) -> Any:
        reset = _asker.set(self._check.asker(input.ctx, input.input))
        try:
            return await self.next.execute_nexus_operation_start(input)
        finally:
            _asker.reset(reset)
