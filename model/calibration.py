"""Calibrated parameter sets as a model starts from them: find a calibration's folder by
name or path, read its posterior (written by ``migdev calibrate``) and give the values a
model of a world starts from (the world's shipped calibration unless told otherwise)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

#: shipped calibrations (name -> folder with posterior.parquet)
SHIPPED = Path(__file__).resolve().parents[1] / "experiments" / "calibrations"


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


#: ``calibration`` of :class:`~migdev.model.model.MigrationModel` and of the commands: the
#: world's shipped calibration (if it has one)
DEFAULT = "default"


@lru_cache(maxsize=None)
def shipped_calibration_of(world: str) -> str | None:
    """The name of the shipped calibration fitted to the shipped world ``world`` (its
    calibration.toml names the world), or None: a world with none, or given as a folder."""
    import tomllib

    if not SHIPPED.is_dir():
        return None
    names = []
    for cfg in sorted(SHIPPED.glob("*/calibration.toml")):
        if not (cfg.parent / "posterior.parquet").is_file():
            continue
        with cfg.open("rb") as fh:
            if tomllib.load(fh).get("calibration", {}).get("world") == world:
                names.append(cfg.parent.name)
    return names[0] if len(names) == 1 else None


@lru_cache(maxsize=32)
def _means(folder: str, mtime_ns: int) -> tuple:
    return tuple(sorted(posterior_means(Path(folder)).items()))


def calibrated_values(world, calibration: str | Path | None = DEFAULT) -> tuple[dict, str | None]:
    """The parameter values a model of ``world`` starts from, and the calibration they
    come from: ``"default"`` the world's shipped calibration (none for a world without
    one), ``None`` the parameters' own defaults (uncalibrated), or a calibration by name
    or folder (:func:`resolve_calibration`). The values are the posterior's weighted means.

    Raises:
        CalibrationNotFound: a named calibration that does not exist.
    """
    if calibration is None:
        return {}, None
    if isinstance(calibration, str) and calibration == DEFAULT:
        name = shipped_calibration_of(world) if isinstance(world, str) else None
        if name is None:
            return {}, None
        folder, label = SHIPPED / name, name
    else:
        folder = resolve_calibration(str(calibration))
        label = folder.name if folder.parent == SHIPPED else str(folder)
    post = folder / "posterior.parquet"
    return dict(_means(str(post.parent.resolve()), post.stat().st_mtime_ns)), label
