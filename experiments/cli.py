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


def _cmd_serve(args) -> int:
    from experiments.serve import serve

    return serve(host=args.host, port=args.port)


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
    v = sub.add_parser("serve", help="start the visual demo (SolaraViz) in a browser",
                       description="Serve the SolaraViz demo page (app.py) on HOST:PORT.")
    v.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    v.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    v.set_defaults(func=_cmd_serve)
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
