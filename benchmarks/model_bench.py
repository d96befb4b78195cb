"""Model benchmark: person-steps per second, build time and memory, against Mesa's baseline.

Each measurement runs in a fresh process (one core: numpy is single-threaded for
what the model does, and thread pools are capped at 1), so peak memory is that
run's own. In it the model runs twice: the first run loads the compiled kernels (printed
as "1st run s"), the second gives the speed of a process that runs many models. Medians
over repetitions. The fair baseline is the per-agent reference
model (``migdev.model.reference``: the same rules on the same world, one Mesa agent per
person), run at the sizes of ``--reference-sizes``; Mesa's own Boltzmann wealth example
(a plain per-agent model with a trivial rule, with data collection) is printed for
scale. Both are measured in the same invocation on the same machine, so the ratios are
meaningful on a noisy machine.

    python -m migdev.benchmarks.model_bench [--sizes 10000,100000,1000000] [--reps 3]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from functools import partial

ONE_CORE = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _peak_rss() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kB on Linux


def worker_model(n: int, steps: int, seed: int, reference: bool = False) -> dict:
    """Build and run one default-scenario model (``reference``: the per-agent reference
    model, migdev.model.reference); return timings and peak memory. The model is built and
    run twice with the same seed: the first run in this fresh process loads the compiled
    kernels (once per process), the second is the steady state of a process that runs many
    (sweeps, calibration). The slow reference runs once."""
    from migdev.model import MigrationModel
    from migdev.model.reference import ReferenceModel

    rss0 = _peak_rss()
    first = None
    for i in range(1 if reference else 2):
        t0 = time.perf_counter()
        m = (ReferenceModel if reference else MigrationModel)(rng=seed, n_persons=n)
        t1 = time.perf_counter()
        m.run_for(steps)
        t2 = time.perf_counter()
        df = m.country_frame()
        if first is None:
            first = t2 - t0
        if not reference and i == 0:
            del m, df
            gc.collect()  # the model's agents and its world refer to each other
    return {"build_s": t1 - t0, "run_s": t2 - t1, "first_s": first, "peak_rss": _peak_rss(),
            "rss_before": rss0, "rows": len(df), "pop_bytes": m.pop.nbytes()}


def worker_small(n: int, steps: int, seed: int, reps: int = 7) -> dict:
    """Build-and-run time of a calibration-size run in a warm process (as calibration and
    sweeps run them, one after another): one warm-up run, then the median of ``reps``."""
    from migdev.model import MigrationModel

    times = []
    for r in range(reps + 1):
        t0 = time.perf_counter()
        m = MigrationModel(rng=seed + r, n_persons=n)
        m.run_for(steps)
        m.country_frame()
        times.append(time.perf_counter() - t0)
    return {"run_s": statistics.median(times[1:]), "min_s": min(times[1:]), "reps": reps}


def worker_calibration(n: int, steps: int, seed: int, reps: int = 7) -> dict:
    """One simulation of the shipped calibration (ABC's unit of work: build, run and the
    targets' statistics) at the middle of its priors, in a warm process: one warm-up, then
    the median of ``reps``; and the targets' statistics of one run both ways (from the
    model's stored rows, as the simulator reads them, and through the country table).
    ``n`` and ``steps`` are the calibration's own (the arguments are not used)."""
    from migdev.experiments.engine.calibrate import Simulator, load_calibration, model_statistics
    from migdev.experiments.engine.calibrate import statistics as table_statistics
    from migdev.experiments.engine.posterior import SHIPPED
    from migdev.model import MigrationModel

    cfg = load_calibration(SHIPPED / "health2005" / "calibration.toml")
    sim = Simulator(cfg)
    theta = {f.name: (f.low + f.high) / 2 for f in cfg.free}
    times = []
    for r in range(reps + 1):
        t0 = time.perf_counter()
        sim(theta, seed + r)
        times.append(time.perf_counter() - t0)
    m = MigrationModel(rng=seed, calibration=None, n_persons=cfg.n_persons, **cfg.params,
                       **theta)
    m.run_for(cfg.steps)
    ways = {}
    for name, f in (("rows", lambda: model_statistics(m, cfg.targets)),
                    ("table", lambda: table_statistics(m.country_frame(), cfg.targets))):
        t = []
        for _ in range(reps):
            t0 = time.perf_counter()
            f()
            t.append(time.perf_counter() - t0)
        ways[name] = statistics.median(t)
    return {"run_s": statistics.median(times[1:]), "min_s": min(times[1:]), "reps": reps,
            "persons": cfg.n_persons, "steps": cfg.steps, "targets": len(cfg.targets),
            "stats_rows_s": ways["rows"], "stats_table_s": ways["table"]}


def worker_boltzmann(n: int, steps: int, seed: int) -> dict:
    """Mesa's Boltzmann wealth example (per-agent Python objects) at ``n`` agents."""
    import math

    from mesa.examples.basic.boltzmann_wealth_model.model import (
        BoltzmannScenario,
        BoltzmannWealth,
    )

    side = int(math.ceil(math.sqrt(n)))
    t0 = time.perf_counter()
    m = BoltzmannWealth(BoltzmannScenario(n=n, width=side, height=side, rng=seed))
    t1 = time.perf_counter()
    for _ in range(steps):
        m.step()
    t2 = time.perf_counter()
    return {"build_s": t1 - t0, "run_s": t2 - t1, "peak_rss": _peak_rss()}


def _spawn(kind: str, n: int, steps: int, seed: int) -> dict:
    env = {**os.environ, **ONE_CORE}
    cmd = [sys.executable, "-m", "migdev.benchmarks.model_bench", "--worker", kind, str(n), str(steps),
           str(seed)]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"benchmark worker failed ({' '.join(cmd)}):\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(sizes, steps: int, reps: int, baseline_n: int, baseline_steps: int,
            reference_sizes=(10_000, 100_000)) -> dict:
    """Run every measurement; return a dict with one row per size and the baselines."""
    rows = []
    reference = {}
    for n in reference_sizes:  # the reference is slow: once per size
        r = _spawn("reference", n, steps, 1)
        reference[n] = {"person_steps_per_s": n * steps / r["run_s"], "seconds_per_run":
                        r["run_s"], "build_s": r["build_s"], "peak_rss_mb": r["peak_rss"] / 2**20}
    # interpreter + libraries + a tiny world; the least of a few (a process's peak now and
    # then comes out some tens of MB higher, which would swamp the bytes per person)
    floor = min(_spawn("model", 200, 1, 0)["peak_rss"] for _ in range(reps))
    base = [_spawn("boltzmann", baseline_n, baseline_steps, r) for r in range(reps)]
    b_rate = statistics.median(baseline_n * baseline_steps / r["run_s"] for r in base)
    for n in sizes:
        r_reps = reps if n <= 200_000 else 1
        runs = [_spawn("model", n, steps, r + 1) for r in range(r_reps)]
        run_s = statistics.median(r["run_s"] for r in runs)
        peak = max(r["peak_rss"] for r in runs)
        rows.append({
            "persons": n, "steps": steps, "reps": r_reps,
            "person_steps_per_s": n * steps / run_s,
            "seconds_per_run": run_s,
            "first_run_s": statistics.median(r["first_s"] for r in runs),
            "build_s": statistics.median(r["build_s"] for r in runs),
            "peak_rss_mb": peak / 2**20,
            "bytes_per_person": (peak - floor) / n,
            "array_bytes_per_person": runs[0]["pop_bytes"] / n,
            "ratio_to_mesa_baseline": (n * steps / run_s) / b_rate,
            "ratio_to_reference": ((n * steps / run_s) / reference[n]["person_steps_per_s"]
                                   if n in reference else None),
        })
    small = _spawn("small", 10_000, 120, 1)
    calibration = _spawn("calibration", 0, 0, 1)
    return {"rows": rows, "small_run": small, "calibration": calibration,
            "reference": reference, "baseline": {
        "model": "mesa.examples BoltzmannWealth (per-agent, with data collection)",
        "agents": baseline_n, "steps": baseline_steps, "agent_steps_per_s": b_rate,
        "seconds_per_run": statistics.median(r["run_s"] for r in base)}}


def print_table(res: dict) -> None:
    b = res["baseline"]
    print(f"Mesa example for scale: {b['model']}, {b['agents']:,} agents x {b['steps']} steps: "
          f"{b['agent_steps_per_s']:,.0f} agent-steps/s ({b['seconds_per_run']:.2f} s per run)")
    for n, r in res.get("reference", {}).items():
        print(f"per-agent reference (migdev.model.reference, same world and rules), {int(n):,} "
              f"persons: {r['person_steps_per_s']:,.0f} person-steps/s "
              f"({r['seconds_per_run']:.1f} s per run, build {r['build_s']:.2f} s, "
              f"peak {r['peak_rss_mb']:.0f} MB)")
    print("person-steps/s, s/run, build s: a second model in the same process (the compiled "
          "kernels loaded, as in sweeps and calibrations); 1st run s: build and run of the "
          "first model in a fresh process, loading the compiled kernels")
    hdr = (f"{'persons':>10} {'person-steps/s':>15} {'s/run':>8} {'1st run s':>10} "
           f"{'build s':>8} {'peak MB':>8} {'B/person':>9} {'arrays B/p':>10} {'x Mesa':>7} "
           f"{'x ref':>7}")
    print(hdr)
    print("-" * len(hdr))
    for r in res["rows"]:
        print(f"{r['persons']:>10,} {r['person_steps_per_s']:>15,.0f} {r['seconds_per_run']:>8.2f} "
              f"{r['first_run_s']:>10.2f} "
              f"{r['build_s']:>8.2f} {r['peak_rss_mb']:>8.0f} {r['bytes_per_person']:>9.0f} "
              f"{r['array_bytes_per_person']:>10.0f} {r['ratio_to_mesa_baseline']:>7.1f} "
              + (f"{r['ratio_to_reference']:>7.0f}" if r.get("ratio_to_reference") else
                 f"{'-':>7}"))
    rows = {r["persons"]: r for r in res["rows"]}
    if len(rows) >= 2:
        lo, hi = min(rows), max(rows)
        cost = (1 / rows[hi]["person_steps_per_s"]) / (1 / rows[lo]["person_steps_per_s"])
        print(f"cost per person-step at {hi:,} / at {lo:,}: {cost:.2f}x")
    if "small_run" in res:
        s = res["small_run"]
        print(f"calibration-size run (10,000 persons x 120 steps, build and table included, "
              f"warm process): {1000 * s['run_s']:.0f} ms median of {s['reps']} "
              f"(fastest {1000 * s['min_s']:.0f} ms)")
    if "calibration" in res:
        c = res["calibration"]
        print(f"a simulation of the shipped calibration (health2005: {c['persons']:,} persons x "
              f"{c['steps']} steps, {c['targets']} targets; build, run and statistics, warm "
              f"process): {1000 * c['run_s']:.0f} ms median of {c['reps']} (fastest "
              f"{1000 * c['min_s']:.0f} ms); its targets' statistics "
              f"{1000 * c['stats_rows_s']:.1f} ms from the stored rows, "
              f"{1000 * c['stats_table_s']:.1f} ms through the country table")


def _sizes(ap, option: str, text: str) -> list[int]:
    try:
        return [int(float(s)) for s in text.split(",") if s]
    except ValueError:
        ap.error(f"{option} {text!r}: give comma-separated whole numbers, e.g. 10000,100000")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Time the default scenario against Mesa's "
                                 "per-agent baseline; prints a table.")
    ap.add_argument("--sizes", default="10000,100000,1000000",
                    help="comma-separated population sizes (default 10000,100000,1000000)")
    ap.add_argument("--steps", type=int, default=120, help="steps per run (default 120)")
    ap.add_argument("--reps", type=int, default=3, help="repetitions, median taken (default 3; "
                    "sizes above 200,000 run once)")
    ap.add_argument("--reference-sizes", default="10000,100000",
                    help="sizes at which the per-agent reference runs, once each (default "
                    "10000,100000; empty: none)")
    ap.add_argument("--baseline-agents", type=int, default=10_000)
    ap.add_argument("--baseline-steps", type=int, default=20)
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    ap.add_argument("--worker", nargs=4, metavar=("KIND", "N", "STEPS", "SEED"),
                    help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        kind, n, steps, seed = args.worker
        fn = {"model": worker_model, "small": worker_small, "boltzmann": worker_boltzmann,
              "calibration": worker_calibration,
              "reference": partial(worker_model, reference=True)}[kind]
        print(json.dumps(fn(int(n), int(steps), int(seed))))
        return 0
    sizes, ref_sizes = (_sizes(ap, opt, text) for opt, text in
                        (("--sizes", args.sizes), ("--reference-sizes", args.reference_sizes)))
    if any(n < 200 for n in sizes + ref_sizes) or args.steps < 1 or args.reps < 1:
        ap.error("sizes must be at least 200, --steps and --reps at least 1")
    res = measure(sizes, args.steps, args.reps, args.baseline_agents, args.baseline_steps,
                  ref_sizes)
    print_table(res)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(res, f, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
