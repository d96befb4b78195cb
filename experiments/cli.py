"""The ``migdev`` command line."""

from __future__ import annotations

import argparse
import json
import sys


def _cmd_simulate(args) -> int:
    from experiments.simulate import simulate

    summary = simulate(args.scenario, steps=args.steps, seed=args.seed, out=args.out)
    print(json.dumps(summary, indent=2))
    print(f"wrote {args.out}/country.parquet, summary.json, run.png, run.pdf")
    return 0


def build_parser() -> argparse.ArgumentParser:
    from model.scenarios import SCENARIOS

    ap = argparse.ArgumentParser(prog="migdev", description="Agent-based simulation of "
                                 "migration partnerships: spillover versus brain circulation.")
    sub = ap.add_subparsers(dest="command", required=True)
    s = sub.add_parser("simulate", help="run one scenario and write its table and figure",
                       description="Run one scenario preset; write country.parquet, "
                       "summary.json and run.png/pdf to --out.")
    s.add_argument("--scenario", default="restrictive_mou", choices=sorted(SCENARIOS))
    s.add_argument("--steps", type=int, default=120, help="quarters to run (default 120)")
    s.add_argument("--seed", type=int, default=1, help="the run's seed (default 1)")
    s.add_argument("--out", default="results/simulate", help="output folder")
    s.set_defaults(func=_cmd_simulate)
    return ap


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ValueError as e:
        print(f"migdev: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
