"""People's tokens: JWTs from an issuer the orchestrator trusts, verified by that issuer's public keys."""

from __future__ import annotations

from shared.identity.identity import Identity, IdentityRefused
from shared.identity.public_keys import PublicKeys, scopes_of, verified_claims

GET_A_TOKEN = "sign in again for a new token (locally: `scripts/token <user> <scopes...>`)"


class UserTokenVerifier:
    """Turns a person's token into their ``Identity``, or refuses it saying what to do."""

    def __init__(self, issuer: str, audience: str, keys: PublicKeys) -> None:
        self.issuer = issuer
        self.audience = audience
        self._keys = keys

    def verify(self, token: str | None) -> Identity:
        if not token:
            raise IdentityRefused(f"No token: this agent needs to know who you are; {GET_A_TOKEN}.")
        try:
            claims = verified_claims(token, self._keys, issuer=self.issuer, audience=self.audience)
        except IdentityRefused as refusal:
            raise IdentityRefused(f"Your token is refused: {refusal}; {GET_A_TOKEN}.") from None
        return Identity(subject=str(claims["sub"]), scopes=scopes_of(claims), issuer=self.issuer)
