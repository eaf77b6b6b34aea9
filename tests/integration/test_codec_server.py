"""The codec server as a real process (``python -m shared.encryption.codec_server`` on a free port): it
decodes only for a client bearing its secret (or a browser signed in with it), gives CORS headers to the
UI's origin only; and, on the session's stack, a chat's payloads are stored encrypted in the orchestrator's
namespace and in the Finance team's, while the real ``temporal`` CLI shows them decoded through it."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import Message as EmailMessage
from pathlib import Path
from typing import Any

import pytest
from google.protobuf import json_format
from temporalio.api.common.v1 import Payloads
from temporalio.api.history.v1 import History
from temporalio.client import Client

from harness.server import REPO_ROOT, free_port, port_in_use, temporal_binary
from harness.suite import Suite
from harness.workers import WorkerProcess
from orchestrator.conversation import Conversation
from shared.connection import data_converter_for
from shared.encryption.codec import ENCRYPTED_ENCODING
from shared.encryption.keyring import create_key_file
from shared.encryption.settings import create_codec_auth_file, read_codec_secret
from shared.kit.tool_workflow import TOOL_WORKFLOW_NAME
from shared.process import die_with_parent
from shared.topology import load_topology
from tests.support.visibility import list_when_indexed

UI_ORIGIN = "http://localhost:18233"
OTHER_ORIGIN = "http://evil.example"
QUESTION = "What is the stock price of TSLA?"
TSLA_PRICE = "402.15"  # finance_service/data/quotes.json

_direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # 127.0.0.1, whatever the proxy


@dataclass
class Answer:
    status: int
    headers: EmailMessage
    """Looked up by any case of a header's name."""
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class CodecServer:
    url: str
    keys_file: Path
    auth_file: Path
    process: subprocess.Popen[bytes]
    log_file: Path

    @property
    def secret(self) -> str:
        return read_codec_secret(self.auth_file)

    def request(
        self, path: str, body: bytes | None = None, *, method: str = "POST", headers: Mapping[str, str] = {}
    ) -> Answer:
        request = urllib.request.Request(self.url + path, data=body, method=method, headers=dict(headers))
        try:
            with _direct.open(request, timeout=10) as response:
                return Answer(response.status, response.headers, response.read())
        except urllib.error.HTTPError as error:
            return Answer(error.code, error.headers, error.read())

    def decode(self, payloads: bytes, **headers: str) -> Answer:
        return self.request("/decode", payloads, headers={"Content-Type": "application/json", **headers})


def start_codec_server(folder: Path, *arguments: str) -> subprocess.Popen[bytes]:
    log_file = folder / "codec-server.log"
    with log_file.open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "shared.encryption.codec_server", *arguments],
            cwd=REPO_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=die_with_parent(),
        )


@pytest.fixture(scope="module")
def codec_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CodecServer]:
    folder = tmp_path_factory.mktemp("codec")
    keys_file, auth_file = folder / "payload-keys.json", folder / "codec-auth"
    create_key_file(keys_file)
    create_codec_auth_file(auth_file)
    port = free_port()
    process = start_codec_server(
        folder,
        "--port", str(port),
        "--ui-origin", UI_ORIGIN,
        "--keys-file", str(keys_file),
        "--auth-file", str(auth_file),
    )  # fmt: skip
    server = CodecServer(
        f"http://127.0.0.1:{port}", keys_file, auth_file, process, folder / "codec-server.log"
    )
    try:
        deadline = time.monotonic() + 30
        while not port_in_use(port):
            assert process.poll() is None, f"the codec server exited: {server.log_file.read_text()}"
            assert time.monotonic() < deadline, (
                f"the codec server does not listen: {server.log_file.read_text()}"
            )
            time.sleep(0.05)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def encrypted_payloads(keys_file: Path, *values: object) -> bytes:
    """``values`` as the suite's workers store them, in the protocol's JSON form."""
    payloads = asyncio.run(data_converter_for(keys_file).encode(list(values)))
    assert all(payload.metadata["encoding"] == ENCRYPTED_ENCODING for payload in payloads)
    return json_format.MessageToJson(Payloads(payloads=payloads)).encode()


def decoded_values(answer: Answer) -> list[Any]:
    payloads = json_format.Parse(answer.body, Payloads()).payloads
    assert all(payload.metadata["encoding"] == b"json/plain" for payload in payloads)
    return [json.loads(payload.data) for payload in payloads]


def test_a_request_without_the_secret_is_refused_with_401(codec_server: CodecServer) -> None:
    payloads = encrypted_payloads(codec_server.keys_file, {"text": QUESTION})

    for headers in ({}, {"Authorization": "Bearer not-the-secret"}, {"Authorization": codec_server.secret}):
        answer = codec_server.decode(payloads, **headers)

        assert answer.status == 401, headers
        assert "not authorized" in answer.json()["error"]
        assert answer.headers["WWW-Authenticate"] == "Bearer"
        assert QUESTION.encode() not in answer.body and codec_server.secret.encode() not in answer.body


def test_a_request_bearing_the_secret_gets_the_payloads_decoded(codec_server: CodecServer) -> None:
    payloads = encrypted_payloads(codec_server.keys_file, {"text": QUESTION}, "second")

    answer = codec_server.decode(
        payloads, Authorization=f"Bearer {codec_server.secret}", **{"X-Namespace": "default"}
    )

    assert answer.status == 200, answer.body
    assert decoded_values(answer) == [{"text": QUESTION}, "second"]


def test_a_payload_of_a_key_the_server_lacks_is_shown_as_stored(
    codec_server: CodecServer, tmp_path: Path
) -> None:
    other_keys = tmp_path / "other-keys.json"
    create_key_file(other_keys)
    foreign = json.loads(encrypted_payloads(other_keys, "not for this server"))["payloads"]
    ours = json.loads(encrypted_payloads(codec_server.keys_file, "for this server"))["payloads"]

    answer = codec_server.decode(
        json.dumps({"payloads": foreign + ours}).encode(), Authorization=f"Bearer {codec_server.secret}"
    )

    assert answer.status == 200, answer.body
    first, second = json.loads(answer.body)["payloads"]
    assert first == foreign[0], "left encrypted, as stored"
    assert base64.b64decode(second["data"]) == b'"for this server"'


def test_encode_then_decode_round_trips_and_a_plain_payload_passes_through(codec_server: CodecServer) -> None:
    auth = {"Authorization": f"Bearer {codec_server.secret}", "Content-Type": "application/json"}
    plain = json_format.MessageToJson(
        Payloads(payloads=asyncio.run(data_converter_for(None).encode([{"text": QUESTION}])))
    ).encode()

    encoded = codec_server.request("/encode", plain, headers=auth)
    passed = codec_server.request("/decode", plain, headers=auth)

    assert encoded.status == 200 and QUESTION.encode() not in base64.b64decode(
        json.loads(encoded.body)["payloads"][0]["data"]
    )
    assert decoded_values(codec_server.request("/decode", encoded.body, headers=auth)) == [{"text": QUESTION}]
    assert decoded_values(passed) == [{"text": QUESTION}]


def test_the_ui_origin_gets_cors_headers_and_no_other_origin_does(codec_server: CodecServer) -> None:
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization"}

    allowed = codec_server.request("/decode", method="OPTIONS", headers={"Origin": UI_ORIGIN, **preflight})
    other = codec_server.request("/decode", method="OPTIONS", headers={"Origin": OTHER_ORIGIN, **preflight})

    assert allowed.status == 204
    assert allowed.headers["Access-Control-Allow-Origin"] == UI_ORIGIN
    assert allowed.headers["Access-Control-Allow-Credentials"] == "true"
    assert {name.strip().lower() for name in allowed.headers["Access-Control-Allow-Headers"].split(",")} == {
        "authorization",
        "content-type",
        "x-namespace",
    }
    assert "Access-Control-Allow-Origin" not in other.headers and other.status == 403

    payloads = encrypted_payloads(codec_server.keys_file, {"text": QUESTION})
    bearer = f"Bearer {codec_server.secret}"
    from_ui = codec_server.decode(payloads, Authorization=bearer, Origin=UI_ORIGIN)
    from_elsewhere = codec_server.decode(payloads, Authorization=bearer, Origin=OTHER_ORIGIN)
    assert from_ui.status == 200 and from_ui.headers["Access-Control-Allow-Origin"] == UI_ORIGIN
    assert from_elsewhere.status == 403 and "Access-Control-Allow-Origin" not in from_elsewhere.headers
    assert QUESTION.encode() not in from_elsewhere.body


def test_a_browser_signed_in_with_the_secret_decodes_with_its_session_cookie(
    codec_server: CodecServer,
) -> None:
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    wrong = codec_server.request("/login", b"secret=guess", headers=form)
    signed_in = codec_server.request("/login", f"secret={codec_server.secret}".encode(), headers=form)

    assert wrong.status == 401 and "Set-Cookie" not in wrong.headers
    assert signed_in.status == 200
    cookie = signed_in.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert codec_server.secret not in cookie, "the cookie is derived from the secret, not the secret"
    session = cookie.split(";")[0]
    payloads = encrypted_payloads(codec_server.keys_file, {"text": QUESTION})
    answer = codec_server.decode(payloads, Cookie=session, Origin=UI_ORIGIN)
    assert answer.status == 200 and decoded_values(answer) == [{"text": QUESTION}]
    forged = codec_server.decode(payloads, Cookie=session.split("=")[0] + "=forged", Origin=UI_ORIGIN)
    assert forged.status == 401


def test_the_codec_server_refuses_to_start_without_its_secret(tmp_path: Path) -> None:
    create_key_file(tmp_path / "keys.json")
    env = {key: value for key, value in os.environ.items() if key != "CODEC_AUTH_FILE"}

    done = subprocess.run(
        [sys.executable, "-m", "shared.encryption.codec_server", "--port", str(free_port()),
         "--keys-file", str(tmp_path / "keys.json"), "--auth-file", str(tmp_path / "missing")],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip

    assert done.returncode == 2
    assert f"codec auth file {tmp_path / 'missing'} cannot be read" in done.stderr


async def raw_history_bytes(address: str, namespace: str, workflow_id: str) -> bytes:
    """The history as the server stores it: fetched with the default converter, no codec. Its bytes, not its
    JSON form: there every payload is base64, where a plain-text payload would not show and a ciphertext's
    base64 can spell a short word ('TSLA') by chance."""
    plain = await Client.connect(address, namespace=namespace)
    history = await plain.get_workflow_handle(workflow_id).fetch_history()
    return History(events=history.events).SerializeToString()


def temporal_cli(command: str) -> str:
    """Run a ``temporal ...`` shell command line (the CLI of this environment first on PATH)."""
    path = f"{Path(temporal_binary()).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    done = subprocess.run(
        ["bash", "-c", command],
        env={**os.environ, "PATH": path},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, f"{command}\n{done.stdout}{done.stderr}"
    return done.stdout


@pytest.mark.timeout(180)
async def test_a_chat_is_stored_encrypted_in_both_namespaces_and_the_cli_shows_it_decoded(
    stack: Suite, orchestrator_worker: WorkerProcess
) -> None:
    topology = load_topology()
    finance = topology.tool_service("finance").namespace
    since = datetime.now(UTC)
    chat = await Conversation.start(stack.client)
    reply = await chat.send(QUESTION)
    assert TSLA_PRICE in reply.text, "the agent answered with the price"
    finance_client = await stack.client_for(finance)
    (tool_run,) = await list_when_indexed(
        finance_client, f"WorkflowType = '{TOOL_WORKFLOW_NAME}' AND StartTime >= '{since.isoformat()}'"
    )

    chat_history = await raw_history_bytes(
        stack.state.address, topology.orchestrator.namespace, chat.workflow_id
    )
    tool_history = await raw_history_bytes(stack.state.address, finance, tool_run.id)

    for secret in (QUESTION, reply.text, TSLA_PRICE, "Tesla"):
        assert secret.encode() not in chat_history, f"{secret!r} stored in the clear in the chat's history"
    for secret in ("TSLA", TSLA_PRICE, "Tesla"):
        assert secret.encode() not in tool_history, f"{secret!r} stored in the clear in the tool's history"

    show = stack.show_command(chat.workflow_id, topology.orchestrator.namespace)
    assert show is not None and stack.encryption is not None
    assert "--codec-auth" in show and read_codec_secret(stack.encryption.auth_file) not in show
    decoded = temporal_cli(show)
    assert QUESTION in decoded and TSLA_PRICE in decoded
    plain = temporal_cli(show.split(" --codec-endpoint")[0])
    assert QUESTION not in plain and TSLA_PRICE not in plain
    assert "encryption-key-id" in plain, "without the codec the CLI shows the payloads encrypted"
    tool_show = stack.show_command(tool_run.id, finance)
    assert tool_show is not None and TSLA_PRICE in temporal_cli(tool_show)
