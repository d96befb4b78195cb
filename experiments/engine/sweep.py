"""A sweep: config -> design -> run specs -> executor -> store -> analysis -> figures."""

from __future__ import annotations

import datetime as dt
import platform
import signal
import subprocess
import sys
import threading
from concurrent.futures import as_completed
from contextlib import contextmanager
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
    person_steps,
    run_spec,
    run_specs_packed,
    runs_per_task,
    unpack,
)
from migdev.experiments.engine.store import DiskFull, Store, write_json, write_parquet

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


class Interrupted(BaseException):
    """SIGTERM (or SIGINT) arrived during a sweep; carries the signal's name."""


@contextmanager
def _signals():
    """Turn SIGTERM and SIGINT into :class:`Interrupted` in the main thread (elsewhere,
    e.g. in a notebook's worker thread, signals stay as they are)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        raise Interrupted(signal.Signals(signum).name)

    old = {s: signal.signal(s, handler) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


def _outcomes(pending, workers, scheduler, dask_local, inprocess, connect_timeout,
              k: int = 1):
    """Yield (key, result, lost) as runs finish; ``lost`` is the executor's error when the
    run never ran (a lost scheduler or worker pool), else None. ``k``: runs per task."""
    if not pending:
        return
    if inprocess:
        for s in pending:
            yield s.key, run_spec(s), None
        return
    tasks = [pending[i:i + k] for i in range(0, len(pending), k)]
    with executors.make_executor(workers, scheduler, dask_local,
                                 connect_timeout=connect_timeout) as ex:
        # through Dask a task's results come back as one pickled bytes object
        dask = executors.through_dask(scheduler, dask_local)
        futures = {(ex.submit(run_specs_packed, t) if dask else ex.submit(run_spec, t[0])):
                   [s.key for s in t] for t in tasks}
        for fut in as_completed(futures):
            try:
                # run_spec never raises: an exception here comes from the executor
                out = unpack(fut.result()) if dask else [fut.result()]
            except Exception as e:  # noqa: BLE001
                for key in futures[fut]:
                    yield key, None, f"{type(e).__name__}: {e}".rstrip(": ")
                continue
            for key, res in zip(futures[fut], out):
                yield key, res, None


def run_experiment(cfg: ExperimentConfig, out: str | Path, *, workers=None, scheduler=None,
                   dask_local=None, inprocess=False, quiet=False,
                   design: Design | None = None,
                   connect_timeout: float = executors.CONNECT_TIMEOUT) -> dict:
    """Run (or resume) an experiment into ``out``.

    Runs already in the store (and passing their content check) are skipped; each finished
    run is stored at once. A failing run is recorded with its traceback and the others go
    on. Runs that never ran — the scheduler or the worker pool was lost, Ctrl-C or SIGTERM
    arrived, the disk filled — are recorded as not run, the manifest says why, and the next
    invocation runs them. Analysis and figures are not the engine's business.

    Returns:
        dict with counts (total, ran, skipped, failed, not_run), ``status`` (complete,
        failures, incomplete, interrupted, disk_full), ``stopped`` (why, or None), the
        output folder, the manifest and ``quarantined`` (messages about bad parts).

    Raises:
        StoreBusy: another process is writing ``out``.
    """
    design = design or build(cfg.design, cfg.source)
    rows, specs = build_specs(cfg, design)
    store = Store(out)
    with store.lock(command=f"experiment {cfg.name}"), _signals():
        return _run_locked(cfg, design, rows, specs, store, workers, scheduler, dask_local,
                           inprocess, quiet, connect_timeout)


def _worlds_record(specs) -> dict:
    """world (as the parameters name it) -> {file: SHA-256} over the experiment's runs."""
    from migdev.experiments.engine.specs import world_digest

    out = {}
    for s in specs.values():
        name = s.params.get("world", "")
        if name not in out:
            out[name] = world_digest(s.params)
    return {(k or "default"): v for k, v in out.items()}


def _calibration_record(cfg) -> dict | None:
    """The calibration an experiment starts from: its folder, the posterior's digest, the
    parameters it sets and whether replicates draw from it."""
    if not cfg.calibration:
        return None
    from migdev.experiments.engine.posterior import posterior_digest

    return {"folder": cfg.calibration, "posterior_sha256": posterior_digest(cfg.calibration),
            "parameters": list(cfg.calibrated), "posterior_draws": cfg.posterior_draws}


def _run_locked(cfg, design, rows, specs, store, workers, scheduler, dask_local, inprocess,
                quiet, connect_timeout) -> dict:
    store.prepare()
    quarantined = store.verify(specs)
    done = store.done()
    pending = [s for k, s in specs.items() if k not in done]
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
        "calibration": _calibration_record(cfg),
        # the data of every world the runs read, file by file (run keys include them too)
        "worlds": _worlds_record(specs),
        # through Dask, small runs go several to a task (Dask's cost per task is its own); a
        # local pool's is small: one run a task, stored as soon as it is done
        "executor": {**executors.describe(workers, scheduler, dask_local, inprocess),
                     "runs_per_task": (runs_per_task(person_steps(pending), len(pending))
                                       if executors.through_dask(scheduler, dask_local)
                                       else 1)},
        **provenance(),
        "started": _now(),
        "finished": None,
        "status": "running",
        "stopped": None,
        "runs": rows,
    }
    write_json(store.root / "manifest.json", manifest)

    results, lost = {}, {}
    stopped = None  # (status, reason)
    bar = None
    if not quiet and pending:
        from tqdm.auto import tqdm  # a notebook bar in Jupyter, a text bar elsewhere

        bar = tqdm(total=len(pending), unit="run", desc=cfg.name, file=sys.stderr,
                   dynamic_ncols=True)
    outcomes = _outcomes(pending, workers, scheduler, dask_local, inprocess, connect_timeout,
                         manifest["executor"]["runs_per_task"])
    try:
        for key, res, err in outcomes:
            if err is not None:
                lost[key] = err
                continue
            store.save(res)
            results[key] = res["status"]
            if bar is not None:
                bar.update(1)
                failed = sum(r != "ok" for r in results.values())
                if failed:
                    bar.set_postfix(failed=failed)
    except Interrupted as e:
        stopped = ("interrupted", f"stopped by {e.args[0]}")
    except DiskFull as e:
        stopped = ("disk_full", str(e))
    except executors.ExecutorError as e:
        stopped = ("incomplete", str(e))
    finally:
        outcomes.close()  # stops the executor's workers at once if we are leaving early
        if bar is not None:
            bar.close()
    if lost and stopped is None:
        first = next(iter(lost.values()))
        where = (f"the Dask scheduler at {scheduler} was lost" if scheduler else
                 "the Dask cluster was lost" if dask_local else
                 "the worker pool was lost (a worker process died)")
        stopped = ("incomplete", f"{where}: {len(lost)} run(s) never ran ({first})")

    done = store.done()
    failed_keys = {k for k, st in results.items() if st != "ok"} - done
    if stopped is None:
        failed_keys |= set(store.failures(keys=specs)["key"]) - done
    for r in rows:
        r["status"] = ("ok" if r["key"] in done else "failed" if r["key"] in failed_keys
                       else "not_run")
    n_failed = len(failed_keys)
    n_not_run = len(set(specs) - done - failed_keys)
    counts = {"distinct_runs": len(specs), "ran": len(results), "skipped": len(specs) -
              len(pending), "failed": n_failed, "not_run": n_not_run}
    status = stopped[0] if stopped else ("complete" if n_failed == 0 else "failures")
    manifest.update({"runs": rows, "finished": _now(), "status": status, "counts": counts,
                     "stopped": {"reason": stopped[1], "at": _now()} if stopped else None,
                     "quarantined": quarantined})
    note = None
    try:
        if stopped is None:
            tables = store.consolidate(list(specs))
            walls = (dict(zip(tables["summary"]["key"], tables["summary"]["wall_s"]))
                     if not tables["summary"].empty else {})
            for r in rows:
                r["wall_s"] = walls.get(r["key"])
            runs = pd.DataFrame(rows).merge(design.frame(), on="point", how="left")
            tables["hashes"]["runs.parquet"] = write_parquet(store.root / "runs.parquet", runs)
            manifest["tables"] = tables["hashes"]
        write_json(store.root / "manifest.json", manifest)
    except DiskFull as e:
        status, note = "disk_full", str(e)
        stopped = stopped or ("disk_full", str(e))
    return {"out": str(store.root), "total": len(specs), "ran": len(results),
            "skipped": len(specs) - len(pending), "failed": n_failed, "not_run": n_not_run,
            "status": status, "stopped": stopped[1] if stopped else None,
            "manifest_note": note, "quarantined": quarantined, "manifest": manifest}
