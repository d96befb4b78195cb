"""Fingerprints of seeded runs: a hash of every output value.

An optimisation must not change results. ``tests/model/test_fingerprint.py`` compares
these runs with the hashes stored in ``tests/data/fingerprints.json``; after a
deliberate, documented model change, refresh them with

    python -m migdev.benchmarks.fingerprint --update
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np

#: where the test suite keeps the stored hashes (relative to a source checkout)
STORE = Path("tests") / "data" / "fingerprints.json"

#: the seeded runs that are fingerprinted: name -> (scenario, overrides, seed, steps)
RUNS = {
    "baseline_5k": ("baseline", {"n_persons": 5000}, 2024, 80),
    "restrictive_5k": ("restrictive_mou", {"n_persons": 5000}, 2024, 80),
    "remittance_partnership_3k": ("remittance_partnership", {"n_persons": 3000}, 7, 60),
}


def frame_hash(df) -> str:
    """sha256 over column names and every value (numbers as float64, text as UTF-8)."""
    h = hashlib.sha256()
    for col in df.columns:
        h.update(col.encode())
        s = df[col]
        if s.dtype.kind in "biuf":
            h.update(np.ascontiguousarray(s.to_numpy(np.float64)).tobytes())
        else:
            h.update("\x1f".join(map(str, s.tolist())).encode())
    return h.hexdigest()


def fingerprint(name: str) -> str:
    from migdev.model import MigrationModel, scenario

    scen, overrides, seed, steps = RUNS[name]
    # the code's fingerprint: uncalibrated, so that a refit of the posterior leaves it
    m = MigrationModel(rng=seed, calibration=None, **scenario(scen, **overrides))
    m.run_for(steps)
    return frame_hash(m.country_frame())


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Check (or --update) the stored fingerprints.")
    ap.add_argument("--update", action="store_true", help="rewrite the stored fingerprints")
    ap.add_argument("--store", type=Path, default=STORE,
                    help=f"the JSON file of stored hashes (default: {STORE}, run from a checkout)")
    args = ap.parse_args(argv)
    if not args.update and not args.store.is_file():
        print(f"error: {args.store} not found: run from the root of a migdev checkout or give "
              f"--store PATH", file=sys.stderr)
        return 2
    now = {name: fingerprint(name) for name in RUNS}
    if args.update:
        args.store.write_text(json.dumps(now, indent=2) + "\n")
        print(f"wrote {len(now)} fingerprints to {args.store}")
        return 0
    stored = json.loads(args.store.read_text())
    bad = [n for n in RUNS if stored.get(n) != now[n]]
    for n in RUNS:
        print(f"{n:>28}: {'same' if n not in bad else 'CHANGED'}")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
