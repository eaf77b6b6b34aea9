"""An issuer's public keys, from a JWKS file or URL, and the one place a signed token is checked against them:
signature, expiry, issuer and audience, each refusal saying which."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jwt

from shared.identity.identity import IdentityRefused
from shared.identity.keys import ALGORITHM

ALGORITHMS = [ALGORITHM, "RS256", "ES384", "RS384", "ES512", "RS512", "EdDSA"]
"""Asymmetric algorithms only: a token signed with a shared secret (or none) is never accepted."""
CLOCK_LEEWAY_SECONDS = 5


class PublicKeys:
    """The keys a token's signature is checked with, found by the token's ``kid``."""

    def __init__(self, source: str) -> None:
        self.source = source
        self._client: jwt.PyJWKClient | None = None
        self._keys: jwt.PyJWKSet | None = None
        if source.startswith(("http://", "https://")):
            self._client = jwt.PyJWKClient(source, cache_keys=True, lifespan=300, timeout=10)
        else:
            try:
                self._keys = jwt.PyJWKSet.from_dict(json.loads(Path(source).read_text()))
            except (OSError, ValueError, jwt.PyJWKSetError) as error:
                raise ValueError(
                    f"cannot read the public keys in {source} ({type(error).__name__}): "
                    "point the setting at the issuer's JWKS file"
                ) from None

    def key_for(self, token: str) -> Any:
        try:
            if self._client is not None:
                return self._client.get_signing_key_from_jwt(token).key
            assert self._keys is not None
            key_id = jwt.get_unverified_header(token).get("kid")
            for key in self._keys.keys:
                if key_id is None or key.key_id == key_id:
                    return key.key
        except jwt.PyJWKClientError as error:
            raise IdentityRefused(f"the issuer's keys at {self.source} could not be read: {error}") from None
        except jwt.DecodeError:
            raise IdentityRefused("the token is not a JWT") from None
        raise IdentityRefused("the token is signed with a key its issuer does not publish")


def verified_claims(token: str, keys: PublicKeys, *, issuer: str, audience: str) -> dict[str, Any]:
    """The claims of ``token`` if its signature, expiry, issuer and audience hold; else ``IdentityRefused``."""
    key = keys.key_for(token)
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=ALGORITHMS,
            audience=audience,
            issuer=issuer,
            leeway=CLOCK_LEEWAY_SECONDS,
            options={"require": ["exp", "iss", "aud", "sub"]},
        )
    except jwt.ExpiredSignatureError:
        raise IdentityRefused("the token has expired") from None
    except jwt.InvalidAudienceError:
        raise IdentityRefused(f"the token is not meant for {audience!r}") from None
    except jwt.InvalidIssuerError:
        raise IdentityRefused(f"the token is not issued by {issuer!r}") from None
    except jwt.InvalidSignatureError:
        raise IdentityRefused("the token's signature does not verify: it is forged or altered") from None
    except jwt.MissingRequiredClaimError as error:
        raise IdentityRefused(f"the token lacks the {error.claim!r} claim") from None
    except jwt.InvalidTokenError as error:
        raise IdentityRefused(f"the token is invalid ({type(error).__name__})") from None
    return claims


def scopes_of(claims: dict[str, Any]) -> tuple[str, ...]:
    """The scopes of a token: OAuth's space-separated ``scope``, or a ``scp`` list."""
    raw = claims.get("scope", claims.get("scp", ()))
    scopes = raw.split() if isinstance(raw, str) else [str(scope) for scope in raw]
    return tuple(sorted(set(scopes)))
