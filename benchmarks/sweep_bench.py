"""Sweep benchmark: the same small sweep on 1 and 2 local workers and on a local Dask cluster.

Prints runs per second and the speed-up over one worker, and the time one default run
takes in this process against through Dask (the overhead Dask adds to a run). Executors
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
from migdev.experiments.engine.specs import RunSpec, run_spec


def _specs(n_runs: int, persons: int, steps: int) -> list[RunSpec]:
    return [RunSpec.make({"n_persons": persons}, seed, steps, ("country", "summary"))
            for seed in range(1, n_runs + 1)]


def _warm(seconds: float) -> bool:
    """Run a small model and hold the worker a moment, so that every worker gets one."""
    from migdev.model import MigrationModel

    MigrationModel(rng=0, n_persons=5000).run_for(20)
    time.sleep(seconds)
    return True


def _timed(ex, specs, warm: int) -> float:
    for f in [ex.submit(_warm, 0.5) for _ in range(warm)]:
        f.result()
    if not specs:
        return 0.0
    t0 = time.perf_counter()
    results = [f.result() for f in [ex.submit(run_spec, s) for s in specs]]
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
    rows = []
    for label, kw, warm in (("1 local worker", {"workers": 1}, 1),
                            ("2 local workers", {"workers": 2}, 2),
                            ("Dask local cluster, 2 workers", {"dask_local": 2}, 2)):
        with make_executor(**kw) as ex:
            dt = statistics.median(_timed(ex, specs, warm) for _ in range(args.reps))
        rows.append((label, dt, len(specs) / dt))
    base = rows[0][2]
    print(f"sweep: {args.runs} runs x {args.persons:,} persons x {args.steps} steps")
    print(f"{'executor':<32} {'seconds':>8} {'runs/s':>8} {'speed-up':>9}")
    for label, dt, rate in rows:
        print(f"{label:<32} {dt:>8.2f} {rate:>8.3f} {rate / base:>8.2f}x")

    # the overhead Dask adds to one default run (20,000 persons, 120 steps): the time from
    # submitting to having the result, against the run's own time inside the worker
    one = RunSpec.make({}, 1, 120, ("country", "summary"))
    rows = {}
    for label, kw in (("in process", {"inprocess": True}), ("through Dask", {"dask_local": 1})):
        with make_executor(**kw) as ex:
            _timed(ex, [], 1)  # warm up
            outer, inner = [], []
            for _ in range(args.reps):
                t0 = time.perf_counter()
                res = ex.submit(run_spec, one).result()
                outer.append(time.perf_counter() - t0)
                inner.append(res["wall_s"])
            if label == "through Dask":  # Dask's floor: a task that does nothing
                empty = []
                for _ in range(max(args.reps, 10)):
                    t0 = time.perf_counter()
                    ex.submit(operator.neg, 1).result()
                    empty.append(time.perf_counter() - t0)
        rows[label] = (statistics.median(outer), statistics.median(inner),
                       statistics.median(o - i for o, i in zip(outer, inner)))
    local = rows["in process"][0]
    d_outer, d_inner, d_over = rows["through Dask"]
    print(f"one default run: {local:.2f} s in process; through Dask {d_outer:.2f} s end to end "
          f"({d_outer / local - 1:+.1%}), of which the run itself {d_inner:.2f} s and Dask's "
          f"own overhead {d_over * 1000:.0f} ms ({d_over / local:.1%} of a run)")
    print(f"a task that does nothing: {statistics.median(empty) * 1000:.0f} ms from submission "
          f"to result through the same cluster (median of {len(empty)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
