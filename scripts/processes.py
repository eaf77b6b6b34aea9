"""Worker processes started by the demo and the tests: real ``python -m <part>.worker`` processes, each
stopped by its own pid (never by name: other stacks may be running on the same machine)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


@cache
def log_dir() -> Path:
    """One directory for the logs of every worker this process starts (kept: a failing test shows them)."""
    return Path(tempfile.mkdtemp(prefix="nexus-agents-workers-"))


class WorkerProcess:
    """One worker process; its output goes to a log file that a failing test can show."""

    def __init__(self, module: str, env: dict[str, str]) -> None:
        self.module = module
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None
        descriptor, path = tempfile.mkstemp(
            prefix=f"{module.replace('.', '-')}-", suffix=".log", dir=log_dir()
        )
        os.close(descriptor)  # start() opens the file for each run of the process
        self.log_path = Path(path)

    def start(self) -> WorkerProcess:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", self.module],
            cwd=REPO_ROOT,
            env={**os.environ, **self.env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None, f"{self.module} was never started"
        return self.process.pid

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout: float = 20.0) -> int | None:
        """Ask the worker to shut down (SIGTERM), as an operator would; SIGKILL if it does not."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def kill(self) -> None:
        """Crash the worker (SIGKILL): nothing is shut down, as when a machine dies."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")
