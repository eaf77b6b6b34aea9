"""Who may use the codec server: an ``Authorizer`` looks at a request and says yes or no.

``SharedSecretAuth`` is the one this suite runs: the request carries ``Authorization: Bearer <secret>``
(the ``temporal`` CLI's ``--codec-auth``), or the session cookie a person gets by typing the secret into
the codec server's sign-in page once (a browser running the Temporal UI, whose codec requests carry
cookies when its codec setting "include cross-origin credentials" is on). Secrets are compared in constant
time. Another check (a JWT from Temporal Cloud's UI, say) is another ``Authorizer``.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Protocol

from starlette.requests import Request

SESSION_COOKIE_PREFIX = "temporal_codec_session_"
SESSION_MAX_AGE_SECONDS = 12 * 3600


class Authorizer(Protocol):
    """Whether ``request`` may have payloads encoded or decoded."""

    async def __call__(self, request: Request) -> bool: ...


def bearer_token(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, if the request has one."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return (token.strip() or None) if scheme.lower() == "bearer" else None


class SharedSecretAuth:
    """Yes to a request bearing the secret, or the session cookie derived from it (never the secret itself)."""

    def __init__(self, secret: str) -> None:
        self._secret = secret.encode()
        self._session = hmac.new(self._secret, b"codec-server-ui-session", hashlib.sha256).hexdigest()

    async def __call__(self, request: Request) -> bool:
        # Either will do: a UI that passes its own access token as the bearer may carry the cookie too.
        token = bearer_token(request)
        if token is not None and self.is_secret(token):
            return True
        cookie = request.cookies.get(session_cookie_name(request))
        return cookie is not None and hmac.compare_digest(cookie.encode(), self._session.encode())

    def is_secret(self, presented: str) -> bool:
        return hmac.compare_digest(presented.encode(), self._secret)

    def session_cookie(self, request: Request) -> str:
        """The ``Set-Cookie`` value that signs this browser in (after it presented the secret). Over https
        the cookie goes with cross-site requests (a UI on another site); over http only with same-site ones
        (the local UI on ``localhost`` and this server on ``localhost``, whatever the ports)."""
        attributes = "SameSite=None; Secure" if request.url.scheme == "https" else "SameSite=Lax"
        return (
            f"{session_cookie_name(request)}={self._session}; Path=/; HttpOnly; {attributes}; "
            f"Max-Age={SESSION_MAX_AGE_SECONDS}"
        )


def session_cookie_name(request: Request) -> str:
    """One cookie per codec server port: cookies do not tell ports apart, and two stacks may run."""
    return f"{SESSION_COOKIE_PREFIX}{request.url.port or 'default'}"
