"""The one place the encryption settings are read, and what a process says about them when it starts.

| variable | meaning |
|---|---|
| ``PAYLOAD_KEYS_FILE`` | the payload key file (``keyring``); unset or empty: payloads are not encrypted |
| ``CODEC_AUTH_FILE`` | the codec server's secret (a file holding one token); the codec server needs it |

A set variable whose file cannot be used stops the process with ``EncryptionSettingsError``, whose message
says what is missing: encryption never silently turns itself off.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from temporalio.converter import DataConverter

from shared.encryption.codec import EncryptionCodec
from shared.encryption.keyring import EncryptionSettingsError, load_keyring, write_private_file

KEYS_FILE_VARIABLE = "PAYLOAD_KEYS_FILE"
CODEC_AUTH_FILE_VARIABLE = "CODEC_AUTH_FILE"
NOT_ENCRYPTED = f"payloads are not encrypted: set {KEYS_FILE_VARIABLE}"
MIN_SECRET_CHARACTERS = 32


def configured_keys_file() -> Path | None:
    """The key file ``PAYLOAD_KEYS_FILE`` names; None when it is unset or empty (no encryption)."""
    value = os.environ.get(KEYS_FILE_VARIABLE, "").strip()
    return Path(value).expanduser() if value else None


def codec_for(keys_file: Path | None) -> EncryptionCodec | None:
    """The codec of ``keys_file`` (None: no encryption); it reads the file again when it meets a key id it
    does not know. ``EncryptionSettingsError`` if the file cannot be used."""
    if keys_file is None:
        return None
    return EncryptionCodec(load_keyring(keys_file), reload=lambda: load_keyring(keys_file))


def configured_codec() -> EncryptionCodec | None:
    """The codec the settings ask for (None: no encryption)."""
    return codec_for(configured_keys_file())


def describe_encryption(data_converter: DataConverter | None = None) -> dict[str, str]:
    """Fields for a worker's first log line, saying whether its payloads are encrypted and with which key
    (never the key): ``{"encryption": "payloads are encrypted (AES-256-GCM)", "payload_key_id": "..."}`` or
    ``{"encryption": "payloads are not encrypted: set PAYLOAD_KEYS_FILE"}``.

    Pass the client's ``data_converter`` to describe what the worker really uses; without it the settings
    are read (and ``EncryptionSettingsError`` raised if they cannot be used)."""
    codec = configured_codec() if data_converter is None else data_converter.payload_codec
    if not isinstance(codec, EncryptionCodec):
        return {"encryption": NOT_ENCRYPTED}
    return {"encryption": "payloads are encrypted (AES-256-GCM)", "payload_key_id": codec.key_id}


def configured_codec_auth_file() -> Path | None:
    """The codec server's secret file ``CODEC_AUTH_FILE`` names; None when unset or empty."""
    value = os.environ.get(CODEC_AUTH_FILE_VARIABLE, "").strip()
    return Path(value).expanduser() if value else None


def read_codec_secret(path: Path) -> str:
    """The codec server's secret: the token the file holds. ``EncryptionSettingsError`` if it cannot be read
    or is too short to be a secret."""
    try:
        secret = path.read_text(encoding="utf-8").strip()
    except OSError as error:
        raise EncryptionSettingsError(
            f"codec auth file {path} cannot be read ({error.strerror or type(error).__name__}): create it "
            f"with one random token (the local stack makes one), mode 0600, or point {CODEC_AUTH_FILE_VARIABLE} "
            "at it"
        ) from None
    except UnicodeDecodeError:
        secret = ""
    if len(secret) < MIN_SECRET_CHARACTERS or any(character.isspace() for character in secret):
        raise EncryptionSettingsError(
            f"codec auth file {path} does not hold a token of at least {MIN_SECRET_CHARACTERS} characters "
            "without spaces: write one random token into it (e.g. `python -c 'import secrets; "
            "print(secrets.token_urlsafe(32))'`)"
        )
    return secret


def create_codec_auth_file(path: Path) -> Path:
    """Create ``path`` (mode 0600) holding a new random token, unless it exists; returns ``path``."""
    if not path.exists():
        try:
            write_private_file(path, secrets.token_urlsafe(32) + "\n", replace=False)
        except FileExistsError:  # another process made it first
            pass
    return path


__all__ = [
    "CODEC_AUTH_FILE_VARIABLE",
    "KEYS_FILE_VARIABLE",
    "NOT_ENCRYPTED",
    "EncryptionSettingsError",
    "codec_for",
    "configured_codec",
    "configured_codec_auth_file",
    "configured_keys_file",
    "create_codec_auth_file",
    "describe_encryption",
    "read_codec_secret",
]
