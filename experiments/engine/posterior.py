"""Calibrated parameter sets as experiments use them: find a calibration's folder by name
or path and read its posterior (written by ``migdev calibrate``, engine.calibrate)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

#: shipped calibrations (name -> folder with posterior.parquet)
SHIPPED = Path(__file__).resolve().parents[1] / "calibrations"


class CalibrationNotFound(ValueError):
    """No calibration folder answers to the reference given."""


def resolve_calibration(ref: str, base_dir: Path | None = None) -> Path:
    """The folder of a calibration given by path (relative to ``base_dir`` first), by name
    under results/, or by the name of a shipped calibration."""
    cands = []
    p = Path(ref)
    if base_dir is not None and not p.is_absolute():
        cands.append(base_dir / p)
    cands += [p, SHIPPED / ref, Path("results") / ref]
    for c in cands:
        if (c / "posterior.parquet").is_file():
            return c
        if c.name == "posterior.parquet" and c.is_file():
            return c.parent
    shipped = sorted(x.name for x in SHIPPED.iterdir()
                     if (x / "posterior.parquet").is_file()) if SHIPPED.is_dir() else []
    raise CalibrationNotFound(
        f"calibration {ref!r} not found: give a folder holding posterior.parquet (written by "
        f"'migdev calibrate'), or a shipped calibration ({', '.join(shipped) or 'none shipped'})")


def posterior_means(folder: Path) -> dict:
    """The posterior's weighted mean of each calibrated parameter."""
    post = pd.read_parquet(folder / "posterior.parquet")
    w = post.weight.to_numpy()
    return {c: float(np.sum(w * post[c].to_numpy()) / w.sum()) for c in post.columns
            if c not in ("weight", "generation")}


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
