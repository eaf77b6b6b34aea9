"""The harness's dev server when a port picked as free is taken before the server binds it (another
process's outgoing connection can get any free port): it starts again on fresh ports."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from harness import server
from harness.server import DevServer, free_port


@pytest.mark.timeout(180)
def test_a_port_taken_before_the_server_binds_it_is_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        taken_port = taken.getsockname()[1]
        # As if the port had been free when checked, and taken between the check and the server's bind.
        in_use = server.port_in_use
        monkeypatch.setattr(server, "port_in_use", lambda port: port != taken_port and in_use(port))
        dev_server = DevServer(tmp_path)
        try:
            state = dev_server.start(
                free_port(), free_port(), taken_port, outlive_caller=False, encrypted=False
            )

            assert state.http_port != taken_port
            assert "address already in use" in dev_server.log_file.read_text()
        finally:
            dev_server.stop()
