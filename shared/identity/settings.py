"""The identity settings of every worker and client, read from the environment in this one place.

Off (no ``IDENTITY_ISSUER``): every caller is the local developer, holding every scope. On: people's tokens
are required everywhere, the orchestrator signs a proof for each tool call with ``CALL_PROOF_KEY``, and each
team verifies it with the published half, ``CALL_PROOF_JWKS``. A half-configured part refuses to start.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from shared.identity.call_proofs import CallProofSigner, CallProofVerifier
from shared.identity.public_keys import PublicKeys
from shared.identity.user_tokens import UserTokenVerifier
from shared.process import SettingsProblem

DEFAULT_AUDIENCE = "nexus-agents"


class IdentitySettingsError(SettingsProblem):
    """The identity settings are inconsistent; the message names what is missing."""


class IdentitySettings(BaseModel):
    """Who the suite trusts, and with which keys."""

    model_config = ConfigDict(frozen=True)

    issuer: str | None = Field(default=None, description="IDENTITY_ISSUER: the `iss` of people's tokens.")
    jwks: str | None = Field(
        default=None, description="IDENTITY_JWKS: the issuer's public keys (file or URL)."
    )
    audience: str = Field(default=DEFAULT_AUDIENCE, description="IDENTITY_AUDIENCE: the tokens' `aud`.")
    call_proof_key: Path | None = Field(
        default=None, description="CALL_PROOF_KEY: the orchestrator's private key for call proofs (PEM)."
    )
    call_proof_jwks: Path | None = Field(
        default=None, description="CALL_PROOF_JWKS: the public half, for the teams (JWKS file)."
    )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> IdentitySettings:
        env = os.environ if env is None else env

        def value(name: str) -> str | None:
            return env.get(name, "").strip() or None

        key, jwks = value("CALL_PROOF_KEY"), value("CALL_PROOF_JWKS")
        return cls(
            issuer=value("IDENTITY_ISSUER"),
            jwks=value("IDENTITY_JWKS"),
            audience=value("IDENTITY_AUDIENCE") or DEFAULT_AUDIENCE,
            call_proof_key=Path(key) if key else None,
            call_proof_jwks=Path(jwks) if jwks else None,
        )

    @property
    def enabled(self) -> bool:
        return self.issuer is not None

    def user_tokens(self) -> UserTokenVerifier | None:
        """The verifier of people's tokens (the orchestrator's), or None when identity is off."""
        if self.issuer is None:
            return None
        if self.jwks is None:
            raise IdentitySettingsError(
                f"IDENTITY_ISSUER is {self.issuer!r} but IDENTITY_JWKS is not set: name the issuer's JWKS "
                "file or URL, or unset IDENTITY_ISSUER to run as the local developer"
            )
        return UserTokenVerifier(self.issuer, self.audience, PublicKeys(self.jwks))

    def call_proof_signer(self) -> CallProofSigner | None:
        """The orchestrator's signer of call proofs, or None when identity is off."""
        if self.issuer is None:
            return None
        if self.call_proof_key is None:
            raise IdentitySettingsError(
                "IDENTITY_ISSUER is set but CALL_PROOF_KEY is not: name the orchestrator's private key file "
                "(`scripts/stack start --identity` makes one locally)"
            )
        try:
            return CallProofSigner(self.call_proof_key)
        except ValueError as error:
            raise IdentitySettingsError(f"CALL_PROOF_KEY: {error}") from None

    def call_proof_verifier(self) -> CallProofVerifier | None:
        """A team's verifier of call proofs, or None when identity is off."""
        if self.issuer is None:
            return None
        if self.call_proof_jwks is None:
            raise IdentitySettingsError(
                "IDENTITY_ISSUER is set but CALL_PROOF_JWKS is not: name the orchestrator's public keys "
                "(a JWKS file), so this team can check who asks"
            )
        try:
            return CallProofVerifier(PublicKeys(str(self.call_proof_jwks)))
        except ValueError as error:
            raise IdentitySettingsError(f"CALL_PROOF_JWKS: {error}") from None

    def describe(self) -> dict[str, str]:
        """For a worker's first log line."""
        if self.issuer is None:
            return {
                "identity": "off: every caller is the local developer (set IDENTITY_ISSUER to require tokens)"
            }
        return {"identity": f"tokens required from {self.issuer}"}
