"""The results store: one folder per experiment, written so that a kill loses nothing finished.

Layout of ``<out>/``:

* ``parts/<key>.country.parquet`` and ``parts/<key>.summary.json``: one run's outputs,
  written (through a temporary file and an atomic rename) as soon as the run finishes;
  the summary file is written last and marks the run as stored;
* ``parts/<key>.failed.json``: a failed run's error and traceback;
* ``runs.parquet``: one row per (point, replicate, role) with its run key, seed, status;
* ``country.parquet``, ``summary.parquet``, ``failures.parquet``: the consolidated tables;
* ``manifest.json``: everything needed to re-run the experiment (see EXPERIMENTS.md).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd


def atomic_write(path: Path, write) -> None:
    """Call ``write(tmp_path)`` then rename onto ``path``; no torn file is ever visible."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        write(tmp)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_json(path: Path, obj) -> None:
    atomic_write(path, lambda p: Path(p).write_text(json.dumps(obj, indent=2, default=str)))


def write_parquet(path: Path, df: pd.DataFrame) -> None:
    atomic_write(path, lambda p: df.to_parquet(p, index=False))


class Store:
    """Results of one experiment under ``root``."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.parts = self.root / "parts"

    def prepare(self) -> None:
        self.parts.mkdir(parents=True, exist_ok=True)
        # temporary files of a killed process are garbage
        for tmp in self.parts.glob(".*.tmp-*"):
            tmp.unlink(missing_ok=True)

    def done(self) -> set[str]:
        """Keys of the runs already stored."""
        if not self.parts.is_dir():
            return set()
        return {p.name[: -len(".summary.json")] for p in self.parts.glob("*.summary.json")}

    def save(self, result: dict) -> None:
        """Store one run's result (ok or failed)."""
        key = result["key"]
        if result["status"] != "ok":
            write_json(self.parts / f"{key}.failed.json",
                       {k: result[k] for k in ("key", "error", "traceback", "wall_s")})
            return
        if result.get("country") is not None:
            df = result["country"].copy()
            df.insert(0, "key", key)
            df["country"] = df["country"].astype(str)
            write_parquet(self.parts / f"{key}.country.parquet", df)
        (self.parts / f"{key}.failed.json").unlink(missing_ok=True)
        write_json(self.parts / f"{key}.summary.json",
                   {"key": key, "wall_s": result["wall_s"], **(result.get("summary") or {})})

    def failures(self) -> pd.DataFrame:
        rows = [json.loads(p.read_text()) for p in sorted(self.parts.glob("*.failed.json"))]
        return pd.DataFrame(rows, columns=["key", "error", "traceback", "wall_s"])

    def consolidate(self, keys: list[str]) -> dict[str, pd.DataFrame]:
        """Gather the parts of ``keys`` into the consolidated tables (written atomically)."""
        done = self.done()
        keys = [k for k in dict.fromkeys(keys) if k in done]
        summaries = [json.loads((self.parts / f"{k}.summary.json").read_text()) for k in keys]
        summary = pd.DataFrame(summaries)
        frames = [pd.read_parquet(self.parts / f"{k}.country.parquet") for k in keys
                  if (self.parts / f"{k}.country.parquet").exists()]
        country = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        failures = self.failures()
        if not summary.empty:
            write_parquet(self.root / "summary.parquet", summary)
        if not country.empty:
            write_parquet(self.root / "country.parquet", country)
        write_parquet(self.root / "failures.parquet", failures)
        return {"summary": summary, "country": country, "failures": failures}

    def load(self) -> dict[str, pd.DataFrame]:
        """The consolidated tables of a finished experiment."""
        out = {}
        for name in ("runs", "country", "summary", "failures"):
            p = self.root / f"{name}.parquet"
            out[name] = pd.read_parquet(p) if p.exists() else pd.DataFrame()
        return out
