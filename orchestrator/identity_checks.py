"""Who is asking, inside the chat: each message's (and the chat's start's) token verified by the worker, and
a proof signed for each tool call, all as worker steps (``worker_steps``), so the history keeps the outcome
and a replay never checks a token again (it may have expired since).

The worker holds the keys (``IdentitySettings``); the workflow holds only verified identities and the proofs
made for it. With identity off the verifier answers "the local developer" and no proof is made.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict
from temporalio import activity
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

from orchestrator import patches
from orchestrator.worker_steps import run_step
from shared.contract import CALL_PROOF_HEADER
from shared.failures import root_cause
from shared.identity.call_proofs import CallClaims, CallProofSigner
from shared.identity.identity import LOCAL_DEVELOPER, Identity, IdentityRefused
from shared.identity.user_tokens import UserTokenVerifier

VERIFY_IDENTITY = "verify_identity"
SIGN_CALL_PROOF = "sign_call_proof"
IDENTITY_PATCH = "identity"
"""Chats recorded before identity existed replay as the local developer's, without these activities."""
UNCHECKED_LOCAL_PATCH = "unchecked-local-messages"
"""Runs past it take a tokenless message in a chat opened with identity off without a worker step."""
IDENTITY_REFUSED = "IdentityRefused"
"""The failure type of a refused token: the message says why and what to do."""
T = TypeVar("T")

CHECK_TIMEOUT = timedelta(seconds=15)
CHECK_RETRIES = RetryPolicy(maximum_attempts=3)
"""A check or a proof that keeps failing (not a refusal: that is final) fails its step after three tries."""
PROOF_MARGIN_SECONDS = 60.0
"""A proof outlives its call's timeout by this much, and not more."""


class ProofRequest(BaseModel):
    """Input of ``sign_call_proof``."""

    model_config = ConfigDict(frozen=True)

    asker: Identity
    claims: CallClaims
    ttl_seconds: float


class IdentityActivities:
    """The worker's side: its verifier of people's tokens and its signer of call proofs (None: identity off)."""

    def __init__(self, tokens: UserTokenVerifier | None, signer: CallProofSigner | None) -> None:
        self._tokens = tokens
        self._signer = signer

    def activities(self) -> list[Any]:
        return [self.verify_identity, self.sign_call_proof]

    @activity.defn(name=VERIFY_IDENTITY)
    async def verify_identity(self, token: str | None) -> Identity:
        if self._tokens is None:
            return LOCAL_DEVELOPER
        try:
            return self._tokens.verify(token)
        except IdentityRefused as refusal:
            raise ApplicationError(str(refusal), type=IDENTITY_REFUSED, non_retryable=True) from None

    @activity.defn(name=SIGN_CALL_PROOF)
    async def sign_call_proof(self, request: ProofRequest) -> str | None:
        if self._signer is None:
            return None
        return self._signer.sign(request.asker, request.claims, request.ttl_seconds)


class TokenRefused(Exception):
    """Raised in workflow code for a refused token; the message says why and what to do."""


async def verified(token: str | None) -> Identity:
    """From workflow code: who ``token`` belongs to; ``TokenRefused`` if it is refused."""
    if not patches.patched(IDENTITY_PATCH):
        return LOCAL_DEVELOPER
    return await token_checking_step(VERIFY_IDENTITY, token, Identity)


async def token_checking_step(name: str, token: str | None, result_type: type[T]) -> T:
    """From workflow code: the worker step ``name``, which checks ``token`` first (``verify_identity``, a
    chat's ``open_chat``); ``TokenRefused`` if the token is refused, any other failure as the step's."""
    try:
        return await run_step(
            name, [token], start_to_close=CHECK_TIMEOUT, retry_policy=CHECK_RETRIES, result_type=result_type
        )
    except (ActivityError, ApplicationError) as error:  # a local activity's failure may come unwrapped
        cause = root_cause(error)
        if isinstance(cause, ApplicationError) and cause.type == IDENTITY_REFUSED:
            raise TokenRefused(cause.message) from None
        raise


def shown_as(sender: Identity, given: str | None, nobody: str) -> str:
    """How ``sender`` is named to an approver: their verified name; with no issuer, the name they gave (or
    ``nobody``'s)."""
    if sender.issuer is not None:
        return sender.subject
    return given or nobody


def decide_unchecked_local_messages() -> None:
    """As a step at the run's start: whether a message without a token, in a chat opened with identity off,
    is the local developer's without asking the worker (new runs), or is checked like any (older runs)."""
    patches.patched(UNCHECKED_LOCAL_PATCH)


async def identity_of(token: str | None, opened_by: Identity | None = None) -> Identity:
    """From an update handler: who ``token`` belongs to; a refused token fails the update (the workflow goes
    on) saying what to do. In a chat ``opened_by`` the local developer (its worker had identity off), a
    message without a token is theirs at once: the worker would say the same, and the check would cost an
    activity per message. (A chat opened with identity off stays the local developer's when identity is
    turned on later: its calls carry no proof, so no team that checks proofs runs them.)"""
    if (
        token is None
        and opened_by is not None
        and opened_by.issuer is None
        and patches.patched(UNCHECKED_LOCAL_PATCH)
    ):
        return LOCAL_DEVELOPER
    try:
        return await verified(token)
    except TokenRefused as refusal:
        raise ApplicationError(str(refusal), type=IDENTITY_REFUSED, non_retryable=True) from None


async def proof_headers(asker: Identity, claims: CallClaims, lifetime: timedelta) -> dict[str, str]:
    """From workflow code: the Nexus headers proving ``asker`` makes the call ``claims`` describe (none for
    the local developer, whom no team asks for proof)."""
    if asker.issuer is None or not patches.patched(IDENTITY_PATCH):
        return {}
    proof = await run_step(
        SIGN_CALL_PROOF,
        [
            ProofRequest(
                asker=asker, claims=claims, ttl_seconds=lifetime.total_seconds() + PROOF_MARGIN_SECONDS
            )
        ],
        start_to_close=CHECK_TIMEOUT,
        retry_policy=CHECK_RETRIES,
        result_type=str,
    )
    return {CALL_PROOF_HEADER: proof} if proof else {}
