"""The local stack's identity provider, for development: the signing keys of a token issuer and of the
orchestrator's call proofs (made on first use, in the state directory), the settings that make every part
trust them, and a command that mints a person's token.

    python -m harness.local_issuer token alice finance:read it:tickets:write   (or: scripts/token ...)
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import jwt

from harness.paths import LOCAL_STATE_DIR
from shared.identity.keys import ALGORITHM, create_signing_key, key_id, load_private_key
from shared.identity.settings import DEFAULT_AUDIENCE

LOCAL_ISSUER = "http://127.0.0.1/nexus-agents-local-issuer"
"""The ``iss`` of the tokens this issuer mints."""
DEFAULT_TOKEN_SECONDS = 3600.0
EVERY_TOOL_SCOPE = ("finance:read", "it:read", "it:tickets:write", "it:tickets:approve", "agent:approve")
"""What `scripts/token <user>` grants when no scope is named: every scope the bundled teams' tools need."""


IDENTITY_VARIABLES = (
    "IDENTITY_ISSUER",
    "IDENTITY_JWKS",
    "IDENTITY_AUDIENCE",
    "CALL_PROOF_KEY",
    "CALL_PROOF_JWKS",
)


class LocalIssuer:
    """Keys and settings of the local identity provider in ``state_dir/identity``."""

    def __init__(self, state_dir: Path) -> None:
        self.directory = state_dir / "identity"
        self.user_key = self.directory / "issuer-key.pem"
        self.user_jwks = self.directory / "issuer-jwks.json"
        self.proof_key = self.directory / "call-proof-key.pem"
        self.proof_jwks = self.directory / "call-proof-jwks.json"

    def ensure_keys(self) -> LocalIssuer:
        create_signing_key(self.user_key, self.user_jwks)
        create_signing_key(self.proof_key, self.proof_jwks)
        return self

    def settings(self) -> dict[str, str]:
        """The environment that turns identity on for every part (the orchestrator and the teams alike)."""
        return {
            "IDENTITY_ISSUER": LOCAL_ISSUER,
            "IDENTITY_JWKS": str(self.user_jwks),
            "IDENTITY_AUDIENCE": DEFAULT_AUDIENCE,
            "CALL_PROOF_KEY": str(self.proof_key),
            "CALL_PROOF_JWKS": str(self.proof_jwks),
        }

    @staticmethod
    def settings_off() -> dict[str, str]:
        """The environment that turns identity off, whatever the shell holds: every caller is the local
        developer."""
        return {name: "" for name in IDENTITY_VARIABLES}

    def mint(
        self,
        user: str,
        scopes: Sequence[str],
        ttl_seconds: float = DEFAULT_TOKEN_SECONDS,
        audience: str = DEFAULT_AUDIENCE,
    ) -> str:
        """A token for ``user`` holding ``scopes``, valid for ``ttl_seconds`` (negative: expired already),
        meant for ``audience``."""
        key = load_private_key(self.ensure_keys().user_key)
        now = int(time.time())
        claims = {
            "iss": LOCAL_ISSUER,
            "aud": audience,
            "sub": user,
            "scope": " ".join(scopes),
            "iat": now,
            "exp": now + round(ttl_seconds),
        }
        return jwt.encode(claims, key, algorithm=ALGORITHM, headers={"kid": key_id(key.public_key())})


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The local identity provider.")
    commands = parser.add_subparsers(dest="command", required=True)
    token = commands.add_parser("token", help="print a token for a user (scopes default to every tool's)")
    token.add_argument("user")
    token.add_argument("scopes", nargs="*", help=f"default: {' '.join(EVERY_TOOL_SCOPE)}")
    token.add_argument("--ttl", type=float, default=DEFAULT_TOKEN_SECONDS, help="seconds (default 3600)")
    token.add_argument("--state-dir", type=Path, default=LOCAL_STATE_DIR)
    arguments = parser.parse_args(argv)
    issuer = LocalIssuer(arguments.state_dir)
    print(issuer.mint(arguments.user, arguments.scopes or EVERY_TOOL_SCOPE, arguments.ttl))
    return 0


if __name__ == "__main__":
    sys.exit(main())
