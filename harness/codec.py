"""The local stack's payload encryption: where its key file and codec secret live (made on first use, mode
0600, in the stack's state folder), how its codec server is started, and the command that shows a workflow
decoded. ``harness.server`` runs the codec server beside the dev server; ``harness.suite`` hands the key file
to every worker.
"""

from __future__ import annotations

import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

from shared.encryption.keyring import create_key_file
from shared.encryption.settings import KEYS_FILE_VARIABLE, create_codec_auth_file, read_codec_secret

CODEC_SERVER_MODULE = "shared.encryption.codec_server"
LOOPBACK = "127.0.0.1"
DEFAULT_CODEC_PORT = 8081
CLI_CODEC_ENDPOINT_VARIABLE = "TEMPORAL_CODEC_ENDPOINT"
CLI_CODEC_AUTH_VARIABLE = "TEMPORAL_CODEC_AUTH"
"""What the ``temporal`` CLI reads for ``--codec-endpoint`` and ``--codec-auth``."""


@dataclass(frozen=True)
class StackEncryption:
    """The key file and the codec server's secret of one state folder."""

    state_dir: Path

    @property
    def keys_file(self) -> Path:
        return self.state_dir / "payload-keys.json"

    @property
    def auth_file(self) -> Path:
        return self.state_dir / "codec-auth"

    def ensure(self) -> StackEncryption:
        """Make the key file and the secret if they are missing (an existing one is kept as it is)."""
        create_key_file(self.keys_file)
        create_codec_auth_file(self.auth_file)
        return self

    def codec_server_command(self, port: int, ui_port: int) -> list[str]:
        """The codec server for a UI on ``ui_port``, listening on the loopback address only."""
        return [
            sys.executable, "-m", CODEC_SERVER_MODULE,
            "--host", LOOPBACK,
            "--port", str(port),
            "--ui-origin", ui_origin(ui_port),
            "--keys-file", str(self.keys_file),
            "--auth-file", str(self.auth_file),
        ]  # fmt: skip

    def is_codec_server(self, arguments: list[str]) -> bool:
        """Whether a process's command line is this folder's codec server."""
        return CODEC_SERVER_MODULE in arguments and str(self.auth_file) in arguments

    def show_command(self, address: str, namespace: str, workflow_id: str, codec_port: int) -> str:
        """The shell command that prints a workflow's history decoded; it reads the secret from its file
        when it runs, so the secret itself is never printed."""
        return " ".join(
            [
                "temporal workflow show --detailed",
                f"--workflow-id {shlex.quote(workflow_id)}",
                f"--namespace {shlex.quote(namespace)}",
                f"--address {shlex.quote(address)}",
                f"--codec-endpoint {cli_codec_endpoint(codec_port)}",
                f'--codec-auth "Bearer $(cat {shlex.quote(str(self.auth_file))})"',
            ]
        )

    def cli_exports(self, codec_port: int) -> str:
        """The shell line after which every ``temporal`` command decodes (and encodes) through the codec
        server; like ``show_command`` it reads the secret from its file, never prints it."""
        return (
            f"export {CLI_CODEC_ENDPOINT_VARIABLE}={cli_codec_endpoint(codec_port)} "
            f'{CLI_CODEC_AUTH_VARIABLE}="Bearer $(cat {shlex.quote(str(self.auth_file))})"'
        )

    def cli_env(self, codec_port: int) -> dict[str, str]:
        """The same for a ``temporal`` process started from Python (its environment is no log)."""
        return {
            CLI_CODEC_ENDPOINT_VARIABLE: cli_codec_endpoint(codec_port),
            CLI_CODEC_AUTH_VARIABLE: f"Bearer {read_codec_secret(self.auth_file)}",
        }

    def ui_hint(self, codec_port: int) -> str:
        """How a person lets the Temporal UI of this stack decode payloads in their browser (the dev server
        cannot tell its UI to send cookies to the codec server: the browser's own codec setting does)."""
        endpoint = ui_codec_endpoint(codec_port)
        return (
            f"sign this browser in once at {endpoint}/login with the token in {self.auth_file}, then in the "
            f"UI's codec server settings use your browser's setting: endpoint {endpoint}, with \"Include "
            'cross-origin credentials" on'
        )

    def worker_env(self) -> dict[str, str]:
        return {KEYS_FILE_VARIABLE: str(self.keys_file)}


def ui_origin(ui_port: int) -> str:
    """The UI's origin as the stack prints its address: ``localhost``, so that the codec server (also
    reached as ``localhost``) is the same site and a signed-in browser's cookie goes with the UI's requests."""
    return f"http://localhost:{ui_port}"


def ui_codec_endpoint(codec_port: int) -> str:
    """The codec endpoint the dev server gives its UI."""
    return f"http://localhost:{codec_port}"


def cli_codec_endpoint(codec_port: int) -> str:
    """The codec endpoint for the ``temporal`` CLI on this machine."""
    return f"http://{LOOPBACK}:{codec_port}"


NO_ENCRYPTION_ENV = {KEYS_FILE_VARIABLE: ""}
"""A suite without encryption: whatever key file the developer's shell names, the workers use none."""
