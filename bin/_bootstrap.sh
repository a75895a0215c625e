# Sourced by bin/demo and bin/test: a virtualenv with the pinned dependencies, and the
# translation catalogues compiled. Needs nothing but Python 3.11 on the machine.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
VENV="$ROOT/.venv"
if [ ! -x "$VENV/bin/python" ]; then
  echo "» Creating the virtual environment in .venv"
  "$PYTHON" -m venv "$VENV"
fi
STAMP="$VENV/.install-stamp"
WANT="$(cat pyproject.toml | sha256sum | cut -d' ' -f1)"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$WANT" ]; then
  echo "» Installing the pinned dependencies (first run only)"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet -e ".[dev]"
  echo "$WANT" > "$STAMP"
fi
"$VENV/bin/python" manage.py compile_translations --quiet
