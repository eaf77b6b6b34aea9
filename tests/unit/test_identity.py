"""People's tokens and call proofs, checked as the orchestrator and the teams check them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from harness.local_http import QuietHandler, serve_in_thread
from harness.local_issuer import LOCAL_ISSUER, LocalIssuer
from shared.contract import EXECUTE_TOOL, LIST_TOOLS, arguments_digest
from shared.identity.call_proofs import CallClaims, CallProofSigner, CallProofVerifier
from shared.identity.identity import LOCAL_DEVELOPER, Identity, IdentityRefused
from shared.identity.public_keys import PublicKeys
from shared.identity.settings import DEFAULT_AUDIENCE, IdentitySettings, IdentitySettingsError
from shared.identity.user_tokens import UserTokenVerifier

ALICE = Identity(subject="alice", scopes=("finance:read",), issuer=LOCAL_ISSUER)
QUOTE = CallClaims(
    team="finance",
    operation=EXECUTE_TOOL,
    tool="stock_price",
    call_id="chat-1/0.0.0",
    arguments_digest=arguments_digest("finance", "stock_price", {"ticker": "TSLA"}),
)


@pytest.fixture
def issuer(tmp_path: Path) -> LocalIssuer:
    return LocalIssuer(tmp_path).ensure_keys()


def verifier_of(issuer: LocalIssuer, source: str | None = None) -> UserTokenVerifier:
    return UserTokenVerifier(LOCAL_ISSUER, DEFAULT_AUDIENCE, PublicKeys(source or str(issuer.user_jwks)))


def test_a_token_gives_its_subject_and_scopes(issuer: LocalIssuer) -> None:
    token = issuer.mint("alice", ["it:read", "finance:read"])

    assert verifier_of(issuer).verify(token) == Identity(
        subject="alice", scopes=("finance:read", "it:read"), issuer=LOCAL_ISSUER
    )


@pytest.fixture
def jwks_url(issuer: LocalIssuer) -> Iterator[str]:
    """The issuer's keys served over HTTP on 127.0.0.1, as an identity provider publishes them."""
    body = issuer.user_jwks.read_bytes()

    class Keys(QuietHandler):
        def do_GET(self) -> None:
            self.answer(200, "application/json", body)

    server = serve_in_thread(Keys)
    try:
        yield f"http://127.0.0.1:{server.port}/.well-known/jwks.json"
    finally:
        server.stop()


def test_a_token_is_checked_against_keys_published_at_a_url(issuer: LocalIssuer, jwks_url: str) -> None:
    assert verifier_of(issuer, jwks_url).verify(issuer.mint("bob", ["it:read"])).subject == "bob"


@pytest.mark.parametrize(
    ("token_of", "says"),
    [
        (lambda issuer: None, "No token"),
        (lambda issuer: issuer.mint("alice", [], ttl_seconds=-60), "has expired"),
        (lambda issuer: issuer.mint("alice", [], audience="elsewhere"), "not meant for 'nexus-agents'"),
        (lambda issuer: "a.b.c", "not a JWT"),
    ],
)
def test_a_bad_token_is_refused_saying_why_and_what_to_do(
    issuer: LocalIssuer, token_of: Callable[[LocalIssuer], str | None], says: str
) -> None:
    with pytest.raises(IdentityRefused) as refused:
        verifier_of(issuer).verify(token_of(issuer))

    assert says in str(refused.value) and "scripts/token" in str(refused.value)


def test_a_proof_is_good_for_its_own_call_only(issuer: LocalIssuer) -> None:
    proof = CallProofSigner(issuer.proof_key).sign(ALICE, QUOTE, ttl_seconds=60)
    verifier = CallProofVerifier(PublicKeys(str(issuer.proof_jwks)))

    assert verifier.verify(proof, QUOTE) == ALICE
    for other, differs in [
        (QUOTE.model_copy(update={"tool": "calculate_roi"}), "tool"),
        (QUOTE.model_copy(update={"call_id": "chat-1/0.0.1"}), "call_id"),
        (QUOTE.model_copy(update={"arguments_digest": "sha256:00"}), "arguments_digest"),
        (CallClaims(team="finance", operation=LIST_TOOLS), "operation"),
    ]:
        with pytest.raises(IdentityRefused, match=f"its {differs} differs"):
            verifier.verify(proof, other)
    with pytest.raises(IdentityRefused, match="not meant for 'it'"):
        verifier.verify(proof, QUOTE.model_copy(update={"team": "it"}))


def test_a_proof_signed_by_another_key_is_refused(issuer: LocalIssuer, tmp_path: Path) -> None:
    stranger = LocalIssuer(tmp_path / "stranger").ensure_keys()
    proof = CallProofSigner(stranger.proof_key).sign(ALICE, QUOTE, ttl_seconds=60)

    with pytest.raises(IdentityRefused, match="does not publish"):
        CallProofVerifier(PublicKeys(str(issuer.proof_jwks))).verify(proof, QUOTE)


def test_the_local_developer_holds_every_scope_and_a_person_only_theirs() -> None:
    assert LOCAL_DEVELOPER.lacks(["finance:read", "it:tickets:approve"]) == []
    assert ALICE.lacks(["finance:read", "it:read"]) == ["it:read"]


@pytest.mark.parametrize(
    ("env", "asks", "says"),
    [
        ({"IDENTITY_ISSUER": LOCAL_ISSUER}, "user_tokens", "IDENTITY_JWKS is not set"),
        ({"IDENTITY_ISSUER": LOCAL_ISSUER}, "call_proof_signer", "CALL_PROOF_KEY is not"),
        ({"IDENTITY_ISSUER": LOCAL_ISSUER}, "call_proof_verifier", "CALL_PROOF_JWKS is not"),
        (
            {"IDENTITY_ISSUER": LOCAL_ISSUER, "CALL_PROOF_KEY": "/nowhere/key.pem"},
            "call_proof_signer",
            "cannot read the signing key /nowhere/key.pem",
        ),
    ],
)
def test_half_configured_identity_settings_say_what_is_missing(
    env: dict[str, str], asks: str, says: str
) -> None:
    with pytest.raises(IdentitySettingsError, match=says):
        getattr(IdentitySettings.from_env(env), asks)()


def test_without_an_issuer_identity_is_off_everywhere() -> None:
    settings = IdentitySettings.from_env({"IDENTITY_ISSUER": "  "})

    assert not settings.enabled
    assert (settings.user_tokens(), settings.call_proof_signer(), settings.call_proof_verifier()) == (
        None,
        None,
        None,
    )
