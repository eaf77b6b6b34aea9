"""The proof a tool call carries to the team that runs it: a short-lived token the orchestrator signs for one
call (team, operation, tool, call id, digest of the arguments) on behalf of a verified person.

It travels as a Nexus header, which the caller's history stores in plain text: so it is useless to whoever
reads it there. It names only this team as its audience, expires in minutes, and matches only this call's
tool, id and arguments; the call id also fixes the tool workflow's id, so presenting it again for the same
call runs nothing twice.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import jwt
from pydantic import BaseModel, ConfigDict, Field

from shared.identity.identity import Identity, IdentityRefused
from shared.identity.keys import ALGORITHM, key_id, load_private_key
from shared.identity.public_keys import PublicKeys, scopes_of, verified_claims

CALL_PROOF_ISSUER = "nexus-agents-orchestrator"
"""The ``iss`` of every call proof."""


class CallClaims(BaseModel):
    """What one proof is good for."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    team: str = Field(description="The audience: the one team that may accept it.")
    operation: str = Field(description="`list_tools` or `execute_tool`.")
    tool: str | None = Field(default=None, description="For `execute_tool`: the tool.")
    call_id: str | None = Field(default=None, description="For `execute_tool`: the caller's id of the call.")
    arguments_digest: str | None = Field(default=None, description="For `execute_tool`: of the arguments.")


class CallProofSigner:
    """Signs proofs with the orchestrator's private key."""

    def __init__(self, private_key_path: Path) -> None:
        self._key = load_private_key(private_key_path)
        self._key_id = key_id(self._key.public_key())

    def sign(self, identity: Identity, claims: CallClaims, ttl_seconds: float) -> str:
        now = int(time.time())
        payload = {
            "iss": CALL_PROOF_ISSUER,
            "sub": identity.subject,
            "aud": claims.team,
            "scope": " ".join(identity.scopes),
            "on_behalf_of": identity.issuer,
            "op": claims.operation,
            "tool": claims.tool,
            "call_id": claims.call_id,
            "digest": claims.arguments_digest,
            "iat": now,
            "exp": now + max(1, round(ttl_seconds)),
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(payload, self._key, algorithm=ALGORITHM, headers={"kid": self._key_id})


class CallProofVerifier:
    """A team's check of a proof: the orchestrator's signature, unexpired, for this team and this very call."""

    def __init__(self, keys: PublicKeys) -> None:
        self._keys = keys

    def verify(self, proof: str | None, expected: CallClaims) -> Identity:
        if not proof:
            raise IdentityRefused("the call carries no proof of who asked")
        claims = verified_claims(proof, self._keys, issuer=CALL_PROOF_ISSUER, audience=expected.team)
        for name, claim in (
            ("operation", "op"),
            ("tool", "tool"),
            ("call_id", "call_id"),
            ("arguments_digest", "digest"),
        ):
            if claims.get(claim) != getattr(expected, name):
                raise IdentityRefused(f"the proof was made for another call (its {name} differs)")
        return Identity(
            subject=str(claims["sub"]), scopes=scopes_of(claims), issuer=claims.get("on_behalf_of")
        )
