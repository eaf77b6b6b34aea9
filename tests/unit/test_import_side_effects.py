"""Importing the orchestrator's modules does nothing: no environment variable set, no model SDK loaded.
The worker's ``main`` chooses litellm's bundled cost map before litellm is first imported."""

from __future__ import annotations

import os
import subprocess
import sys

from orchestrator.worker import LITELLM_COST_MAP_VARIABLE

PROBE = """
import os, sys
import orchestrator.worker, orchestrator.workflow, orchestrator.conversation, orchestrator.settings
import orchestrator.llm
print('litellm' in sys.modules, os.environ.get({variable!r}))
"""


def test_importing_the_worker_and_the_workflow_neither_loads_litellm_nor_changes_the_environment() -> None:
    environment = {key: value for key, value in os.environ.items() if key != LITELLM_COST_MAP_VARIABLE}

    probe = subprocess.run(
        [sys.executable, "-c", PROBE.format(variable=LITELLM_COST_MAP_VARIABLE)],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )

    assert probe.stdout.split() == ["False", "None"]
