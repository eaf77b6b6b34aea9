"""The payload key file and the keys it holds.

The file is JSON, newest key last::

    {"keys": [{"id": "20261120-1a2b3c4d", "key": "<base64 of 32 random bytes>", "created": "2026-11-20T..."}]}

New payloads are encrypted with the newest key; every key in the file still decrypts what it encrypted, so a
rotation (``add_key``) never makes an old payload unreadable. The file is created with mode 0600 and is a
secret: no error, log line or ``repr`` here ever shows a key.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import secrets
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.process import SettingsProblem

KEY_BYTES = 32
"""AES-256: every key is 32 random bytes."""
FILE_MODE = 0o600


class EncryptionSettingsError(SettingsProblem):
    """The encryption settings cannot be used (a key file that is missing, unreadable or malformed); the
    message names the file and says what to do, and never holds key material."""


@dataclass(frozen=True)
class PayloadKey:
    """One key: its id (written in the metadata of every payload it encrypts) and its secret bytes."""

    id: str
    secret: bytes = field(repr=False)
    created: datetime


@dataclass(frozen=True)
class Keyring:
    """The keys of a key file, oldest first; never empty."""

    keys: tuple[PayloadKey, ...]

    def __post_init__(self) -> None:
        if not self.keys:
            raise ValueError("a keyring holds at least one key")

    @property
    def newest(self) -> PayloadKey:
        """The key new payloads are encrypted with."""
        return self.keys[-1]

    def get(self, key_id: str) -> PayloadKey | None:
        """The key with this id, if the keyring holds it."""
        return next((key for key in self.keys if key.id == key_id), None)

    @property
    def ids(self) -> list[str]:
        return [key.id for key in self.keys]


class _KeyEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._-]+$")
    key: str
    created: datetime


class _KeyFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    keys: list[_KeyEntry] = Field(min_length=1)


def load_keyring(path: Path) -> Keyring:
    """The keys of the file at ``path``; ``EncryptionSettingsError`` if it cannot be read or is not a key file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise EncryptionSettingsError(
            f"payload key file {path} does not exist: create it with `python -m shared.encryption create "
            f"{path}` (or point PAYLOAD_KEYS_FILE at the suite's key file, or unset it to run without encryption)"
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else type(error).__name__
        raise EncryptionSettingsError(
            f"payload key file {path} cannot be read ({reason}): make it readable by this process "
            "(it should be mode 0600, owned by the user who runs it)"
        ) from None
    try:
        parsed = _KeyFile.model_validate_json(text)
    except ValidationError as error:
        # Only where and what, never the input: the input is key material.
        problems = "; ".join(
            f"{'.'.join(str(part) for part in problem['loc']) or 'file'}: {problem['msg']}"
            for problem in error.errors(include_input=False, include_url=False)
        )
        raise EncryptionSettingsError(
            f'payload key file {path} is not a key file ({problems}): it must be JSON {{"keys": [{{"id", '
            '"key", "created"}, ...]}, newest key last; restore it from your copy'
        ) from None
    keys = tuple(_key(path, entry) for entry in parsed.keys)
    duplicated = sorted({key.id for key in keys if [k.id for k in keys].count(key.id) > 1})
    if duplicated:
        raise EncryptionSettingsError(
            f"payload key file {path} holds the key id(s) {', '.join(duplicated)} more than once: "
            "every key needs an id of its own"
        )
    return Keyring(keys)


def _key(path: Path, entry: _KeyEntry) -> PayloadKey:
    try:
        secret = base64.b64decode(entry.key, validate=True)
    except (binascii.Error, ValueError):
        secret = b""
    if len(secret) != KEY_BYTES:
        raise EncryptionSettingsError(
            f"payload key file {path}: key {entry.id!r} is not the base64 of {KEY_BYTES} bytes "
            "(an AES-256 key); restore it from your copy"
        )
    created = entry.created if entry.created.tzinfo else entry.created.replace(tzinfo=UTC)
    return PayloadKey(id=entry.id, secret=secret, created=created)


def new_key(now: datetime | None = None) -> PayloadKey:
    """A fresh random key, with an id made of its creation date and random characters."""
    created = now or datetime.now(UTC)
    return PayloadKey(
        id=f"{created:%Y%m%d}-{secrets.token_hex(4)}", secret=secrets.token_bytes(KEY_BYTES), created=created
    )


def create_key_file(path: Path) -> Keyring:
    """The keys of ``path``, which is created (mode 0600, with one new key) if it does not exist yet. Two
    processes creating it at once end up with the same file: it appears whole, or not at all."""
    if not path.exists():
        try:
            _write(path, Keyring((new_key(),)), replace=False)
        except FileExistsError:  # another process made it first: use theirs
            pass
    return load_keyring(path)


def add_key(path: Path) -> Keyring:
    """Rotate: append a new key to the file at ``path`` (which must exist) and return the keyring. New
    payloads are then encrypted with it; the older keys still decrypt what they encrypted. Processes that
    already run learn the new key when they first meet a payload it encrypted; they encrypt with it once
    restarted."""
    keyring = load_keyring(path)
    rotated = Keyring((*keyring.keys, new_key()))
    _write(path, rotated, replace=True)
    return rotated


def _write(path: Path, keyring: Keyring, *, replace: bool) -> None:
    document = {
        "keys": [
            {
                "id": key.id,
                "key": base64.b64encode(key.secret).decode("ascii"),
                "created": key.created.isoformat(),
            }
            for key in keyring.keys
        ]
    }
    write_private_file(path, json.dumps(document, indent=2) + "\n", replace=replace)


def write_private_file(path: Path, text: str, *, replace: bool) -> None:
    """Write ``text`` to ``path`` (mode 0600) whole: into a private temporary file beside it, then moved
    (or, when not ``replace``, linked, which raises ``FileExistsError`` if ``path`` exists) into place, so
    a reader never sees a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # mode 0600
    try:
        os.fchmod(descriptor, FILE_MODE)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if replace:
            os.replace(temporary, path)
        else:
            os.link(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)
