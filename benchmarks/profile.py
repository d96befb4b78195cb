"""Where a run spends its time: cProfile of the default scenario, top functions by own time,
then the share of each process of the schedule (ODD §3) including what it calls.

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
    print(f"\n{'cum s':>7} {'share':>6}  process of the schedule (with what it calls)")
    for module, name in PROCESSES:
        ct = sum(v[3] for (fn, _, fname), v in st.stats.items()
                 if fname == name and fn.replace("\\", "/").endswith(module))
        print(f"{ct:>7.3f} {ct / total:>6.1%}  {module}:{name}")
    print(f"{st.total_calls / args.steps:,.0f} Python-level calls per step")
    return 0


#: the processes MigrationModel.step calls, in order (module file, function)
PROCESSES = (("agents/government.py", "apply_agreements"), ("agents/migrant.py", "demography"),
             ("agents/government.py", "labour_demand"), ("agents/agency.py", "recruitment_market"),
             ("agents/migrant.py", "decide"), ("agents/migrant.py", "work"),
             ("agents/migrant.py", "remit"), ("agents/association.py", "missions"),
             ("agents/migrant.py", "returns"), ("agents/community.py", "update"),
             ("model/model.py", "record"))


if __name__ == "__main__":
    raise SystemExit(main())
