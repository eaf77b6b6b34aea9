"""The README's first command: the demo brings up its own stack and holds the scripted conversation."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from scripts.localstack import REPO_ROOT, free_port


def test_the_demo_answers_with_a_local_an_it_a_finance_tool_and_two_at_once(tmp_path: Path) -> None:
    port, ui_port = free_port(), free_port()
    state_dir = tmp_path / "stack"

    finished = subprocess.run(
        [
            sys.executable, "-m", "scripts.demo",
            "--port", str(port), "--ui-port", str(ui_port),
            "--state-dir", str(state_dir), "--stop-server",
        ],
        cwd=REPO_ROOT,
        env={**os.environ, "TEMPORAL_ADDRESS": "", "TEMPORAL_NAMESPACE": ""},
        capture_output=True,
        text=True,
        timeout=240,
    )  # fmt: skip

    output = finished.stdout
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert 'local/calculator(expression="125 * 8") -> ok' in output
    assert "it/get_ip() -> ok" in output
    assert "finance/calculate_roi(principal=10000, rate=5, years=10) -> ok" in output
    assert "final_value: 16288.95" in output
    assert 'finance/stock_price(ticker="TSLA") -> ok' in output
    assert 'it/get_jira_metrics(project="DEMO") -> ok' in output
    assert f"Temporal UI: http://localhost:{ui_port}/namespaces/default/workflows/chat-" in output
    assert not (state_dir / "dev-server.json").exists(), "--stop-server must stop the server it started"
