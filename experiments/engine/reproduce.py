"""Re-run a stored experiment from its manifest and compare the outputs value by value.

Counts (integer columns, and real columns whose values are all whole numbers) must be
equal; other real values are equal, or "equal within rounding" when every relative
difference is at most ``RTOL`` — what a different platform's libm or summation order could
give. Before comparing, every stored part and table is checked against the content hash
recorded when it was written: an edited or corrupt file is reported by name.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from migdev.experiments.engine.config import ConfigError, parse
from migdev.experiments.engine.store import Store, StoreError


#: largest relative difference of real values reported as "equal within rounding"
RTOL = 1e-9


def compare(a: pd.DataFrame, b: pd.DataFrame, key_cols: list[str], what: str,
            limit: int = 20, rounding: dict | None = None) -> list[str]:
    """Differences between two tables, matched on ``key_cols`` (empty list: equal).

    ``rounding`` (a dict) collects the largest relative difference of real values that are
    equal within :data:`RTOL` but not bit for bit (key ``max_rel``).
    """
    if a.empty and b.empty:
        return []
    diffs = []
    if set(a.columns) != set(b.columns):
        return [f"{what}: columns differ: {sorted(set(a.columns) ^ set(b.columns))}"]
    a = a.sort_values(key_cols).reset_index(drop=True)
    b = b.sort_values(key_cols).reset_index(drop=True)[a.columns]
    if len(a) != len(b) or not (a[key_cols].astype(str).values == b[key_cols].astype(str).values
                                ).all():
        return [f"{what}: different rows ({len(a)} stored, {len(b)} re-run)"]
    for col in a.columns:
        x, y = a[col], b[col]
        if x.dtype.kind in "biuf" and y.dtype.kind in "biuf":
            xv, yv = x.to_numpy(float), y.to_numpy(float)
            same = (xv == yv) | (np.isnan(xv) & np.isnan(yv))
            counts = x.dtype.kind in "biu" or np.all(np.isnan(xv) | (xv == np.round(xv)))
            if counts:
                bad = ~same
            else:
                with np.errstate(invalid="ignore", divide="ignore"):
                    rel = np.abs(xv - yv) / np.maximum(np.abs(xv), np.abs(yv))
                near = ~same & (rel <= RTOL)
                if near.any() and rounding is not None:
                    rounding["max_rel"] = max(rounding.get("max_rel", 0.0),
                                              float(np.nanmax(rel[near])))
                bad = ~(same | near)
        else:
            bad = (x.astype(str) != y.astype(str)).to_numpy()
        for i in np.flatnonzero(bad)[:limit]:
            where = ", ".join(f"{k}={a.at[i, k]}" for k in key_cols)
            diffs.append(f"{what}: {where}: {col} stored {x.iat[i]!r}, re-run {y.iat[i]!r}")
        if len(diffs) >= limit:
            break
    return diffs


def reproduce(manifest_path: str | Path, workers: int | None = None,
              inprocess: bool = False, quiet: bool = True,
              report: dict | None = None) -> tuple[bool, list[str]]:
    """Check the stored files, re-run every run of the manifest in a temporary folder and
    compare with the store.

    Args:
        report: if given, receives ``verdict`` ("identical", "equal within rounding" or
            "different") and ``max_rel`` (largest relative difference within rounding).

    Returns:
        (reproduced, differences): reproduced is True when identical or equal within
        rounding.
    """
    manifest_path = Path(manifest_path)
    if manifest_path.is_dir() and (manifest_path / "manifest.json").is_file():
        manifest_path = manifest_path / "manifest.json"  # a results folder
    if manifest_path.suffix == ".toml":
        raise ConfigError(f"{manifest_path} is an experiment config, not a manifest: run it "
                          f"first ('migdev sweep {manifest_path}'), then reproduce what it "
                          f"wrote with 'migdev reproduce results/<experiment>/manifest.json'")
    if manifest_path.is_file() and manifest_path.name != "manifest.json":
        raise ConfigError(f"{manifest_path} is not a manifest: give the manifest.json of an "
                          f"experiment's results folder (or the folder itself)")
    if not manifest_path.is_file():
        raise ConfigError(f"{manifest_path}: no such manifest (give results/<experiment>/"
                          f"manifest.json)")
    store = Store(manifest_path.parent)
    manifest = store.manifest()
    if manifest.get("status") not in ("complete", "failures"):
        raise StoreError(f"{manifest_path}: the experiment is not finished (status "
                         f"'{manifest.get('status')}'); run its command again to finish it, "
                         f"then reproduce it")
    src = manifest.get("config_file", str(manifest_path))
    base_dir = Path(src).parent if Path(src).exists() else None
    cfg = parse(manifest["config"], src=f"{manifest_path} (config of {src})", base_dir=base_dir)
    diffs = [f"{m} (edited or corrupt after it was written)" if "hash" in m else m
             for m in store.verify({r["key"] for r in manifest["runs"]}, quarantine=False)]
    cal = manifest.get("calibration")
    if cal and cfg.calibration:
        from migdev.experiments.engine.posterior import posterior_digest

        now = posterior_digest(cfg.calibration)
        if now != cal["posterior_sha256"]:
            diffs.append(f"the calibration {cfg.calibration} is not the one the experiment "
                         f"started from (its posterior changed since: digest "
                         f"{cal['posterior_sha256'][:12]}, now {now[:12]}); the values "
                         f"differ because of it")
    diffs += _changed_worlds(manifest.get("worlds") or {})
    try:
        store.load(check=True)
    except StoreError as e:
        diffs.append(str(e))
    try:
        stored = store.load(check=False)
    except StoreError as e:
        return False, diffs + [str(e)]
    from migdev.experiments.engine.sweep import run_experiment

    with tempfile.TemporaryDirectory(prefix="migdev-reproduce-") as tmp:
        res = run_experiment(cfg, tmp, workers=workers, inprocess=inprocess, quiet=quiet)
        again = Store(tmp).load()
    if res["failed"]:
        diffs.append(f"{res['failed']} run(s) failed when re-run")
    stored_keys = {r["key"] for r in manifest["runs"]}
    new_keys = {r["key"] for r in res["manifest"]["runs"]}
    if stored_keys != new_keys:
        diffs.append(f"run specs differ: {len(stored_keys ^ new_keys)} keys are in only one of "
                     f"the two (the code version or the config changed)")
    # match runs by what they are (point, replicate, role), not by key, so that values are
    # compared even when the keys changed with the code
    a_lab, b_lab = _labels(manifest["runs"]), _labels(res["manifest"]["runs"])
    lab = ["point", "replicate", "role"]
    rounding: dict = {}
    diffs += compare(_relabel(stored["country"], a_lab), _relabel(again["country"], b_lab),
                     lab + ["step", "country"], "country", rounding=rounding)
    if not stored["corridor"].empty or not again["corridor"].empty:
        diffs += compare(_relabel(stored["corridor"], a_lab), _relabel(again["corridor"], b_lab),
                         lab + ["step", "origin", "destination"], "corridor",
                         rounding=rounding)
    s_a = _relabel(stored["summary"].drop(columns=["wall_s"], errors="ignore"), a_lab)
    s_b = _relabel(again["summary"].drop(columns=["wall_s"], errors="ignore"), b_lab)
    diffs += compare(s_a, s_b, lab, "summary", rounding=rounding)
    if report is not None:
        report["verdict"] = ("different" if diffs else "equal within rounding" if rounding
                             else "identical")
        report["max_rel"] = rounding.get("max_rel")
    return not diffs, diffs


def _changed_worlds(recorded: dict) -> list[str]:
    """A line per world file whose content differs from what the experiment's runs read
    (or that is gone), as the manifest recorded them."""
    from migdev.model.params import FIELDS
    from migdev.core.worlds import WorldError, resolve_world, world_files_digest

    out = []
    for name, files in recorded.items():
        world = FIELDS["world"].default if name == "default" else name
        try:
            folder = resolve_world(world)
            now = world_files_digest(world)
        except WorldError:
            out.append(f"the world {world!r} the experiment read is gone")
            continue
        for f, digest in files.items():
            if now.get(f) != digest:
                out.append(f"the world file {folder / f} changed since the experiment ran "
                           f"(SHA-256 {digest[:12]}, now {str(now.get(f, 'missing'))[:12]}); "
                           f"its runs differ because of it")
    return out


def _labels(runs: list[dict]) -> pd.DataFrame:
    """Each run key with the first (point, replicate, role) it stands for (a control shared
    by several design points is stored once, under the first)."""
    df = pd.DataFrame(runs, columns=["key", "point", "replicate", "role"])
    return df.drop_duplicates("key")


def _relabel(table: pd.DataFrame, labels: pd.DataFrame) -> pd.DataFrame:
    """``table`` with its ``key`` column replaced by the run's point, replicate and role."""
    if table.empty:
        return table
    out = table.merge(labels, on="key", how="left", validate="many_to_one")
    return out.drop(columns="key")
