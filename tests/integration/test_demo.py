"""The README's first command: the demo brings up its own stack and holds the scripted conversation."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from harness.server import REPO_ROOT, DevServer, free_port
from shared.encryption.settings import read_codec_secret
from shared.topology import load_topology

DEMO_TIMEOUT_SECONDS = 240


@pytest.mark.timeout(DEMO_TIMEOUT_SECONDS + 30)  # the demo's own limit, then its cleanup
@pytest.mark.parametrize(
    "mode", [[], ["--identity"], ["--no-encryption"]], ids=["default", "--identity", "--no-encryption"]
)
def test_the_demo_answers_with_a_local_an_it_a_finance_tool_and_two_at_once(
    tmp_path: Path, mode: list[str]
) -> None:
    identity, encrypted = "--identity" in mode, "--no-encryption" not in mode
    port, ui_port = free_port(), free_port()
    state_dir = tmp_path / "stack"

    # Its own process group, which its workers share: on a timeout one signal ends the demo and them all.
    demo = subprocess.Popen(
        [
            sys.executable, "-m", "harness.demo",
            "--port", str(port), "--ui-port", str(ui_port),
            "--state-dir", str(state_dir), "--stop-server",
            *mode,
        ],
        cwd=REPO_ROOT,
        env={
            **os.environ,
            "TEMPORAL_ADDRESS": "",
            "TEMPORAL_NAMESPACE": "",
            "AGENT_MODEL": "",
            "IT_TICKET_DB": str(tmp_path / "tickets.db"),
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )  # fmt: skip
    try:
        output, errors = demo.communicate(timeout=DEMO_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(demo.pid, signal.SIGKILL)
        output, errors = demo.communicate()
        pytest.fail(f"the demo did not finish in {DEMO_TIMEOUT_SECONDS} s:\n{output}{errors}")
    finally:
        state_file_left = (state_dir / "dev-server.json").exists()
        # The dev server runs in a session of its own (it outlives the demo without --stop-server).
        server_left_running = DevServer(state_dir).stop()

    assert demo.returncode == 0, output + errors
    assert 'local/calculator(expression="125 * 8") -> ok' in output
    assert "it/get_ip() -> ok" in output
    assert "finance/calculate_roi(principal=10000, rate=5, years=10) -> ok" in output
    assert "final value 16,288.95" in output
    assert 'finance/stock_price(ticker="TSLA") -> ok' in output
    assert 'it/get_jira_metrics(project="DEMO") -> ok' in output
    assert (
        'approval needed: it/create_ticket(title="Printer on floor 3 is jammed", priority="high")' in output
    )
    # With identity on, the audit trail names the verified person, not the name they typed.
    approver = "demo-user" if identity else "demo user"
    assert f"(approved by {approver}: the printer is ours)" in output
    assert ("identity is on: the demo chats as 'demo-user'" in output) == identity
    assert "Web chat: scripts/demo --web serves http://127.0.0.1:8000/" in output
    namespace = load_topology().orchestrator.namespace
    assert f"Temporal UI: http://localhost:{ui_port}/namespaces/{namespace}/workflows/chat-" in output
    assert not server_left_running and not state_file_left, "--stop-server must stop the server it started"
    if not encrypted:
        assert "Payloads are not encrypted (--no-encryption)" in output
        return
    # The conversation is encrypted, and the demo says how to read it decoded, without the secret itself.
    auth_file = DevServer(state_dir).encryption.auth_file
    assert "Payloads are encrypted (AES-256-GCM, key " in output
    assert "temporal workflow show --detailed --workflow-id chat-" in output
    assert (
        f'--codec-auth "Bearer $(cat {auth_file})"' in output
        and "--codec-endpoint http://127.0.0.1:" in output
    )
    assert read_codec_secret(auth_file) not in output + errors
