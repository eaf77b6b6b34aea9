"""The payload codec: AES-256-GCM (``cryptography``'s ``AESGCM``) under the newest key of a keyring.

An encrypted payload carries ``encoding: binary/encrypted`` and ``encryption-key-id: <id>`` in its metadata;
its data is a 12-byte random nonce followed by the ciphertext (with its tag) of the whole original payload,
metadata included. This is the format of Temporal's encryption samples (Go, TypeScript, Python), so a team
in another language can read and write the same payloads.

Decoding picks the key by the payload's key id. A payload without that encoding (written before encryption
was turned on, or by a part that runs without it) passes through unchanged.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec

from shared.encryption.keyring import Keyring, PayloadKey

ENCRYPTED_ENCODING = b"binary/encrypted"
KEY_ID_METADATA = "encryption-key-id"
NONCE_BYTES = 12
RELOAD_AT_MOST_EVERY_SECONDS = 1.0


class PayloadDecryptionError(ValueError):
    """An encrypted payload this codec cannot decrypt: its key is not in the keyring, or the key with its id
    does not decrypt it. The message names the key id, never a key."""


class EncryptionCodec(PayloadCodec):
    """Encrypts every payload with the keyring's newest key; decrypts with whichever key a payload names.

    With ``reload``, a payload whose key id is unknown makes the codec read its keys again (at most once a
    second) before giving up: a process that runs through a rotation learns the new key when it first meets
    it, and encrypts with it from then on.
    """

    def __init__(self, keyring: Keyring, *, reload: Callable[[], Keyring] | None = None) -> None:
        self._keyring = keyring
        self._reload = reload
        self._reloaded_at = float("-inf")
        self._ciphers: dict[tuple[str, bytes], AESGCM] = {}

    @property
    def key_id(self) -> str:
        """The id of the key new payloads are encrypted with."""
        return self._keyring.newest.id

    @property
    def keyring(self) -> Keyring:
        return self._keyring

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        key = self._keyring.newest
        cipher = self._cipher(key)
        encoded = []
        for payload in payloads:
            nonce = os.urandom(NONCE_BYTES)
            encoded.append(
                Payload(
                    metadata={"encoding": ENCRYPTED_ENCODING, KEY_ID_METADATA: key.id.encode()},
                    data=nonce + cipher.encrypt(nonce, payload.SerializeToString(), None),
                )
            )
        return encoded

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self._decode_one(payload) for payload in payloads]

    def _decode_one(self, payload: Payload) -> Payload:
        if payload.metadata.get("encoding") != ENCRYPTED_ENCODING:
            return payload  # written without encryption: readable as it is
        key_id = payload.metadata.get(KEY_ID_METADATA, b"").decode(errors="replace")
        key = self._key(key_id)
        nonce, ciphertext = payload.data[:NONCE_BYTES], payload.data[NONCE_BYTES:]
        try:
            plaintext = self._cipher(key).decrypt(nonce, ciphertext, None)
        except InvalidTag:
            raise PayloadDecryptionError(
                f"a payload encrypted with key id {key_id!r} does not decrypt with the key of that id: "
                "the key file holds another key under this id, or the payload was altered"
            ) from None
        return Payload.FromString(plaintext)

    def _key(self, key_id: str) -> PayloadKey:
        key = self._keyring.get(key_id)
        if key is None and self._reload is not None:
            if time.monotonic() - self._reloaded_at >= RELOAD_AT_MOST_EVERY_SECONDS:
                self._reloaded_at = time.monotonic()
                self._keyring = self._reload()
                key = self._keyring.get(key_id)
        if key is None:
            raise PayloadDecryptionError(
                f"a payload is encrypted with key id {key_id!r}, which is not in this process's key file "
                f"(it holds {', '.join(self._keyring.ids)}): add that key to the file PAYLOAD_KEYS_FILE names"
            )
        return key

    def _cipher(self, key: PayloadKey) -> AESGCM:
        cipher = self._ciphers.get((key.id, key.secret))
        if cipher is None:
            cipher = self._ciphers[(key.id, key.secret)] = AESGCM(key.secret)
        return cipher
