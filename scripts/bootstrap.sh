# Sourced by the other scripts: a .venv with the project and its dev tools installed, redone only when
# pyproject.toml changes. Needs nothing but python3 (>= 3.11) and pip.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"

if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "error: $PYTHON is $("$PYTHON" --version 2>&1); this project needs Python 3.11 or newer (set PYTHON=...)" >&2
  exit 1
fi
if [ ! -x "$ROOT/.venv/bin/python" ]; then
  "$PYTHON" -m venv "$ROOT/.venv"
fi
_stamp="$ROOT/.venv/.installed-$(sha256sum "$ROOT/pyproject.toml" | cut -c1-16)"
if [ ! -f "$_stamp" ]; then
  echo "== installing the project into .venv (first run or pyproject.toml changed)" >&2
  "$ROOT/.venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
  "$ROOT/.venv/bin/python" -m pip install --quiet --disable-pip-version-check -e "$ROOT[dev,bench]"
  rm -f "$ROOT"/.venv/.installed-*
  touch "$_stamp"
fi
unset _stamp
export PATH="$ROOT/.venv/bin:$PATH"
# litellm would fetch its model cost map from the internet at import time.
export LITELLM_LOCAL_MODEL_COST_MAP=True
