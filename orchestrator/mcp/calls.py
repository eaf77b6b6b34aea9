"""One MCP ``tools/call``, made as one call of the tool gateway, and what the client gets back.

**Idempotency.** A call's key is the gateway's idempotency key (the id of its ``call_tool`` update): the same
key sent again, to this process or to another one of the same gateway (after this one was killed mid-call,
say), gets the first call's outcome, and the tool runs once. A client names the key in the request's
``_meta`` as ``io.nexus-agents/idempotency-key`` (or ``idempotency_key``); without one, a call gets a new key.
A key is for one call: sent again with another tool or other arguments, it still gets its first call's
outcome.

**Results.** A tool's result is JSON text content and ``structuredContent``; a failed call (invalid arguments,
the tool's own failure, a team down, its breaker open, a denial) is a tool error (``isError``) with the
gateway's message; so is a call the gateway refuses (an unknown tool: the message lists the available ones),
a refused token, and a gateway that does not answer (then the message says to send the call again with its
key). Nothing a call meets ends the MCP session.

**Identity.** Over stdio a call carries the token of whoever runs the process; over HTTP, the caller's own
``Authorization: Bearer`` token (none: the gateway refuses the call when the suite trusts an issuer).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Mapping
from typing import Any

import mcp_types as types
from mcp.server.context import ServerRequestContext
from mcp.shared.exceptions import MCPError, NoBackChannelError
from mcp_types.version import MODERN_PROTOCOL_VERSIONS
from pydantic import ValidationError
from temporalio.client import (
    WorkflowHandle,
    WorkflowQueryFailedError,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.service import RPCError

from orchestrator.gateway_workflow import ToolGatewayWorkflow
from orchestrator.mcp.approval import (
    APPROVAL_INPUT,
    ApprovalAnswer,
    answer_to,
    input_required,
    question,
    waiting_message,
)
from orchestrator.mcp.settings import GatewayServerSettings
from orchestrator.models import PendingApproval, ToolCallRecord
from orchestrator.tool_gateway import ToolGateway
from shared.failures import failure_message
from shared.log import get_logger

log = get_logger(__name__)

IDEMPOTENCY_KEY_META = "io.nexus-agents/idempotency-key"
"""The ``_meta`` key naming a call's idempotency key."""
IDEMPOTENCY_KEY_ALIAS = "idempotency_key"
"""Also read, for clients that cannot send a namespaced key."""
MAX_KEY_LENGTH = 200
ACCEPTED_WITHIN_SECONDS = 20.0
"""How long the gateway may take to take a call (its workflow's worker accepts it, normally at once)."""
APPROVAL_POLL_SECONDS = 0.25
"""How often a call's pending approval is looked for while its outcome is not there."""
GATEWAY_PROBLEMS = (RPCError, WorkflowQueryFailedError, WorkflowUpdateRPCTimeoutOrCancelledError)
"""What a gateway that cannot be reached, or does not answer, raises."""
ELICITATION_PROBLEMS = (MCPError, NoBackChannelError, ValidationError)
"""What asking the client may raise: it refused, its connection cannot carry the question, or its answer is
not one."""


class BadKey(ValueError):
    """The client's idempotency key cannot be used; the message says what one looks like."""


def call_key(meta: Mapping[str, Any] | None, request_state: str | None) -> str:
    """The call's key: the client's (``_meta``), else the one this server gave the call when it asked for an
    approval (``request_state``, on a 2026-07-28 connection), else a new one."""
    for name in (IDEMPOTENCY_KEY_META, IDEMPOTENCY_KEY_ALIAS):
        if meta is not None and name in meta:
            key = meta[name]
            if not isinstance(key, str) or not 0 < len(key) <= MAX_KEY_LENGTH:
                raise BadKey(
                    f"The idempotency key ({name!r} in _meta) must be a string of 1 to {MAX_KEY_LENGTH} "
                    "characters; the call was not sent."
                )
            return key
    return request_state or str(uuid.uuid4())


def tool_error(message: str) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(text=message)], is_error=True)


def call_result(record: ToolCallRecord) -> types.CallToolResult:
    """The gateway's record of a call, as MCP returns it."""
    if not record.ok:
        return tool_error(record.error or "The call failed, and the gateway did not say why.")
    result = record.result or {}
    content: list[types.ContentBlock] = [types.TextContent(text=json.dumps(result))]
    if record.note:
        content.append(types.TextContent(text=record.note))
    return types.CallToolResult(content=content, structured_content=result)


def bearer_token(request: Any) -> str | None:
    """The token of an HTTP request's ``Authorization: Bearer ...`` header (None on stdio)."""
    if request is None:
        return None
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def supports_elicitation(ctx: ServerRequestContext[Any, Any]) -> bool:
    capabilities = ctx.session.client_capabilities
    return capabilities is not None and capabilities.elicitation is not None


class ToolCalls:
    """The server's ``tools/call`` handler: one gateway call per request."""

    def __init__(
        self, handle: WorkflowHandle[ToolGatewayWorkflow, None], settings: GatewayServerSettings
    ) -> None:
        self._handle = handle
        self._settings = settings

    async def __call__(
        self, ctx: ServerRequestContext[Any, Any], params: types.CallToolRequestParams
    ) -> types.CallToolResult | types.InputRequiredResult:
        try:
            key = call_key(ctx.meta, params.request_state)
        except BadKey as bad:
            return tool_error(str(bad))
        gateway = ToolGateway(self._handle, token=self._token(ctx))
        try:
            return await self._call(ctx, params, gateway, key)
        except WorkflowUpdateFailedError as refused:
            return tool_error(failure_message(refused))
        except GATEWAY_PROBLEMS as problem:
            log.warning(
                "the tool gateway did not answer a call", tool=params.name, key=key, error=str(problem)
            )
            return tool_error(
                f"The tool gateway {self._handle.id} did not answer ({failure_message(problem)}). The call may have "
                f"been sent: send it again with the idempotency key {key!r} (_meta {IDEMPOTENCY_KEY_META!r}) "
                "for its outcome; it runs at most once."
            )

    def _token(self, ctx: ServerRequestContext[Any, Any]) -> str | None:
        return bearer_token(ctx.request) if self._settings.http else self._settings.token

    def _caller(self, ctx: ServerRequestContext[Any, Any]) -> str:
        """Who calls, as an approver sees it (a verified token's name wins): the person running this process
        and their MCP client over stdio; the client over HTTP."""
        params = ctx.session.client_params
        client = params.client_info.name if params is not None else "an MCP client"
        return f"{client} over HTTP" if self._settings.http else f"{self._settings.user} via {client}"

    async def _call(
        self,
        ctx: ServerRequestContext[Any, Any],
        params: types.CallToolRequestParams,
        gateway: ToolGateway,
        key: str,
    ) -> types.CallToolResult | types.InputRequiredResult:
        caller = self._caller(ctx)
        try:
            async with asyncio.timeout(ACCEPTED_WITHIN_SECONDS):
                update = await gateway.start_call(
                    params.name, dict(params.arguments or {}), key=key, caller=caller
                )
        except (TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError):
            return tool_error(
                f"The tool gateway {self._handle.id} did not take the call within {ACCEPTED_WITHIN_SECONDS:.0f} s: "
                "is an orchestrator worker running (`python -m orchestrator.worker`)? The call may still run once "
                f"one does: send it again with the idempotency key {key!r} (_meta {IDEMPOTENCY_KEY_META!r}) for "
                "its outcome; it runs at most once."
            )
        finishing = asyncio.ensure_future(update.result())
        try:
            pending = await _pending_or_finished(gateway, gateway.call_id(key), finishing)
            if pending is None:
                return call_result(await finishing)
            answer = answer_to((params.input_responses or {}).get(APPROVAL_INPUT))
            if answer is None and supports_elicitation(ctx):
                if ctx.protocol_version in MODERN_PROTOCOL_VERSIONS:
                    return input_required(pending, key)
                answer = await _ask(ctx, pending, finishing)
            if finishing.done():  # decided meanwhile (from the command line, say), or expired
                return call_result(finishing.result())
            waiting = waiting_message(pending, self._handle.id, key, IDEMPOTENCY_KEY_META)
            if answer is None:
                return tool_error(waiting)
            try:
                await gateway.decide(pending, approve=answer.approve, approver=caller, reason=answer.reason)
            except WorkflowUpdateFailedError as refused:
                return tool_error(f"The decision was refused: {failure_message(refused)}\n{waiting}")
            return call_result(await finishing)
        finally:
            await cancel_and_wait(finishing)


async def _pending_or_finished(
    gateway: ToolGateway, call_id: str, finishing: asyncio.Future[ToolCallRecord]
) -> PendingApproval | None:
    """The call's pending approval once it waits for one; None once it finished."""
    while True:
        done, _ = await asyncio.wait({finishing}, timeout=APPROVAL_POLL_SECONDS)
        if done:
            return None
        for pending in await gateway.pending_approvals():
            if pending.call_id == call_id:
                return pending


async def _ask(
    ctx: ServerRequestContext[Any, Any], pending: PendingApproval, finishing: asyncio.Future[ToolCallRecord]
) -> ApprovalAnswer | None:
    """Ask the client (``elicitation/create``) until it answers or the call is decided some other way; its
    answer, or None (the call finished, the client cannot be asked, or its answer cannot be read)."""
    form = question(pending)
    asking = asyncio.ensure_future(
        ctx.session.elicit_form(form.message, form.requested_schema, related_request_id=ctx.request_id)
    )
    try:
        either: list[asyncio.Future[Any]] = [asking, finishing]
        await asyncio.wait(either, return_when=asyncio.FIRST_COMPLETED)
        if not asking.done():
            return None
        return answer_to(asking.result())
    except ELICITATION_PROBLEMS as problem:
        log.info("the client could not be asked for an approval", call_id=pending.call_id, error=str(problem))
        return None
    finally:
        await cancel_and_wait(asking)


async def cancel_and_wait(*futures: asyncio.Future[Any]) -> None:
    """Cancel what is still under way and wait until it is (the SDK ends a cancelled wait for an update with an
    error of its own, which must be collected, not left to be logged as never retrieved)."""
    for future in futures:
        future.cancel()
    await asyncio.gather(*futures, return_exceptions=True)
