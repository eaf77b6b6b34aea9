"""A verified identity: who a person is and what they may do, as every part of the suite passes it on."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field

ALL_SCOPES = "*"


class Identity(BaseModel):
    """A person (or the local developer) whose token was verified."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    subject: str = Field(min_length=1, description="Who: the token's `sub`.")
    scopes: tuple[str, ...] = Field(default=(), description="What they may do (`*`: everything).")
    issuer: str | None = Field(
        default=None, description="Who vouches for them; None for the local developer."
    )

    def may(self, scope: str) -> bool:
        return ALL_SCOPES in self.scopes or scope in self.scopes

    def lacks(self, scopes: Iterable[str]) -> list[str]:
        """The scopes of ``scopes`` this identity does not hold."""
        return [scope for scope in scopes if not self.may(scope)]


LOCAL_DEVELOPER = Identity(subject="local-developer", scopes=(ALL_SCOPES,), issuer=None)
"""Every caller when no issuer is configured: one fixed identity holding every scope, named as such."""


class IdentityRefused(Exception):
    """A token or proof is refused; the message says why and what to do, and never quotes the token."""
