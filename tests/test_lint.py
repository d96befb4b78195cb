"""Lint: no undefined names, unused imports or syntax errors (ruff, pyflakes rules), and no
function whose last bits depend on the CPU in the model's layers."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_finds_no_errors():
    r = subprocess.run([sys.executable, "-m", "ruff", "check", "--select", "F,E9",
                        "migdev", "model", "agents", "experiments", "benchmarks", "app.py", "tests"],
                       cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr


def test_model_layers_use_no_cpu_dependent_functions():
    """Seeded runs are identical across machines only if the model avoids numpy's
    CPU-dispatched transcendental functions (banned in pyproject.toml; use fmath)."""
    r = subprocess.run([sys.executable, "-m", "ruff", "check", "--select", "TID251",
                        "migdev/core", "model", "agents"],
                       cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
