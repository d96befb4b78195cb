"""Sweep benchmark: the same small sweep on 1 and 2 local workers and on a local Dask cluster.

Prints runs per second and the speed-up over one worker (through Dask, runs go several to a
task as a sweep sends them), and the time a run takes in this process against through Dask
(the overhead Dask adds to a run, one run a task and several). Executors
are warmed up (workers started, libraries imported) before timing, so the figures are
the steady state of a long sweep.

    python -m migdev.benchmarks.sweep_bench [--runs 16] [--persons 10000] [--steps 120]
"""

from __future__ import annotations

import argparse
import operator
import statistics
import time

from migdev.experiments.engine.executors import make_executor
from migdev.experiments.engine.specs import RunSpec, run_specs_packed, runs_per_task, unpack


def _specs(n_runs: int, persons: int, steps: int) -> list[RunSpec]:
    return [RunSpec.make({"n_persons": persons}, seed, steps, ("country", "summary"))
            for seed in range(1, n_runs + 1)]


def _warm(seconds: float) -> bool:
    """Run a small model and hold the worker a moment, so that every worker gets one."""
    from migdev.model import MigrationModel

    MigrationModel(rng=0, n_persons=5000).run_for(20)
    time.sleep(seconds)
    return True


def _timed(ex, specs, warm: int, k: int = 1) -> float:
    """Seconds to run ``specs`` through ``ex``, ``k`` runs a task (after ``warm`` warm-ups)."""
    for f in [ex.submit(_warm, 0.5) for _ in range(warm)]:
        f.result()
    if not specs:
        return 0.0
    t0 = time.perf_counter()
    # as a sweep sends them: k runs a task, the results in one pickled bytes object
    futures = [ex.submit(run_specs_packed, specs[i:i + k]) for i in range(0, len(specs), k)]
    results = [r for f in futures for r in unpack(f.result())]
    dt = time.perf_counter() - t0
    bad = [r for r in results if r["status"] != "ok"]
    if bad:
        raise RuntimeError(f"benchmark run failed: {bad[0]['error']}")
    return dt


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=16, help="runs in the sweep (default 16)")
    ap.add_argument("--persons", type=int, default=10_000, help="persons per run (default 10000)")
    ap.add_argument("--steps", type=int, default=120, help="steps per run (default 120)")
    ap.add_argument("--reps", type=int, default=3, help="repetitions of each timing (median)")
    args = ap.parse_args(argv)
    specs = _specs(args.runs, args.persons, args.steps)
    # through Dask, runs go k to a task, as a sweep of these runs sends them
    k_sweep = runs_per_task(args.persons * args.steps, len(specs))
    rows = []
    for label, kw, warm, k in (
            ("1 local worker", {"workers": 1}, 1, 1),
            ("2 local workers", {"workers": 2}, 2, 1),
            (f"Dask local, 2 workers, {k_sweep} a task", {"dask_local": 2}, 2, k_sweep)):
        with make_executor(**kw) as ex:
            dt = statistics.median(_timed(ex, specs, warm, k) for _ in range(args.reps))
        rows.append((label, dt, len(specs) / dt))
    base = rows[0][2]
    print(f"sweep: {args.runs} runs x {args.persons:,} persons x {args.steps} steps")
    print(f"{'executor':<32} {'seconds':>8} {'runs/s':>8} {'speed-up':>9}")
    for label, dt, rate in rows:
        print(f"{label:<32} {dt:>8.2f} {rate:>8.3f} {rate / base:>8.2f}x")

    # the overhead Dask adds to a run of --persons x --steps (a calibration-size run by
    # default): the time from submitting a task to having its results, less the runs' own
    # time inside the worker, per run; one run a task, and k a task as long sweeps and
    # calibrations send such runs
    k = runs_per_task(args.persons * args.steps, 1000)
    batch = _specs(k, args.persons, args.steps)
    per_run, over, empty = {}, {}, []
    for label, kw in (("in process", {"inprocess": True}), ("through Dask", {"dask_local": 1})):
        with make_executor(**kw) as ex:
            _timed(ex, [], 1)  # warm up
            for n in sorted({1, k}):
                outer, inner = [], []
                for _ in range(args.reps):
                    t0 = time.perf_counter()
                    res = unpack(ex.submit(run_specs_packed, batch[:n]).result())
                    outer.append(time.perf_counter() - t0)
                    inner.append(sum(r["wall_s"] for r in res))
                per_run[label, n] = statistics.median(outer) / n
                over[label, n] = statistics.median(o - i for o, i in zip(outer, inner)) / n
            if label == "through Dask":  # Dask's floor: a task that does nothing
                for _ in range(max(args.reps, 10)):
                    t0 = time.perf_counter()
                    ex.submit(operator.neg, 1).result()
                    empty.append(time.perf_counter() - t0)
    local = per_run["in process", 1]
    print(f"a run of {args.persons:,} persons x {args.steps} steps: {local:.3f} s in process")
    for n in sorted({1, k}):
        d = over["through Dask", n]
        print(f"  through Dask, {n} run(s) a task: {per_run['through Dask', n]:.3f} s a run end to "
              f"end; Dask's own overhead {d * 1000:.1f} ms a run ({d / local:.1%} of a run)")
    print(f"a task that does nothing: {statistics.median(empty) * 1000:.0f} ms from submission "
          f"to result through the same cluster (median of {len(empty)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
