"""A person's yes before a consequential tool call, decided inside the workflow.

A call needs approval when its team marks the tool (``ToolSpec.approval``) or the orchestrator's own policy
names it (``AGENT_APPROVAL_REQUIRED``: ``team/tool`` patterns, read by the worker, handed to the workflow by
the ``approval_policy`` activity). Such a call waits, while the other calls of the same response go on,
until the ``decide_tool_call`` update answers it or its time runs out (which counts as denied). A decision
quotes the digest of exactly what was shown: the service, the tool and the arguments.

Deterministic workflow code: time is ``workflow.now()``, waiting is ``workflow.wait_condition``. Each wait is
a span (``APPROVAL_SPAN``) in the message's trace, with the outcome, who decided and how long it took; the
tracer provider the suite installs makes it replay-safe, and with tracing off it is OpenTelemetry's no-op one.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Literal

from opentelemetry import trace
from pydantic import BaseModel, Field
from temporalio import activity, workflow
from temporalio.exceptions import ApplicationError

from orchestrator import agent_metrics
from orchestrator.catalog import CatalogEntry
from orchestrator.models import ApprovalRecord, PendingApproval, ToolCallDecision
from shared.contract import DEFAULT_APPROVAL_TIMEOUT_SECONDS, ApprovalRequirement, arguments_digest
from shared.identity.identity import LOCAL_DEVELOPER, Identity

APPROVAL_POLICY = "approval_policy"
"""The worker step that hands the worker's approval policy to the workflow."""
APPROVAL_POLICY_PATCH = "approval-policy"
DEFAULT_APPROVER_SCOPE = "agent:approve"
"""Who may approve a call whose requirement names no scope (the orchestrator's own policy, say)."""
"""Chats recorded before approvals existed replay without the ``approval_policy`` activity."""
APPROVAL_SPAN = "approval wait"
DECISION_REFUSED = "DecisionRefused"
"""The failure type of a decision refused after its token was checked (the approver lacks the right)."""

_tracer = trace.get_tracer(__name__)


class ApprovalPolicy(BaseModel):
    """The orchestrator's rule on top of the teams': which more calls need a person's yes."""

    patterns: list[str] = Field(
        default_factory=list, description="`team/tool` patterns (`finance/*`, `local/calculator`)."
    )
    timeout_seconds: float = Field(
        default=DEFAULT_APPROVAL_TIMEOUT_SECONDS, gt=0, description="For calls this policy gates."
    )

    def requirement(self, entry: CatalogEntry) -> ApprovalRequirement | None:
        """What approval a call of ``entry`` needs: the team's, else this policy's, else none."""
        if entry.spec.approval is not None:
            return entry.spec.approval
        name = f"{entry.service}/{entry.tool}"
        if any(fnmatch.fnmatchcase(name, pattern) for pattern in self.patterns):
            return ApprovalRequirement(timeout_seconds=self.timeout_seconds)
        return None


def approval_policy_activity(policy: ApprovalPolicy) -> Any:
    """The ``approval_policy`` activity of a worker whose settings give ``policy``."""

    @activity.defn(name=APPROVAL_POLICY)
    async def approval_policy() -> ApprovalPolicy:
        return policy

    return approval_policy


class Approvals:
    """The calls waiting for a decision, and the decisions given."""

    def __init__(self) -> None:
        self.pending: dict[str, PendingApproval] = {}
        self._closed = False
        """The chat ended: calls still waiting will not run."""
        self._decisions: dict[str, tuple[ToolCallDecision, datetime]] = {}
        self._deciders: dict[str, Identity] = {}
        self._waiting: dict[str, tuple[ApprovalRequirement, Identity]] = {}
        """The requirement of each waiting call, and who asked for it."""
        self.on_change: Callable[[], None] = lambda: None
        """Called as a call starts or stops waiting (the chat keeps its status with it), in line: no
        concurrent watcher, so a replay issues its commands in the same order."""

    def refusal(self, decision: ToolCallDecision, now: datetime) -> str | None:
        """Why ``decision`` cannot be taken (the update's validator raises it), or None."""
        if (decided := self._decisions.get(decision.call_id)) is not None:
            given, at = decided
            if given is _EXPIRED:  # no one decided: "decided already" would mislead a late approver
                return _expired(decision.call_id, at)
            return f"The call {decision.call_id!r} has been decided already."
        pending = self.pending.get(decision.call_id)
        if pending is None:
            return f"No call {decision.call_id!r} waits for approval; see the pending_approvals query."
        if now >= pending.expires_at:
            return _expired(decision.call_id, pending.expires_at)
        if decision.digest != pending.digest:
            return (
                f"The digest does not match the arguments of {decision.call_id!r}: a decision is for exactly "
                "what pending_approvals shows."
            )
        return None

    def close(self) -> None:
        """The chat ends: every call still waiting is denied, none runs after it."""
        self._closed = True

    def permission_refusal(self, call_id: str, approver: Identity) -> str | None:
        """Why ``approver`` may not decide on ``call_id`` (a waiting call), or None. The local developer may
        decide on anything; a verified person needs the tool's approver scope, or to be the asker of a
        tool that allows self-approval."""
        requirement, asker = self._waiting[call_id]
        if approver.issuer is None:
            return None
        scope = requirement.approver_scope or DEFAULT_APPROVER_SCOPE
        if approver.may(scope) or (requirement.self_approval and approver.subject == asker.subject):
            return None
        also = " or be the person who asked" if requirement.self_approval else ""
        return f"{approver.subject} may not decide on {call_id!r}: it takes the scope {scope}{also}."

    def decide_checked(self, decision: ToolCallDecision, now: datetime, approver: Identity) -> None:
        """Take ``decision`` by ``approver`` (verified) if it is still open and theirs to make; else fail the
        ``decide_tool_call`` update saying why (another decision may have come in meanwhile)."""
        if (refusal := self.refusal(decision, now)) is not None or (
            refusal := self.permission_refusal(decision.call_id, approver)
        ) is not None:
            raise ApplicationError(refusal, type=DECISION_REFUSED, non_retryable=True)
        self.decide(decision, now, approver)

    def decide(self, decision: ToolCallDecision, now: datetime, approver: Identity | None = None) -> None:
        """Take ``decision``, made by ``approver`` (verified; None in chats from before identity)."""
        if approver is not None:
            self._deciders[decision.call_id] = approver
            if approver.issuer is not None:  # a verified name replaces the one given
                decision = decision.model_copy(update={"approver": approver.subject})
        self._decisions[decision.call_id] = (decision, now)

    async def wait(
        self,
        call_id: str,
        entry: CatalogEntry,
        arguments: dict[str, Any],
        requirement: ApprovalRequirement,
        requested_by: str,
        asker: Identity = LOCAL_DEVELOPER,
    ) -> ApprovalRecord:
        """Wait for the decision on one call, at most its timeout; the record says how it went."""
        now = workflow.now()
        timeout = timedelta(seconds=requirement.timeout_seconds)
        pending = PendingApproval(
            call_id=call_id,
            service=entry.service,
            tool=entry.tool,
            arguments=arguments,
            digest=arguments_digest(entry.service, entry.tool, arguments),
            requested_by=requested_by,
            requested_at=now,
            expires_at=now + timeout,
        )
        self.pending[call_id] = pending
        self._waiting[call_id] = (requirement, asker)
        self.on_change()
        agent_metrics.approval_requested(entry.service, entry.tool)
        attributes = {"agent.team": entry.service, "agent.tool": entry.tool, "agent.call_id": call_id}
        with _tracer.start_as_current_span(APPROVAL_SPAN, attributes=attributes) as span:
            try:
                await workflow.wait_condition(
                    lambda: call_id in self._decisions or self._closed, timeout=timeout
                )
            except TimeoutError:
                pass
            finally:
                del self.pending[call_id]
                del self._waiting[call_id]
                self.on_change()
            record = self._outcome(pending)
            waited = record.decided_at - pending.requested_at
            span.set_attributes(
                {
                    "agent.approval.outcome": record.outcome,
                    "agent.approval.approver": record.approver or "",
                    "agent.approval.waited_seconds": round(waited.total_seconds(), 3),
                }
            )
        agent_metrics.approval_decided(entry.service, entry.tool, record.outcome, waited)
        return record

    def _outcome(self, pending: PendingApproval) -> ApprovalRecord:
        """How the wait of ``pending`` ended: the chat closed, the time ran out, or a person decided."""
        call_id = pending.call_id
        if call_id not in self._decisions and self._closed:
            self._decisions[call_id] = (_CHAT_ENDED, workflow.now())
            return _record(pending, "denied", workflow.now(), reason=CHAT_ENDED_REASON)
        if call_id not in self._decisions:
            self._decisions[call_id] = (_EXPIRED, pending.expires_at)
            return _record(pending, "expired", workflow.now())
        decision, decided_at = self._decisions[call_id]
        outcome: Outcome = "approved" if decision.approve else "denied"
        record = _record(pending, outcome, decided_at, decision.approver, decision.reason or None)
        if (decider := self._deciders.get(call_id)) is not None:
            record = record.model_copy(update={"approver_identity": decider.subject})
        return record


Outcome = Literal["approved", "denied", "expired"]


def _record(
    pending: PendingApproval,
    outcome: Outcome,
    decided_at: datetime,
    approver: str | None = None,
    reason: str | None = None,
) -> ApprovalRecord:
    return ApprovalRecord(
        outcome=outcome,
        digest=pending.digest,
        requested_by=pending.requested_by,
        requested_at=pending.requested_at,
        decided_at=decided_at,
        approver=approver,
        reason=reason,
    )


def _expired(call_id: str, expires_at: datetime) -> str:
    return f"The approval of {call_id!r} expired at {expires_at.isoformat()}."


_EXPIRED = ToolCallDecision(call_id="", digest="", approve=False, approver="(no decision in time)")
"""Stands for the decision of a call whose time ran out, so a late decision is refused: the call expired."""


CHAT_ENDED_REASON = "the chat ended before anyone decided"
_CHAT_ENDED = ToolCallDecision(call_id="", digest="", approve=False, approver="(the chat ended)")


def outcome_message(record: ApprovalRecord, timeout_seconds: float) -> str | None:
    """What the model reads instead of a result when the call did not go ahead; None when approved."""
    if record.outcome == "approved":
        return None
    if record.outcome == "denied" and record.approver is None:
        return f"The call did not run: {record.reason}."
    if record.outcome == "denied":
        because = f": {record.reason}" if record.reason else " (no reason given)"
        return f"The call was denied by {record.approver}{because}. Do not retry it; tell the user."
    return (
        f"No decision on the call in {timeout_seconds:g} s, so it did not run. Tell the user it needs a "
        "person's approval."
    )
