"""Where a run spends its time: cProfile of the default scenario, top functions by own time,
then the share of each process of the schedule (ODD §3) including what it calls; then,
from runs without the profiler, the time spent drawing random numbers, the split of a
step's cost into a fixed part and a part per person, the same split for each process, and
the compiled passes' time within a run against one call alone. The profiled run is the
second model of the process (the compiled kernels loaded, as in sweeps and calibrations).

    python -m migdev.benchmarks.profile [--persons 100000] [--steps 120] [--top 12]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time

import numpy as np


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--persons", type=int, default=100_000)
    ap.add_argument("--steps", type=int, default=120)
    ap.add_argument("--top", type=int, default=12)
    args = ap.parse_args(argv)
    from migdev.model import MigrationModel

    MigrationModel(rng=1, n_persons=min(args.persons, 1000)).run_for(2)  # kernels loaded
    m = MigrationModel(rng=1, n_persons=args.persons)
    prof = cProfile.Profile()
    prof.enable()
    m.run_for(args.steps)
    prof.disable()
    st = pstats.Stats(prof)
    total = st.total_tt
    rows = sorted(st.stats.items(), key=lambda kv: kv[1][2], reverse=True)[: args.top]
    print(f"{args.persons:,} persons x {args.steps} steps: {total:.2f} s under the profiler")
    print(f"{'own s':>7} {'share':>6} {'calls':>7}  function")
    for (fn, line, name), (_, ncalls, tt, _ct, _) in rows:
        where = fn.split("/")[-2:] if "/" in fn else [fn]
        print(f"{tt:>7.3f} {tt / total:>6.1%} {ncalls:>7}  {'/'.join(where)}:{line}({name})")
    print(f"\n{'cum s':>7} {'share':>6}  process of the schedule (with what it calls)")
    for module, name in PROCESSES:
        ct = sum(v[3] for (fn, _, fname), v in st.stats.items()
                 if fname == name and fn.replace("\\", "/").endswith(module))
        print(f"{ct:>7.3f} {ct / total:>6.1%}  {module}:{name}")
    print(f"{st.total_calls / args.steps:,.0f} Python-level calls per step")
    draws(args.persons, args.steps)
    fixed_and_per_person(args.persons, args.steps)
    per_process(args.persons, args.steps)
    compiled_passes(args.persons, args.steps, args.top)
    return 0


class _TimedStream:
    """A random generator that counts and times the numbers drawn from it."""

    def __init__(self, generator, tally: dict):
        self.generator, self.tally = generator, tally
        self.bit_generator = generator.bit_generator  # the compiled draws use its state

    def random(self, *args, **kwargs):
        t = time.perf_counter()
        out = self.generator.random(*args, **kwargs)
        self.tally["seconds"] += time.perf_counter() - t
        self.tally["numbers"] += out.size
        self.tally["computed"] += out.size
        return out


def draws(n: int, steps: int) -> None:
    """Print the random numbers drawn per person-step (common random numbers: a fixed
    number per person, per stream and step), how many of them were computed (the compiled
    draws compute a number only where it is read: migdev.core.rng.Draws), and the share of
    a run's time they take."""
    from migdev.model import MigrationModel

    from migdev.core import rng

    m = MigrationModel(rng=1, n_persons=n)
    tally = {"seconds": 0.0, "numbers": 0, "computed": 0}
    m.streams = {k: _TimedStream(g, tally) for k, g in m.streams.items()}
    # the compiled draws: taking a step's numbers, and computing some of them
    counts = {"_compiled_draws": lambda args, out: ("numbers", args[2]),
              "dense": lambda args, out: ("computed", out.size),
              "__getitem__": lambda args, out: ("computed", getattr(out, "size", 0)
                                                if isinstance(out, np.ndarray) else 0),
              "rows_at": lambda args, out: ("computed", out.size),
              "head": lambda args, out: ("computed", out.size)}
    def note(count):
        def add(seconds, args, out):
            tally["seconds"] += seconds
            key, k = count(args, out)
            tally[key] += k
        return add

    originals = {}
    for name, count in counts.items():
        owner = rng if name == "_compiled_draws" else rng.Draws
        originals[name] = (owner, getattr(owner, name))
        setattr(owner, name, _timed(getattr(owner, name), note(count)))
    try:
        t = time.perf_counter()
        m.run_for(steps)
        total = time.perf_counter() - t
    finally:
        for name, (owner, f) in originals.items():
            setattr(owner, name, f)
    print(f"\nrandom numbers (a run without the profiler): {tally['numbers'] / (n * steps):.1f} "
          f"per person-step drawn, {tally['computed'] / (n * steps):.1f} computed (read); "
          f"{tally['seconds'] / steps * 1e3:.2f} ms of {total / steps * 1e3:.2f} ms per step "
          f"({tally['seconds'] / total:.0%}), {tally['seconds'] / max(tally['computed'], 1) * 1e9:.2f}"
          f" ns per number computed")


def _timed(f, add):
    """``f``, calling ``add(seconds, args, result)`` after each call."""
    def timed(*args, **kwargs):
        t = time.perf_counter()
        out = f(*args, **kwargs)
        add(time.perf_counter() - t, args, out)
        return out

    return timed


def fixed_and_per_person(n: int, steps: int, small: int = 500, reps: int = 3) -> None:
    """Print a step's cost as fixed + per person, from the fastest of ``reps`` runs at
    ``small`` and at ``n`` persons (build and tables included)."""
    from migdev.model import MigrationModel

    def run(size):
        best = float("inf")
        for _ in range(reps):
            t = time.perf_counter()
            m = MigrationModel(rng=1, n_persons=size)
            m.run_for(steps)
            m.country_frame()
            best = min(best, time.perf_counter() - t)
        return best / steps

    if n <= small:
        return
    run(small)  # warm: compiled kernels loaded, allocator warm
    a, b = run(small), run(n)
    per_person = (b - a) / (n - small)
    print(f"cost per step (fastest of {reps} runs at {small:,} and {n:,} persons): "
          f"{(a - per_person * small) * 1e3:.2f} ms fixed + {per_person * 1e9:.0f} ns per "
          f"person; at {n:,}: {b * 1e3:.2f} ms per step, {n / b / 1e6:.2f} M person-steps/s")
    if per_person <= 0:
        print("  (the two sizes' difference is within the machine's noise: ask for more persons "
              "or steps)")


def per_process(n: int, steps: int, small: int = 500, reps: int = 3) -> None:
    """Print each process's time a step as fixed + per person (fastest of ``reps`` runs at
    ``small`` and at ``n`` persons, each process timed around its call), then the rest of
    the step (the schedule's own lines)."""
    import importlib

    from migdev.model import MigrationModel

    if n <= small:
        return
    owners = {}
    for module, name in PROCESSES:
        path = module.removesuffix(".py").removesuffix("/__init__")
        mod = importlib.import_module("migdev." + path.replace("/", "."))
        owners[name] = (MigrationModel if name == "record" else mod)
    spent: dict[str, float] = {}
    originals = {name: getattr(owner, name) for name, owner in owners.items()}

    def add_to(name):
        def add(seconds, args, out):
            spent[name] = spent.get(name, 0.0) + seconds
        return add

    def best(size):
        fastest: dict[str, float] = {}
        for _ in range(reps):
            spent.clear()
            m = MigrationModel(rng=1, n_persons=size)
            spent.clear()  # the build's first record is not a step's
            t = time.perf_counter()
            m.run_for(steps)
            spent["(step)"] = time.perf_counter() - t
            for k, v in spent.items():
                fastest[k] = min(fastest.get(k, float("inf")), v / steps)
        return fastest

    for name, owner in owners.items():
        setattr(owner, name, _timed(originals[name], add_to(name)))
    try:
        best(small)  # warm
        a, b = best(small), best(n)
    finally:
        for name, owner in owners.items():
            setattr(owner, name, originals[name])
    for t in (a, b):
        t["(rest)"] = t["(step)"] - sum(v for k, v in t.items() if k != "(step)")
    print(f"\nper process, a step (fastest of {reps} runs at {small:,} and {n:,} persons):")
    print(f"{'process':<22} {'fixed us':>9} {'ns/person':>10} {f'us at {n:,}':>14}")
    for k in [name for _, name in PROCESSES if name in b] + ["(rest)", "(step)"]:
        per = (b[k] - a.get(k, 0.0)) / (n - small)
        print(f"{k:<22} {(a.get(k, 0.0) - per * small) * 1e6:>9.0f} {per * 1e9:>10.1f} "
              f"{b[k] * 1e6:>14.0f}")


#: memory written before a "cold" call of a compiled pass (more than the last-level cache
#: of the machines this runs on, so that the pass finds its data and code in main memory)
FLUSH_BYTES = 256 * 1024 * 1024


def compiled_passes(n: int, steps: int, top: int = 12, reps: int = 5) -> None:
    """Print the compiled passes (numba kernels) that take most of a run of ``n`` persons:
    calls a step, microseconds a step within the run (each call timed), and one call alone:
    the fastest of ``reps`` calls with the arguments of a mid-run call, copied before each
    (data and code in the caches, branches already seen: how fast the pass is by itself),
    and the same after writing :data:`FLUSH_BYTES` of memory before each call (data and
    code in main memory: "cold"). A pass much slower within the run than alone is held
    back by what the rest of the step does to the caches (when its time in the run lies
    between the two) or to the branch predictor. Kernels called only from other kernels
    count within their caller. ``rng._take`` moves a model's generator and is not repeated
    alone."""
    import numba

    from migdev.agents.agency import kernels as agency
    from migdev.agents.association import kernels as association
    from migdev.agents.community import kernels as community
    from migdev.agents.government import kernels as government
    from migdev.agents.migrant import kernels as migrant
    from migdev.core import kernels, rng
    from migdev.model import MigrationModel, metrics, tally

    MigrationModel(rng=1, n_persons=n).run_for(steps)  # every kernel of the run loaded
    spent: dict[str, float] = {}
    calls: dict[str, int] = {}
    saved: dict[str, tuple] = {}
    originals = {}

    def wrap(key, f):
        def timed(*args, **kwargs):
            count = calls[key] = calls.get(key, 0) + 1
            if count == max(steps // 2, 1):
                saved[key] = (tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args),
                              {k: v.copy() if isinstance(v, np.ndarray) else v
                               for k, v in kwargs.items()})
            t = time.perf_counter()
            out = f(*args, **kwargs)
            spent[key] = spent.get(key, 0.0) + time.perf_counter() - t
            return out
        return timed

    for mod in (migrant, agency, government, community, association, kernels, rng, tally,
                metrics):
        for name, f in list(vars(mod).items()):
            if isinstance(f, numba.core.registry.CPUDispatcher):
                key = pass_name(mod, name)
                originals[(mod, name)] = f
                setattr(mod, name, wrap(key, f))
    try:
        m = MigrationModel(rng=1, n_persons=n)
        spent.clear(), calls.clear(), saved.clear()  # the build's calls are not a step's
        t = time.perf_counter()
        m.run_for(steps)
        total = time.perf_counter() - t
    finally:
        for (mod, name), f in originals.items():
            setattr(mod, name, f)
    by_key = {pass_name(mod, name): f for (mod, name), f in originals.items()}
    rows = sorted(spent.items(), key=lambda kv: kv[1], reverse=True)[:top]
    print(f"\ncompiled passes, {n:,} persons x {steps} steps ({total / steps * 1e6:,.0f} us a "
          f"step; {sum(spent.values()) / total:.0%} of it in compiled passes):")
    print(f"{'pass':<28} {'calls/step':>10} {'us/step':>8} {'us a call':>10} "
          f"{'alone us':>9} {'cold us':>8} {'x alone':>8}")
    flush = np.zeros(FLUSH_BYTES // 8)

    def alone(key, cold: bool) -> float:
        best = float("inf")
        args0, kwargs0 = saved[key]
        for _ in range(reps):
            args = tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args0)
            kwargs = {k: v.copy() if isinstance(v, np.ndarray) else v
                      for k, v in kwargs0.items()}
            if cold:
                flush[::8] += 1.0  # one write to every 64-byte line
            t = time.perf_counter()
            by_key[key](*args, **kwargs)
            best = min(best, time.perf_counter() - t)
        return best

    for key, sec in rows:
        per_call = sec / calls[key]
        warm = cold = float("nan")
        if key in saved and key != "rng._take":
            warm, cold = alone(key, False), alone(key, True)
        print(f"{key:<28} {calls[key] / steps:>10.1f} {sec / steps * 1e6:>8.1f} "
              f"{per_call * 1e6:>10.1f} {warm * 1e6:>9.1f} {cold * 1e6:>8.1f} "
              f"{per_call / warm:>8.1f}")


def pass_name(module, name: str) -> str:
    """A compiled pass's name in the table: its family's (``migrant._entry``) or its module's
    (``metrics._step_rows``, ``kernels.apportion_into`` for the shared ones)."""
    parts = module.__name__.split(".")
    family = parts[-2] if parts[-3:-2] == ["agents"] else parts[-1]
    return f"{family}.{name}"


#: the processes MigrationModel.step calls, in order (module file, function)
PROCESSES = (("agents/government/__init__.py", "apply_agreements"),
             ("agents/migrant/__init__.py", "demography"),
             ("agents/government/__init__.py", "labour_demand"),
             ("agents/agency/__init__.py", "recruitment_market"),
             ("agents/migrant/__init__.py", "decide"),
             ("agents/migrant/__init__.py", "abroad_quarter"),
             ("agents/community/__init__.py", "update"), ("model/model.py", "record"))


if __name__ == "__main__":
    raise SystemExit(main())
