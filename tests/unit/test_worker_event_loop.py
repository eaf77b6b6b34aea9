"""Workers run on uvloop where it is installed (``shared.process.run_on_fastest_loop``), else on asyncio's
own loop."""

import asyncio
import sys

import pytest

from shared.process import run_on_fastest_loop


def loop_module_seen() -> str:
    """The module of the event loop that ``run_on_fastest_loop`` runs a coroutine on."""
    seen: list[str] = []

    async def record() -> None:
        seen.append(type(asyncio.get_running_loop()).__module__)

    run_on_fastest_loop(record())
    return seen[0]


@pytest.mark.skipif(sys.platform == "win32", reason="uvloop is not a dependency on Windows")
def test_a_worker_runs_on_uvloop() -> None:
    assert loop_module_seen().startswith("uvloop")


def test_without_uvloop_a_worker_runs_on_asyncios_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "uvloop", None)  # as if it were not installed: its import fails
    assert loop_module_seen().startswith("asyncio")
