"""Helpers for the offline checks of ``infrastructure/``: paths, reading .tf files with python-hcl2, finding terraform."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import hcl2

REPO_ROOT = Path(__file__).resolve().parents[2]
INFRA_DIR = REPO_ROOT / "infrastructure"
TOPOLOGY_MODULE_DIR = INFRA_DIR / "modules" / "topology"
LOCK_FILE = INFRA_DIR / ".terraform.lock.hcl"

PROVIDER_SOURCE = "temporalio/temporalcloud"
PROVIDER_ADDRESS = f"registry.terraform.io/{PROVIDER_SOURCE}"
PROVIDER_VERSION = "1.5.0"
"""The provider release the root module was checked against; versions.tf and the lock file name it exactly."""


def unquote(value: Any) -> Any:
    """python-hcl2 keeps a string literal's quotes (``'"read"'``); expressions stay ``${...}``."""
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def load_hcl(path: Path) -> dict[str, Any]:
    """One .tf file as python-hcl2 parses it."""
    with path.open() as handle:
        return hcl2.load(handle)


def blocks(module_dir: Path, kind: str) -> list[dict[str, Any]]:
    """Every top-level block of one kind (``resource``, ``output``, ...) in a module's .tf files."""
    found: list[dict[str, Any]] = []
    for path in sorted(module_dir.glob("*.tf")):
        found.extend(load_hcl(path).get(kind, []))
    return found


def labelled(module_dir: Path, kind: str) -> dict[str, dict[str, Any]]:
    """Blocks with one label (``variable "x"``, ``output "x"``), keyed by that label."""
    return {unquote(label): body for block in blocks(module_dir, kind) for label, body in block.items()}


def resources(module_dir: Path) -> dict[tuple[str, str], dict[str, Any]]:
    """Resource blocks keyed by (type, name)."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for block in blocks(module_dir, "resource"):
        for rtype, named in block.items():
            for name, body in named.items():
                found[(unquote(rtype), unquote(name))] = body
    return found


def terraform_binary() -> str | None:
    """A terraform on PATH or in this interpreter's environment (scripts/install_terraform.sh puts it there)."""
    beside_python = Path(sys.executable).parent / "terraform"
    if beside_python.exists():
        return str(beside_python)
    return shutil.which("terraform")


TerraformRunner = Callable[[Sequence[str], Path], "subprocess.CompletedProcess[str]"]
"""Runs ``terraform <args>`` in a directory and returns the completed process."""
