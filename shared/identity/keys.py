"""Signing keys in files: an EC P-256 private key (PEM) and its public half as a JWKS document, the form
every JWT library and issuer publishes."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

ALGORITHM = "ES256"


def key_id(public_key: ec.EllipticCurvePublicKey) -> str:
    """A key's id, derived from the key itself, so the signer and the published keys always agree."""
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()[:16]


def create_signing_key(private_path: Path, jwks_path: Path) -> None:
    """Make a key pair unless both files exist: the private key readable by its owner only."""
    if private_path.exists() and jwks_path.exists():
        return
    private_path.parent.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    descriptor = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(pem)
    public: dict[str, Any] = json.loads(ECAlgorithm.to_jwk(key.public_key()))
    public.update({"kid": key_id(key.public_key()), "alg": ALGORITHM, "use": "sig"})
    jwks_path.write_text(json.dumps({"keys": [public]}, indent=2) + "\n")


def load_private_key(path: Path) -> ec.EllipticCurvePrivateKey:
    """The private key in ``path``; a missing or unusable file is a ``ValueError`` naming it."""
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as error:
        raise ValueError(f"cannot read the signing key {path}: {type(error).__name__}") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError(f"the signing key {path} is not an EC key")
    return key
