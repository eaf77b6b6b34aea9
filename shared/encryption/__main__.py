"""``python -m shared.encryption create|rotate|ids [FILE]``: make a payload key file (mode 0600), add a new
key to it (rotation: new payloads use it, the older keys still decrypt), or list its key ids. ``FILE``
defaults to ``PAYLOAD_KEYS_FILE``. No key is ever printed."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from shared.encryption.keyring import EncryptionSettingsError, add_key, create_key_file, load_keyring
from shared.encryption.settings import KEYS_FILE_VARIABLE, configured_keys_file


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Manage a payload key file (no key is ever printed).")
    parser.add_argument("command", choices=["create", "rotate", "ids"])
    parser.add_argument("file", nargs="?", type=Path, help=f"the key file (default: {KEYS_FILE_VARIABLE})")
    arguments = parser.parse_args(argv)
    path: Path | None = arguments.file or configured_keys_file()
    if path is None:
        parser.error(f"name the key file, or set {KEYS_FILE_VARIABLE}")
    try:
        if arguments.command == "create":
            existed = path.exists()
            keyring = create_key_file(path)
            print(f"{path} {'already existed' if existed else 'created'}; newest key {keyring.newest.id}")
        elif arguments.command == "rotate":
            keyring = add_key(path)
            print(
                f"added key {keyring.newest.id} to {path}: restart the workers and clients to encrypt with "
                "it (copy the file to every machine that reads payloads first); the older keys still decrypt"
            )
        else:
            for key in load_keyring(path).keys:
                print(f"{key.id}  created {key.created.isoformat()}")
    except EncryptionSettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
