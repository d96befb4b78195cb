"""A sweep: config -> design -> run specs -> executor -> store -> analysis -> figures."""

from __future__ import annotations

import datetime as dt
import platform
import subprocess
import sys
from concurrent.futures import as_completed
from pathlib import Path

import pandas as pd

from migdev.experiments.engine import executors
from migdev.experiments.engine.config import ExperimentConfig, to_jsonable
from migdev.experiments.engine.design import Design, build
from migdev.experiments.engine.specs import (
    build_specs,
    code_fingerprint,
    model_version,
    replicate_seeds,
    run_spec,
)
from migdev.experiments.engine.store import Store, write_json, write_parquet

PACKAGES = ("mesa", "numpy", "scipy", "pandas", "pyarrow", "seaborn", "matplotlib", "SALib",
            "dask", "distributed")


def provenance() -> dict:
    """Code version (git commit, dirty tree), package versions and platform."""
    from importlib.metadata import PackageNotFoundError, version

    here = Path(__file__).resolve().parents[1]

    def git(*args):
        try:
            r = subprocess.run(["git", *args], cwd=here, capture_output=True, text=True,
                               timeout=10)
            return r.stdout.strip() if r.returncode == 0 else None
        except (OSError, subprocess.SubprocessError):
            return None

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no")
    pk = {}
    for name in PACKAGES:
        try:
            pk[name] = version(name)
        except PackageNotFoundError:
            pk[name] = None
    return {
        "code": {"migdev": model_version(), "model_code_sha256": code_fingerprint(),
                 "git_commit": commit,
                 "dirty": bool(status) if status is not None else None},
        "packages": pk,
        "platform": {"python": sys.version.split()[0], "system": platform.system(),
                     "release": platform.release(), "machine": platform.machine()},
    }


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def run_experiment(cfg: ExperimentConfig, out: str | Path, *, workers=None, scheduler=None,
                   dask_local=None, inprocess=False, quiet=False,
                   design: Design | None = None) -> dict:
    """Run (or resume) an experiment into ``out``.

    Runs already in the store are skipped; each finished run is stored at once. A failing
    run is recorded with its traceback and the others go on. Analysis and figures are not
    the engine's business: the command line runs them afterwards.

    Returns:
        dict with counts (total, ran, skipped, failed), the output folder and the manifest.
    """
    design = design or build(cfg.design, cfg.source)
    rows, specs = build_specs(cfg, design)
    store = Store(out)
    store.prepare()
    done = store.done()
    pending = [s for k, s in specs.items() if k not in done]
    ex_desc = executors.describe(workers, scheduler, dask_local, inprocess)
    manifest = {
        "experiment": cfg.name,
        "config_file": cfg.source,
        "config": to_jsonable(cfg.raw),
        "resolved": {"scenario": cfg.scenario, "steps": cfg.steps, "replicates": cfg.replicates,
                     "master_seed": cfg.master_seed, "controls": list(cfg.controls),
                     "outputs": list(cfg.outputs), "params": to_jsonable(cfg.base_params())},
        "design": {"kind": design.kind, "factors": to_jsonable(list(design.factors)),
                   "points": to_jsonable(design.points), "X": design.X.tolist(),
                   "problem": design.problem},
        "seeds": replicate_seeds(cfg.master_seed, cfg.replicates),
        "executor": ex_desc,
        **provenance(),
        "started": _now(),
        "finished": None,
        "status": "running",
        "runs": rows,
    }
    write_json(store.root / "manifest.json", manifest)

    results = {}
    bar = None
    if not quiet:
        from tqdm import tqdm

        bar = tqdm(total=len(pending), unit="run", desc=cfg.name, file=sys.stderr,
                   dynamic_ncols=True)
    if pending:
        with executors.make_executor(workers, scheduler, dask_local, inprocess) as ex:
            futures = {ex.submit(run_spec, s): s.key for s in pending}
            for fut in as_completed(futures):
                key = futures[fut]
                try:
                    res = fut.result()
                except Exception as e:  # noqa: BLE001 - e.g. a worker process died
                    import traceback

                    res = {"key": key, "status": "failed", "error": f"{type(e).__name__}: {e}",
                           "traceback": traceback.format_exc(), "wall_s": None}
                store.save(res)
                results[key] = {"status": res["status"], "wall_s": res.get("wall_s")}
                if bar is not None:
                    bar.update(1)
                    failed = sum(r["status"] != "ok" for r in results.values())
                    if failed:
                        bar.set_postfix(failed=failed)
    if bar is not None:
        bar.close()

    tables = store.consolidate(list(specs))
    done = store.done()
    walls = dict(zip(tables["summary"]["key"], tables["summary"]["wall_s"])) \
        if not tables["summary"].empty else {}
    for r in rows:
        r["status"] = "ok" if r["key"] in done else "failed"
        r["wall_s"] = walls.get(r["key"])
    runs = pd.DataFrame(rows)
    fr = design.frame()
    runs = runs.merge(fr, on="point", how="left")
    write_parquet(store.root / "runs.parquet", runs)
    n_failed = len({r["key"] for r in rows if r["status"] == "failed"})
    manifest.update({"runs": rows, "finished": _now(),
                     "status": "complete" if n_failed == 0 else "failures",
                     "counts": {"distinct_runs": len(specs), "ran": len(pending),
                                "skipped": len(specs) - len(pending), "failed": n_failed}})
    write_json(store.root / "manifest.json", manifest)

    return {"out": str(store.root), "total": len(specs), "ran": len(pending),
            "skipped": len(specs) - len(pending), "failed": n_failed, "manifest": manifest}
