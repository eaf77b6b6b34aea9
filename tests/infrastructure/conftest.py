"""Fixtures for the offline checks of ``infrastructure/``."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest

from tests.infrastructure.helpers import TerraformRunner, terraform_binary


@pytest.fixture
def terraform(tmp_path: Path) -> TerraformRunner:
    """Run terraform offline, with its data dir in a tmp dir so nothing is left in the repository."""
    binary = terraform_binary()
    if binary is None:
        pytest.skip(
            "no terraform binary on PATH (run `bash scripts/install_terraform.sh`); "
            "the python-hcl2 checks of infrastructure/ still ran"
        )
    env = dict(os.environ)
    env.update(TF_DATA_DIR=str(tmp_path / "tf-data"), TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1")
    env.pop("TF_CLI_ARGS", None)
    if "TF_CLI_CONFIG_FILE" in env and not Path(env["TF_CLI_CONFIG_FILE"]).exists():
        env.pop("TF_CLI_CONFIG_FILE")  # a dangling one only adds a warning to every command

    def run(args: Sequence[str], cwd: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [binary, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
        )

    return run
