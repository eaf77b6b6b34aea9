"""The web chat for tests: a real ``python -m orchestrator.web`` process stopped by its pid, a JSON client for
its API, what the process listens on, and a headless Chromium (the distribution's, at a fixed path) to drive
the page."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

from harness.server import REPO_ROOT
from shared.process import die_with_parent

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SERVING_WITHIN_SECONDS = 30.0

# Straight to 127.0.0.1, whatever proxy the environment names.
_direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class WebChatProcess:
    """``python -m orchestrator.web`` on ``port``; its output goes to a log file that a failure shows."""

    def __init__(self, env: Mapping[str, str], port: int, arguments: Sequence[str] = ()) -> None:
        self.port = port
        self._env = dict(env)
        self._arguments = list(arguments)
        self.process: subprocess.Popen[bytes] | None = None
        descriptor, path = tempfile.mkstemp(prefix="web-chat-", suffix=".log")
        os.close(descriptor)
        self.log_path = Path(path)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> WebChatProcess:
        """Start the process and return once it serves the page."""
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "orchestrator.web", "--port", str(self.port), *self._arguments],
                cwd=REPO_ROOT,
                env={**os.environ, **self._env},
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=die_with_parent(),
            )
        deadline = time.monotonic() + SERVING_WITHIN_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the web chat exited:\n{self.log()}")
            try:
                with _direct.open(self.url, timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise AssertionError(
            f"the web chat does not serve {self.url} after {SERVING_WITHIN_SECONDS:.0f} s:\n{self.log()}"
        )

    def stop(self) -> None:
        """SIGTERM, as an operator stops it; SIGKILL if it does not go."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def call(
        self,
        method: str,
        path: str,
        body: object = None,
        *,
        content_type: str = "application/json",
        token: str | None = None,
    ) -> tuple[int, Any]:
        """One API request (as the person whose ``token`` it carries): its status and JSON answer. ``body``
        as bytes is sent as it is."""
        data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
        headers = {"Content-Type": content_type} if data is not None else {}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(
            self.url + path.lstrip("/"), data=data, method=method, headers=headers
        )
        try:
            with _direct.open(request, timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())


def listening_addresses(port: int) -> set[str]:
    """The local addresses of the TCP sockets that listen on ``port`` (read from Linux's /proc/net)."""
    found = set()
    for table, family in (("tcp", socket.AF_INET), ("tcp6", socket.AF_INET6)):
        for line in Path("/proc/net", table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.split(":")
            if state == "0A" and int(port_hex, 16) == port:  # 0A: LISTEN
                raw = bytes.fromhex(address)  # each 32-bit word in the host's (little-endian) order
                packed = b"".join(raw[start : start + 4][::-1] for start in range(0, len(raw), 4))
                found.add(socket.inet_ntop(family, packed))
    return found


def headless_chromium() -> webdriver.Chrome:
    """Chromium from the distribution's packages (``scripts/install_browser.sh``), never a downloaded one."""
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.exists()]
    if missing:
        raise AssertionError(
            f"No {' or '.join(missing)}: run `bash scripts/install_browser.sh` (apt-get install chromium "
            "chromium-driver), as scripts/test does."
        )
    options = Options()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",  # tests run as root in CI
        "--disable-dev-shm-usage",
        "--no-proxy-server",
        "--window-size=1100,1300",
    ):
        options.add_argument(argument)
    return webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
