"""The terminal chat for tests: a real ``python -m orchestrator.chat`` process on pipes or on a pseudo-terminal
(the honest way to meet a terminal's line limit and its live line), what it prints collected as it comes, and
stopped by its pid however the test ends."""

from __future__ import annotations

import asyncio
import os
import pty
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence

from harness.server import REPO_ROOT
from shared.process import die_with_parent

WAIT_SECONDS = 60.0


class ChatProcess:
    """``python -m orchestrator.chat *arguments`` with ``env`` on top of this process's environment; with
    ``tty``, its standard input, output and error are one pseudo-terminal, else pipes (output and error
    merged)."""

    def __init__(self, arguments: Sequence[str], env: Mapping[str, str], *, tty: bool = False) -> None:
        self.arguments = list(arguments)
        self.env = {**os.environ, **env, "PYTHONUNBUFFERED": "1"}
        self.tty = tty
        self.process: subprocess.Popen[bytes] | None = None
        self._terminal: int | None = None
        self._output = bytearray()
        self._lock = threading.Lock()
        self._reader: threading.Thread | None = None

    def start(self) -> ChatProcess:
        command = [sys.executable, "-m", "orchestrator.chat", *self.arguments]
        if self.tty:
            self._terminal, child_side = pty.openpty()
            self.process = subprocess.Popen(
                command,
                cwd=REPO_ROOT,
                env=self.env,
                stdin=child_side,
                stdout=child_side,
                stderr=child_side,
                preexec_fn=die_with_parent(),
                start_new_session=True,
            )
            os.close(child_side)
        else:
            self.process = subprocess.Popen(
                command,
                cwd=REPO_ROOT,
                env=self.env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                preexec_fn=die_with_parent(),
            )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    @property
    def output(self) -> str:
        """All it printed so far (a terminal's carriage returns included)."""
        with self._lock:
            return self._output.decode(errors="replace")

    async def type(self, text: str) -> None:
        """Type ``text`` and Enter (a terminal sends a carriage return for it)."""
        data = (text + ("\r" if self.tty else "\n")).encode()
        await asyncio.to_thread(self._write, data)

    async def until(self, text: str, within: float = WAIT_SECONDS) -> float:
        """Wait until ``text`` is printed; return how long that took."""
        started = time.monotonic()
        while text not in self.output:
            if time.monotonic() - started > within:
                raise AssertionError(f"no {text!r} after {within:.0f} s:\n{self.output[-5000:]}")
            if self.process is not None and self.process.poll() is not None and text not in self.output:
                await asyncio.sleep(0.2)  # the last of its output
                if text not in self.output:
                    raise AssertionError(f"the chat exited before printing {text!r}:\n{self.output[-5000:]}")
            await asyncio.sleep(0.05)
        return time.monotonic() - started

    def interrupt(self) -> None:
        """Ctrl-C: SIGINT to the chat's process."""
        assert self.process is not None
        self.process.send_signal(signal.SIGINT)

    async def exit_code(self, within: float = WAIT_SECONDS) -> int:
        """Wait for the process to end; its exit code."""
        assert self.process is not None
        started = time.monotonic()
        while (code := self.process.poll()) is None:
            if time.monotonic() - started > within:
                raise AssertionError(f"the chat still runs after {within:.0f} s:\n{self.output[-5000:]}")
            await asyncio.sleep(0.05)
        if self._reader is not None:
            await asyncio.to_thread(self._reader.join, 5)
        return code

    def stop(self) -> None:
        """Kill the process if it still runs (by its pid) and close what it was given."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
        if self.process is not None:
            self.process.wait()
        if self._reader is not None:
            self._reader.join(5)
        if self._terminal is not None:
            os.close(self._terminal)
            self._terminal = None

    def _write(self, data: bytes) -> None:
        if self._terminal is not None:
            view = memoryview(data)
            while view:
                view = view[os.write(self._terminal, view[:4096]) :]
        else:
            assert self.process is not None and self.process.stdin is not None
            self.process.stdin.write(data)
            self.process.stdin.flush()

    def _read(self) -> None:
        while True:
            try:
                if self._terminal is not None:
                    chunk = os.read(self._terminal, 65536)
                else:
                    assert self.process is not None and self.process.stdout is not None
                    chunk = os.read(self.process.stdout.fileno(), 65536)
            except OSError:  # the terminal's other side has closed: the process ended
                return
            if not chunk:
                return
            with self._lock:
                self._output.extend(chunk)
