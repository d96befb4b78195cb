"""Calibrated parameter sets as experiments use them: find a calibration's folder by name
or path and read its posterior (written by ``migdev calibrate``, engine.calibrate)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

# where calibrations are found and how a model starts from one: the model layer's
# (migdev.model.calibration), re-exported for the engine's users
from migdev.model.calibration import (DEFAULT, SHIPPED, CalibrationNotFound,  # noqa: F401
                                      calibrated_values, posterior_means, resolve_calibration,
                                      shipped_calibration_of)


def posterior_digest(folder: str | Path) -> str:
    """SHA-256 of a calibration's posterior.parquet (recorded in experiment manifests, so a
    reproduction notices a calibration that changed since)."""
    from migdev.experiments.engine.store import _sha256_file

    return _sha256_file(Path(folder) / "posterior.parquet")


def posterior_draws(folder: str | Path, names, seeds: list[int]) -> list[dict]:
    """One particle of the posterior in ``folder`` per seed (the values of ``names``), drawn
    by weight with that seed: a replicate's policy and controls, at every design point,
    share it, and the same config draws the same particles."""
    post = pd.read_parquet(Path(folder) / "posterior.parquet")
    w = post.weight.to_numpy(dtype=float)
    names = [c for c in names if c in post.columns]
    out = []
    for seed in seeds:
        i = int(np.random.default_rng([seed, 0xCA1]).choice(len(post), p=w / w.sum()))
        out.append({k: float(post[k].iloc[i]) for k in names})
    return out
