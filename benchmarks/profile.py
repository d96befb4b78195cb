"""Where a run spends its time: cProfile of the default scenario, top functions by own time.

    python -m migdev.benchmarks.profile [--persons 100000] [--steps 120] [--top 12]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--persons", type=int, default=100_000)
    ap.add_argument("--steps", type=int, default=120)
    ap.add_argument("--top", type=int, default=12)
    args = ap.parse_args(argv)
    from migdev.model import MigrationModel

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
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
