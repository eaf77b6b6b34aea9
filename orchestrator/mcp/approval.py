"""A call that waits for a person's yes, as an MCP client sees it.

The gateway holds such a call, durably, until it is decided or its approval expires; this server only asks
and relays. After sending a call, the server watches the gateway's pending approvals for that call's id for
as long as its outcome is not there. When the call waits:

- A client that declared elicitation support is asked, with a form (``ApprovalAnswer``: approve yes/no, a
  reason): by an ``elicitation/create`` request on a connection of the handshake era, and on a 2026-07-28
  connection (where a server sends no requests) by answering the call with an ``InputRequiredResult``, which
  the client answers by sending the call again with the form filled in. An accepted form is the decision;
  declining or cancelling denies the call. Then the server waits for the outcome and returns it.
- Any other client (or one whose elicitation failed) gets a tool error at once: the call waits for a
  person's approval, with its arguments, its call id and until when, how to decide it
  (``python -m orchestrator.mcp approve <call id>`` or ``deny <call id> --reason ...``), and that the same call
  sent again with the same idempotency key returns its outcome once decided.

Nothing here keeps state between requests: the gateway is the one place a waiting call lives, so a retry on
another gateway process (or after this one was killed) finds it.
"""

from __future__ import annotations

import shlex

import mcp_types as types
from mcp.server.elicitation import render_elicitation_schema
from pydantic import BaseModel, Field, ValidationError

from orchestrator.gateway_models import DEFAULT_GATEWAY_ID
from orchestrator.models import PendingApproval
from orchestrator.presentation import describe_pending

APPROVAL_INPUT = "approval"
"""The key of the approval form among an ``InputRequiredResult``'s input requests."""
COMMAND = "python -m orchestrator.mcp"
NOT_ACCEPTED = {"decline": "declined in the MCP client", "cancel": "dismissed in the MCP client"}
"""The reason of a denial by an elicitation that was not accepted."""


class ApprovalAnswer(BaseModel):
    """The form a person fills in to decide a waiting call."""

    approve: bool = Field(description="Run the call, with exactly the arguments shown?")
    reason: str = Field(
        default="",
        max_length=2_000,
        description="Why (kept in the audit trail; the caller reads it on a denial).",
    )


def question(pending: PendingApproval) -> types.ElicitRequestFormParams:
    """The elicitation form that asks a person to decide ``pending``."""
    return types.ElicitRequestFormParams(
        message=f"{describe_pending(pending)}\nApprove this call?",
        requested_schema=render_elicitation_schema(ApprovalAnswer),
    )


def input_required(pending: PendingApproval, key: str) -> types.InputRequiredResult:
    """The answer to a 2026-07-28 call that waits: fill in this form, and send the call again (with ``key``
    as its state, so the call is found again if the client gave no idempotency key)."""
    return types.InputRequiredResult(
        input_requests={APPROVAL_INPUT: types.ElicitRequest(params=question(pending))}, request_state=key
    )


def answer_to(response: object) -> ApprovalAnswer | None:
    """The decision an elicitation's answer carries (declined or cancelled: a denial); None when it carries
    none that can be read (then the call still waits)."""
    if not isinstance(response, types.ElicitResult):
        return None
    if response.action != "accept":
        return ApprovalAnswer(approve=False, reason=NOT_ACCEPTED[response.action])
    try:
        return ApprovalAnswer.model_validate(response.content or {})
    except ValidationError:
        return None


def how_to_decide(gateway_id: str, call_id: str) -> tuple[str, str]:
    """The approve and deny commands for ``call_id``."""
    where = "" if gateway_id == DEFAULT_GATEWAY_ID else f" --gateway-id {shlex.quote(gateway_id)}"
    call = shlex.quote(call_id)
    return f"{COMMAND} approve {call}{where}", f"{COMMAND} deny {call}{where} --reason '...'"


def waiting_message(pending: PendingApproval, gateway_id: str, key: str, key_meta: str) -> str:
    """What a client that cannot be asked reads: the call waits, on what, until when, and what to do."""
    approve, deny = how_to_decide(gateway_id, pending.call_id)
    return (
        f"This call waits for a person's approval and has not run.\n{describe_pending(pending)}\n"
        f"A person decides it with `{approve}` or `{deny}`.\n"
        f"Once it is decided, send the same call again with the idempotency key {key!r} "
        f"(in the request's _meta as {key_meta!r}) for its outcome; it runs at most once."
    )
