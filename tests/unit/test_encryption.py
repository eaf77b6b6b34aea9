"""Encrypted payloads: the key file, the codec (through the suite's real data converter), rotation, payloads
written before encryption, and the errors a wrong setting gives (which never show a key)."""

from __future__ import annotations

import base64
import json
import os
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import pydantic_data_converter

from harness.server import REPO_ROOT, free_port
from shared.connection import connect, data_converter, data_converter_for
from shared.encryption.codec import (
    ENCRYPTED_ENCODING,
    KEY_ID_METADATA,
    EncryptionCodec,
    PayloadDecryptionError,
)
from shared.encryption.keyring import EncryptionSettingsError, add_key, create_key_file, load_keyring
from shared.encryption.settings import (
    KEYS_FILE_VARIABLE,
    NOT_ENCRYPTED,
    create_codec_auth_file,
    describe_encryption,
    read_codec_secret,
)

SECRET_TEXT = "What is the stock price of TSLA?"


class Message(BaseModel):
    text: str
    sender: str


def secrets_of(path: Path) -> list[str]:
    """Every key of the file, as stored (base64) and as raw bytes' hex: what no message may show."""
    stored = [entry["key"] for entry in json.loads(path.read_text())["keys"]]
    return stored + [base64.b64decode(key).hex() for key in stored]


async def encoded(keys_file: Path, value: object) -> Payload:
    (payload,) = await data_converter_for(keys_file).encode([value])
    return payload


async def decoded(keys_file: Path, payload: Payload) -> Message:
    (value,) = await data_converter_for(keys_file).decode([payload], [Message])
    assert isinstance(value, Message)
    return value


@pytest.fixture
def keys_file(tmp_path: Path) -> Path:
    path = tmp_path / "payload-keys.json"
    create_key_file(path)
    return path


async def test_a_payload_round_trips_through_the_encrypting_data_converter(keys_file: Path) -> None:
    message = Message(text=SECRET_TEXT, sender="alice")

    payload = await encoded(keys_file, message)

    assert await decoded(keys_file, payload) == message


async def test_the_encoded_payload_holds_neither_the_text_nor_its_encoding(keys_file: Path) -> None:
    payload = await encoded(keys_file, Message(text=SECRET_TEXT, sender="alice"))

    stored = payload.SerializeToString()
    for plaintext in (SECRET_TEXT, "TSLA", "alice", "json/plain"):
        assert plaintext.encode() not in stored
    assert payload.metadata["encoding"] == ENCRYPTED_ENCODING


async def test_the_key_id_is_in_the_metadata_and_the_key_is_nowhere(keys_file: Path) -> None:
    keyring = load_keyring(keys_file)

    payload = await encoded(keys_file, Message(text=SECRET_TEXT, sender="alice"))

    assert payload.metadata[KEY_ID_METADATA] == keyring.newest.id.encode()
    stored = payload.SerializeToString()
    assert keyring.newest.secret not in stored
    assert all(secret.encode() not in stored for secret in secrets_of(keys_file))


async def test_the_same_value_encrypts_differently_each_time(keys_file: Path) -> None:
    message = Message(text=SECRET_TEXT, sender="alice")

    first, second = await encoded(keys_file, message), await encoded(keys_file, message)

    assert first.data != second.data  # a fresh nonce each time


async def test_after_a_rotation_new_payloads_use_the_new_key_and_old_ones_still_decode(
    keys_file: Path,
) -> None:
    message = Message(text=SECRET_TEXT, sender="alice")
    old = await encoded(keys_file, message)
    first_key = load_keyring(keys_file).newest.id

    rotated = add_key(keys_file)
    new = await encoded(keys_file, message)

    assert rotated.ids == [first_key, rotated.newest.id] and rotated.newest.id != first_key
    assert old.metadata[KEY_ID_METADATA] == first_key.encode()
    assert new.metadata[KEY_ID_METADATA] == rotated.newest.id.encode()
    assert await decoded(keys_file, old) == message
    assert await decoded(keys_file, new) == message


async def test_a_running_codec_learns_a_key_added_to_its_file_when_it_meets_it(keys_file: Path) -> None:
    running = data_converter_for(keys_file)  # made before the rotation, as a worker that keeps running
    add_key(keys_file)
    message = Message(text=SECRET_TEXT, sender="alice")

    payload = await encoded(keys_file, message)  # a restarted worker writes with the new key

    (value,) = await running.decode([payload], [Message])
    assert value == message


async def test_a_payload_written_without_encryption_still_decodes(keys_file: Path) -> None:
    message = Message(text=SECRET_TEXT, sender="alice")
    (plain,) = await pydantic_data_converter.encode([message])

    assert await decoded(keys_file, plain) == message
    assert pydantic_data_converter.payload_codec is None


async def test_a_payload_of_an_unknown_key_fails_naming_the_key_id_only(
    tmp_path: Path, keys_file: Path
) -> None:
    other = tmp_path / "other-keys.json"
    create_key_file(other)
    payload = await encoded(other, Message(text=SECRET_TEXT, sender="alice"))
    unknown = load_keyring(other).newest.id

    with pytest.raises(PayloadDecryptionError) as failure:
        await decoded(keys_file, payload)

    message = str(failure.value)
    assert unknown in message and load_keyring(keys_file).newest.id in message
    assert KEYS_FILE_VARIABLE in message
    assert not any(secret in message for secret in secrets_of(keys_file) + secrets_of(other))


def forged_copy(keys_file: Path, forged: Path) -> Path:
    """The key file with other bytes under the same key id."""
    document = json.loads(keys_file.read_text())
    document["keys"][0]["key"] = base64.b64encode(os.urandom(32)).decode()
    forged.write_text(json.dumps(document))
    return forged


async def test_a_key_under_the_right_id_but_wrong_bytes_fails_clearly(
    tmp_path: Path, keys_file: Path
) -> None:
    payload = await encoded(keys_file, Message(text=SECRET_TEXT, sender="alice"))
    forged = forged_copy(keys_file, tmp_path / "forged.json")

    with pytest.raises(PayloadDecryptionError, match="does not decrypt with the key of that id"):
        await decoded(forged, payload)


def test_a_new_key_file_is_private_and_creating_it_again_keeps_its_keys(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "payload-keys.json"

    first = create_key_file(path)
    again = create_key_file(path)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert again == first and len(first.keys) == 1 and len(first.newest.secret) == 32
    assert first.newest.id not in repr(first.newest.secret) and "secret" not in repr(first.newest)


def test_a_rotated_key_file_stays_private(keys_file: Path) -> None:
    add_key(keys_file)

    assert stat.S_IMODE(keys_file.stat().st_mode) == 0o600
    assert [path.name for path in keys_file.parent.iterdir()] == [keys_file.name], "no temporary file left"


def test_a_missing_key_file_says_how_to_make_one(tmp_path: Path) -> None:
    missing = tmp_path / "missing.json"

    with pytest.raises(EncryptionSettingsError) as failure:
        load_keyring(missing)

    assert str(missing) in str(failure.value) and "python -m shared.encryption create" in str(failure.value)


def test_an_unreadable_key_file_names_the_file_and_what_to_do(tmp_path: Path) -> None:
    unreadable = tmp_path / "keys-dir"  # a folder: unreadable as a file, whoever runs the test (even root)
    unreadable.mkdir()

    with pytest.raises(EncryptionSettingsError) as failure:
        load_keyring(unreadable)

    assert f"payload key file {unreadable} cannot be read" in str(failure.value)
    assert "make it readable" in str(failure.value)


@pytest.mark.parametrize(
    "damage",
    [
        lambda document: document["keys"][0].update(key=document["keys"][0]["key"][:-8]),
        lambda document: document["keys"][0].update(created="yesterday"),
        lambda document: document["keys"][0].update(id="bad id!"),
        lambda document: document.update(extra=document["keys"][0]["key"]),
        lambda document: document.update(keys=document["keys"] * 2),
        lambda document: document.update(keys=[]),
    ],
    ids=["short-key", "bad-date", "bad-id", "unknown-field", "duplicate-id", "no-key"],
)
def test_a_malformed_key_file_is_refused_without_showing_a_key(
    keys_file: Path, damage: Callable[[dict[str, Any]], object]
) -> None:
    secrets = secrets_of(keys_file)
    document = json.loads(keys_file.read_text())
    damage(document)
    keys_file.write_text(json.dumps(document))

    with pytest.raises(EncryptionSettingsError) as failure:
        load_keyring(keys_file)

    message = str(failure.value)
    assert str(keys_file) in message
    assert not any(secret in message or secret[:12] in message for secret in secrets), message


def test_a_key_file_that_is_not_json_is_refused_without_showing_its_text(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    path.write_text("not json, but a secret: hunter2hunter2")

    with pytest.raises(EncryptionSettingsError) as failure:
        load_keyring(path)

    assert "hunter2" not in str(failure.value) and "is not a key file" in str(failure.value)


def test_no_key_file_setting_means_no_encryption_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    for value in (None, "", "  "):
        if value is None:
            monkeypatch.delenv(KEYS_FILE_VARIABLE, raising=False)
        else:
            monkeypatch.setenv(KEYS_FILE_VARIABLE, value)

        assert data_converter() is pydantic_data_converter
        assert describe_encryption() == {"encryption": NOT_ENCRYPTED}
    assert NOT_ENCRYPTED == "payloads are not encrypted: set PAYLOAD_KEYS_FILE"


def test_a_key_file_setting_encrypts_and_the_description_names_the_key_not_the_secret(
    monkeypatch: pytest.MonkeyPatch, keys_file: Path
) -> None:
    monkeypatch.setenv(KEYS_FILE_VARIABLE, str(keys_file))
    key = load_keyring(keys_file).newest

    converter = data_converter()

    assert isinstance(converter.payload_codec, EncryptionCodec)
    assert converter.payload_converter_class is pydantic_data_converter.payload_converter_class
    description = describe_encryption(converter)
    assert description == describe_encryption()
    assert description["payload_key_id"] == key.id and "encrypted" in description["encryption"]
    assert not any(secret in repr(description) for secret in secrets_of(keys_file))


async def test_a_client_with_an_unusable_key_file_refuses_to_connect(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(KEYS_FILE_VARIABLE, str(tmp_path / "nowhere.json"))
    monkeypatch.setenv("TEMPORAL_ADDRESS", f"127.0.0.1:{free_port()}")  # nothing listens: it never gets there

    with pytest.raises(EncryptionSettingsError, match=r"nowhere\.json does not exist"):
        await connect("default")


def test_a_worker_whose_key_file_cannot_be_read_refuses_to_start_and_says_what_is_missing(
    tmp_path: Path,
) -> None:
    unreadable = tmp_path / "keys-dir"
    unreadable.mkdir()
    env = {**os.environ, KEYS_FILE_VARIABLE: str(unreadable), "TEMPORAL_ADDRESS": f"127.0.0.1:{free_port()}"}

    worker = subprocess.run(
        [sys.executable, "-m", "finance_service.worker"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert worker.returncode != 0
    assert f"payload key file {unreadable} cannot be read" in worker.stderr


def test_the_codec_auth_file_is_private_random_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "codec-auth"

    create_codec_auth_file(path)
    secret = read_codec_secret(path)
    create_codec_auth_file(path)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(secret) >= 32 and read_codec_secret(path) == secret
    other = tmp_path / "other-auth"
    create_codec_auth_file(other)
    assert read_codec_secret(other) != secret


def test_a_short_codec_secret_is_refused_without_showing_it(tmp_path: Path) -> None:
    path = tmp_path / "codec-auth"
    path.write_text("short-secret\n")

    with pytest.raises(EncryptionSettingsError) as failure:
        read_codec_secret(path)

    assert str(path) in str(failure.value) and "short-secret" not in str(failure.value)


def test_the_key_file_command_creates_rotates_and_lists_ids_but_never_prints_a_key(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"

    def run(*arguments: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "shared.encryption", *arguments, str(path)],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return done.stdout + done.stderr

    output = run("create") + run("rotate") + run("ids")

    keyring = load_keyring(path)
    assert len(keyring.keys) == 2
    assert all(key_id in output for key_id in keyring.ids)
    assert not any(secret in output for secret in secrets_of(path))
