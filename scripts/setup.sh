#!/usr/bin/env bash
# Set up migdev on a fresh machine: find a Python >= 3.12, create .venv, install
# the project with its test extras. Safe to run again (it skips what is done).
# Usage: bash scripts/setup.sh            (set MIGDEV_PYTHON=/path/to/python to choose)
set -euo pipefail
cd "$(dirname "$0")/.."

ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }

find_python() {
  local c root v
  for c in "${MIGDEV_PYTHON:-}" python3.13 python3.12 python3 python; do
    [ -n "$c" ] || continue
    if command -v "$c" >/dev/null 2>&1 && ok "$c"; then command -v "$c"; return 0; fi
  done
  # pyenv keeps versions that are not on PATH unless selected
  if command -v pyenv >/dev/null 2>&1; then
    root=$(pyenv root)
    for v in $(ls -1 "$root/versions" 2>/dev/null | sort -rV); do
      if [ -x "$root/versions/$v/bin/python3" ] && ok "$root/versions/$v/bin/python3"; then
        echo "$root/versions/$v/bin/python3"; return 0
      fi
    done
  fi
  return 1
}

if [ -x .venv/bin/python ] && ok .venv/bin/python; then
  PY=.venv/bin/python
else
  if ! BASE=$(find_python); then
    echo "error: migdev needs Python 3.12 or newer (Mesa 3.5 requires it), and none was found." >&2
    echo "Install one (e.g. 'pyenv install 3.12', or your system's python3.12 package)," >&2
    echo "or point MIGDEV_PYTHON at it: MIGDEV_PYTHON=/path/to/python3.12 bash scripts/setup.sh" >&2
    exit 1
  fi
  echo "setup: using $BASE ($("$BASE" --version 2>&1))"
  rm -rf .venv
  "$BASE" -m venv .venv
  PY=.venv/bin/python
fi

stamp=.venv/.migdev-installed
want=$(cat pyproject.toml constraints.txt | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  "$PY" -m pip install --quiet --upgrade pip
  "$PY" -m pip install --quiet -c constraints.txt -e '.[test]'
  # compile the model's kernels once (numba caches them for every later process: a first
  # run, a sweep's workers or the demo then start without a compilation of ~25 s)
  "$PY" -c "from migdev.model import MigrationModel; MigrationModel(n_persons=300, rng=0).step()"
  echo "$want" > "$stamp"
fi
echo "setup: ready ($("$PY" --version 2>&1) in .venv)"
