"""Seeded results do not change by accident, nor with the machine they run on.

After a deliberate model change, documented in docs/ODD.md, refresh the stored values
with ``python -m migdev.benchmarks.fingerprint --update``.

The stored hashes must hold on any x86-64 or ARM machine: the model uses no function whose
result depends on the CPU (see ``migdev/core/fmath.py``). The second test shows it by running the
same check in fresh processes with numpy's CPU-specific code paths switched off
(``NPY_DISABLE_CPU_FEATURES``) and the compiled kernels (numba) built for a generic x86-64 or
ARM processor instead of this one (``NUMBA_CPU_NAME=generic``), as on a machine without
AVX-512 or AVX2.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from migdev.benchmarks.fingerprint import RUNS, fingerprint

ROOT = Path(__file__).resolve().parents[2]
STORE = ROOT / "tests" / "data" / "fingerprints.json"


@pytest.mark.parametrize("name", list(RUNS))
def test_seeded_run_matches_stored_fingerprint(name):
    stored = json.loads(STORE.read_text())
    assert fingerprint(name) == stored[name], (
        f"the outputs of {name} changed; if deliberate, document it and run "
        "python -m migdev.benchmarks.fingerprint --update"
    )


def _dispatched_features() -> list[str]:
    try:
        from numpy._core import _multiarray_umath as um
    except ImportError:  # numpy < 2
        from numpy.core import _multiarray_umath as um
    return list(um.__cpu_dispatch__)


def _disable_sets() -> list[list[str]]:
    feats = _dispatched_features()
    # drop the widest features first, then everything that is dispatched at run time
    return [feats[len(feats) // 2 :], feats] if len(feats) > 1 else [feats]


def _elsewhere(disabled: list[str]) -> dict:
    """The environment of a process that runs as on a CPU without ``disabled``: numpy's
    dispatch switched off for them, numba's kernels compiled for a generic CPU."""
    env = dict(os.environ, NPY_DISABLE_CPU_FEATURES=" ".join(disabled))
    if disabled:
        env["NUMBA_CPU_NAME"] = "generic"
    return env


@pytest.mark.skipif(not _dispatched_features(), reason="this numpy build dispatches nothing")
@pytest.mark.parametrize("disabled", _disable_sets(), ids=lambda f: "without-" + "-".join(f))
def test_fingerprints_hold_without_cpu_features(disabled):
    env = _elsewhere(disabled)
    probe = subprocess.run(
        [sys.executable, "-c", "import numpy; numpy.show_runtime()"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert probe.returncode == 0, probe.stderr
    r = subprocess.run(
        [sys.executable, "-m", "migdev.benchmarks.fingerprint", "--store", str(STORE)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, f"fingerprints differ without {disabled}:\n{r.stdout}{r.stderr}"


def test_fmath_matches_bit_for_bit_without_cpu_features():
    """The functions themselves give the same bits whatever numpy dispatches to."""
    code = (
        "import numpy as np, hashlib; from migdev.core import fmath;"
        "x = np.random.default_rng(0).uniform(-30, 30, 100000);"
        "out = [fmath.exp(x), fmath.log(np.abs(x)), fmath.log1p(np.abs(x)),"
        " fmath.expm1(x / 10), fmath.logistic(x)];"
        "print(hashlib.sha256(b''.join(o.tobytes() for o in out)).hexdigest())"
    )
    hashes = set()
    for disabled in [[]] + _disable_sets():
        env = _elsewhere(disabled)
        r = subprocess.run(
            [sys.executable, "-c", code],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert r.returncode == 0, r.stderr
        hashes.add(r.stdout.strip())
    assert len(hashes) == 1
