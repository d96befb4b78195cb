"""The code has no undefined names, unused imports or syntax errors (ruff, pyflakes rules)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_finds_no_errors():
    r = subprocess.run([sys.executable, "-m", "ruff", "check", "--select", "F,E9",
                        "model", "agents", "experiments", "benchmarks", "app.py", "tests"],
                       cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
