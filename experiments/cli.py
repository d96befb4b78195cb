"""The ``migdev`` command line.

Commands: ``validate``, ``run``, ``sweep``, ``reproduce``, ``plot``, ``simulate``,
``serve``. Bad input gives a message naming what is wrong and how to fix it, exit
status 2, and nothing written.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path


def _load(path):
    from migdev.experiments.engine.config import load
    from migdev.experiments.engine.design import build

    cfg = load(path)
    design = build(cfg.design, cfg.source)  # design errors surface before anything is written
    return cfg, design


#: exit status of a sweep that stopped early, by manifest status
STOP_EXIT = {"interrupted": 130, "disk_full": 1, "incomplete": 1}


def _report(res: dict, quiet: bool) -> int:
    m = res["manifest"]
    for q in res.get("quarantined") or []:
        print(f"migdev: warning: {q}; that run is run again", file=sys.stderr)
    print(f"{m['experiment']}: {res['total']} distinct runs ({res['ran']} run now, "
          f"{res['skipped']} already stored), {res['failed']} failed, {res['not_run']} not run;"
          f" status {res['status']}; results in {res['out']}")
    if res["stopped"]:
        stored = res["total"] - res["failed"] - res["not_run"]
        print(f"migdev: stopped early: {res['stopped'].rstrip('.')}. {stored} run(s) are stored and kept; "
              f"{res['not_run']} were not run. No analysis or figures were made from the "
              f"incomplete sweep. Run the same command again to resume.", file=sys.stderr)
        if res.get("manifest_note"):
            print(f"migdev: the manifest could not be updated either ({res['manifest_note']});"
                  f" it still says 'running'.", file=sys.stderr)
        code = STOP_EXIT.get(res["status"], 1)
        if res["status"] == "interrupted" and "SIGTERM" in res["stopped"]:
            code = 143
        return code
    if res["failed"]:
        print(f"migdev: {res['failed']} run(s) failed; their tracebacks are in "
              f"{res['out']}/failures.parquet. Fix the cause and run the same command again to "
              f"retry them (finished runs are kept).", file=sys.stderr)
        return 1
    return 0


def _cmd_validate(args) -> int:
    from migdev.experiments.engine.specs import build_specs

    cfg, design = _load(args.config)
    rows, specs = build_specs(cfg, design)
    print(f"{args.config}: valid. experiment '{cfg.name}', scenario '{cfg.scenario}', "
          f"design {design.kind} with {len(design.points)} point(s) x {cfg.replicates} "
          f"replicate(s), controls {list(cfg.controls) or 'none'}: {len(specs)} distinct runs "
          f"of {cfg.steps} steps")
    if not args.no_estimate:
        workers = args.workers or os.cpu_count() or 1
        seconds, how = estimate_seconds(list(specs.values()), workers)
        print(f"estimated time: about {_duration(seconds)} on {workers} worker(s) ({how})")
        if seconds > 86_400:
            print(f"warning: {cfg.name} would take more than a day on {workers} worker(s); "
                  f"reduce the design, replicates, steps or n_persons, or use a Dask cluster "
                  f"(migdev sweep --scheduler ADDR)", file=sys.stderr)
    return 0


def estimate_seconds(specs: list, workers: int, probe_steps: int = 4) -> tuple[float, str]:
    """Wall time of all ``specs`` on ``workers``, from one short timed run of the first.

    Cost is taken as build + per-step time x steps, proportional to the persons simulated.
    """
    import time

    from migdev.experiments.engine.specs import params_from_json
    from migdev.model import MigrationModel

    first = specs[0]
    k = min(first.steps, probe_steps)
    t0 = time.perf_counter()
    m = MigrationModel(rng=first.seed, calibration=None, **params_from_json(first.params))
    t1 = time.perf_counter()
    m.run_for(k)
    t2 = time.perf_counter()
    n0 = m.p.n_persons
    build, per_step = t1 - t0, (t2 - t1) / max(k, 1)
    total = 0.0
    for s in specs:
        n = s.params.get("n_persons", n0)
        total += (build + per_step * s.steps) * n / n0
    return total / workers, (f"from a timed {k}-step run of the first of {len(specs)} runs, "
                             f"scaled by steps and persons; an order of magnitude")


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    if seconds < 2 * 86_400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86_400:.1f} days"


def _cmd_run(args) -> int:
    from migdev.experiments.api import run_experiment

    res = run_experiment(args.config, args.out, inprocess=True, quiet=args.quiet)
    return _report(res.run_report, args.quiet)


def _cmd_sweep(args) -> int:
    from migdev.experiments.api import run_experiment

    chosen = [x for x in (args.workers, args.scheduler, args.dask_local) if x]
    if len(chosen) > 1:
        raise ValueError("choose one of --workers, --scheduler and --dask-local")
    res = run_experiment(args.config, args.out, workers=args.workers,
                         scheduler=args.scheduler, dask_local=args.dask_local,
                         quiet=args.quiet, connect_timeout=args.connect_timeout)
    return _report(res.run_report, args.quiet)


def _cmd_calibrate(args) -> int:
    from migdev.experiments.engine.calibrate import load_calibration, run_calibration
    from migdev.experiments.engine.executors import describe, make_executor, through_dask
    from migdev.experiments.engine.specs import runs_per_task

    chosen = [x for x in (args.workers, args.scheduler, args.dask_local) if x]
    if len(chosen) > 1:
        raise ValueError("choose one of --workers, --scheduler and --dask-local")
    cfg = load_calibration(args.config)
    out = Path(args.out) if args.out else Path("results") / cfg.name
    inprocess = args.workers == 1
    # through Dask, several small simulations to a task (Dask's cost per task is its own)
    batch = (runs_per_task(cfg.n_persons * cfg.steps, cfg.population_size)
             if through_dask(args.scheduler, args.dask_local) else 1)
    info = {**describe(args.workers, args.scheduler, args.dask_local, inprocess),
            "runs_per_task": batch}
    with make_executor(args.workers, args.scheduler, args.dask_local, inprocess,
                       args.connect_timeout) as ex:
        jobs = args.dask_local or args.workers or os.cpu_count() or 1
        run_calibration(cfg, out, None if inprocess else ex, quiet=args.quiet,
                        max_jobs=2 * jobs if args.scheduler else jobs, executor_info=info,
                        batch_size=batch)
    from migdev.experiments.analysis.figures import calibration_figures

    calibration_figures(cfg, out)
    if not args.quiet:
        print(f"calibration '{cfg.name}' written to {out}: posterior.parquet, "
              f"posterior_summary.csv, posterior_predictive.csv, figures (png, pdf), "
              f"manifest.json; use it in an experiment with [experiment] calibration = "
              f"\"{out}\"")
    return 0


def _cmd_validate_model(args) -> int:
    from migdev.experiments.engine.executors import make_executor
    from migdev.experiments.engine.posterior import (posterior_means, resolve_calibration,
                                                     shipped_calibration_of)
    from migdev.experiments.engine.validate_model import WORLD_PATTERNS, validate_model

    if args.world not in WORLD_PATTERNS:
        raise ValueError(f"--world {args.world!r}: no held-out patterns are defined for it; "
                          f"choose from {', '.join(WORLD_PATTERNS)}")
    params = {"world": args.world, "n_persons": args.n_persons}
    calibration = (None if args.uncalibrated
                   else args.calibration or shipped_calibration_of(args.world))
    if calibration:
        params.update(posterior_means(resolve_calibration(calibration)))
    out = Path(args.out)
    inprocess = args.workers == 1
    with make_executor(args.workers, inprocess=inprocess) as ex:
        man = validate_model(out, params, args.replicates, None if inprocess else ex,
                             patterns=args.pattern, calibration=calibration, quiet=args.quiet)
    from migdev.experiments.analysis.figures import (validation_corridor_figure,
                                                     validation_figure)

    validation_figure(out)
    corridor_files = validation_corridor_figure(out)
    passed = sum(p["result"] == "pass" for p in man["patterns"])
    print(f"{passed} of {len(man['patterns'])} held-out patterns reproduced "
          f"({'calibration ' + calibration if calibration else 'uncalibrated defaults'}, "
          f"{args.replicates} replicates of {args.n_persons:,} persons, "
          f"{man['elapsed_seconds']:.0f} s); written to {out}: validation.csv, "
          f"replicates.csv, validation.png/.pdf, manifest.json"
          + (", validation_corridors.csv, validation_corridors.png/.pdf" if corridor_files
             else ""))
    return 1 if args.strict and passed < len(man["patterns"]) else 0


def _cmd_discover(args) -> int:
    from migdev.experiments.analysis import discover as disc

    results = Path(args.results)
    if not 0 < args.threshold <= 1:
        raise ValueError(f"--threshold {args.threshold} is invalid: give a density in (0, 1]")
    cases, factors = disc.load_cases(results)
    y = disc.mark(cases, args.where)
    res = disc.discover(cases, factors, y, args.threshold)
    out = Path(args.out) if args.out else results / "discovery"
    disc.write(out, res, args.where, results)
    print(f"where {args.where}: {res['cases_of_interest']} of {res['cases']} cases "
          f"(design points x replicates)")
    flag = "" if res["reached_threshold"] else (f" (no box reaches density "
                                                 f"{args.threshold:g}: the densest shown)")
    print(f"box: coverage {res['coverage']:.2f}, density {res['density']:.2f}, "
          f"mass {res['mass']:.2f}, {res['n_in_box']} cases{flag}")
    for lim in res["box"]:
        if not lim["restricted"]:
            continue
        qps = [q for q in (lim["qp_low"], lim["qp_high"]) if q is not None]
        sig = f" (quasi-p {max(qps):.2g})" if qps else ""
        if lim["kind"] == "numeric":
            print(f"  {lim['factor']}: {lim['low']:.4g} to {lim['high']:.4g}{sig}")
        else:
            print(f"  {lim['factor']}: one of {', '.join(lim['values'])}{sig}")
    if not any(lim["restricted"] for lim in res["box"]):
        print("  (no factor restricted: the condition is not concentrated in any box)")
    print(f"written to {out}: box.csv, trajectory.csv, discovery.json, "
          f"discovery_tradeoff.png/.pdf")
    return 0


def _cmd_reproduce(args) -> int:
    from migdev.experiments.engine.reproduce import RTOL, reproduce

    report: dict = {}
    same, diffs = reproduce(args.manifest, workers=args.workers, quiet=args.quiet,
                            report=report)
    if same and report["verdict"] == "identical":
        print(f"identical: every stored output of {args.manifest} was reproduced bit for bit")
        return 0
    if same:
        print(f"equal within rounding (max relative difference {report['max_rel']:.2g}): "
              f"every count of {args.manifest} was reproduced exactly and every real value "
              f"to within a relative {RTOL:g}")
        return 0
    print(f"different: {len(diffs)} difference(s) (first ones listed)")
    for d in diffs:
        print("  " + d)
    return 1


def _cmd_plot(args) -> int:
    from migdev.experiments.analysis.stats import analyse

    root = Path(args.results)
    if not (root / "manifest.json").is_file():
        raise ValueError(f"{root}: not an experiment folder (it has no manifest.json; run "
                         f"'migdev run CONFIG --out {root}' first)")
    if args.country:  # check the names before anything is written
        from migdev.experiments.analysis.figures import check_origin
        from migdev.experiments.engine.store import Store

        store = Store(root)
        manifest, tables = store.manifest(), store.load()
        for name in args.country:
            check_origin(name, tables["country"])
    res = analyse(root, quiet=args.quiet)
    for p in res.get("figures", []):
        print(p)
    if args.country:
        from migdev.experiments.analysis.figures import _save, country_figure

        factors = [f["name"] for f in manifest["design"]["factors"]]
        group = "agreement_kind" if "agreement_kind" in factors else None
        for name in args.country:
            fig = country_figure(name, manifest["experiment"], tables["runs"],
                                 tables["country"], tables["corridor"], group)
            slug = "".join(ch if ch.isalnum() else "_" for ch in name)
            for p in _save(fig, root / "figures", f"country_{slug}"):
                print(p)
    return 0


def _cmd_simulate(args) -> int:
    from migdev.experiments.simulate import simulate

    out = Path(args.out) if args.out else (Path("results") / "simulate"
                                           / f"{args.scenario}_seed{args.seed}_steps{args.steps}")
    written = [out / f for f in ("country.parquet", "summary.json", "run.png", "run.pdf")]
    if not args.force and any(p.exists() for p in written):
        raise ValueError(f"{out} already holds a simulation's outputs; give another --out, or "
                         f"--force to overwrite them")
    calibration = None if args.uncalibrated else args.calibration
    summary = simulate(args.scenario, steps=args.steps, seed=args.seed, out=str(out),
                       calibration=calibration)
    print(json.dumps(summary, indent=2))
    print(f"wrote {out}/country.parquet, summary.json, run.png, run.pdf")
    return 0


def _cmd_world(args) -> int:
    from migdev.core.worlds import load_world, shipped_worlds, world_table

    if not args.name:
        for name in shipped_worlds():
            print(f"{name}: {load_world(name).title}")
        return 0
    print(world_table(load_world(args.name), sources=args.sources))
    return 0


def _cmd_serve(args) -> int:
    from migdev.experiments.serve import serve

    return serve(host=args.host, port=args.port)


def _seconds(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < v <= 86_400:
        raise argparse.ArgumentTypeError(f"{v} must be above 0 and at most 86400 seconds")
    return v


def _positive(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"{v} must be at least 1")
    return v


def _version_text() -> str:
    """migdev's version, with Mesa's and Python's (the manifest records the same)."""
    import platform
    from importlib.metadata import PackageNotFoundError, version

    from migdev.experiments.engine.specs import model_version

    try:
        mesa = version("mesa")
    except PackageNotFoundError:  # pragma: no cover - mesa is a dependency
        mesa = "not installed"
    return f"migdev {model_version()} (mesa {mesa}, Python {platform.python_version()})"


class _VersionAction(argparse.Action):
    """``--version``: the text is made when asked for (it reads the model's code, which
    gathers every family's parameters), so ``--help`` and the rest start at once."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS,
                 help="show migdev's, Mesa's and Python's versions and exit"):
        super().__init__(option_strings, dest, nargs=0, default=default, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        print(_version_text())
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    from migdev.model.scenarios import SCENARIOS

    ap = argparse.ArgumentParser(prog="migdev", description="Agent-based simulation of "
                                 "migration partnerships: spillover versus brain circulation.")
    ap.add_argument("--version", action=_VersionAction)
    sub = ap.add_subparsers(dest="command", required=True, metavar="COMMAND")

    v = sub.add_parser("validate", help="check a config without running anything",
                       description="Validate an experiment config (TOML) and its design; print "
                       "what a sweep would run. Writes nothing.")
    v.add_argument("config", help="experiment config (TOML), e.g. experiments/configs/"
                   "headline_small.toml")
    v.add_argument("--workers", type=_positive, help="workers for the time estimate "
                   "(default: all cores)")
    v.add_argument("--no-estimate", action="store_true", help="skip the short timed run")
    v.set_defaults(func=_cmd_validate)

    for name, helptext in (("run", "run an experiment in this process"),
                           ("sweep", "run an experiment in parallel (process pool or Dask)")):
        p = sub.add_parser(name, help=helptext, description=helptext.capitalize() + ". Finished "
                           "runs are stored as they end; running the same command again resumes "
                           "an interrupted experiment. Exits non-zero if any run failed.")
        p.add_argument("config", help="experiment config (TOML)")
        p.add_argument("--out", help="output folder (default results/<experiment name>)")
        p.add_argument("--quiet", action="store_true", help="no progress bar (for logs and CI)")
        if name == "sweep":
            p.add_argument("--workers", type=_positive, help="local processes (default: all "
                           "cores)")
            p.add_argument("--scheduler", metavar="ADDR", help="address of a running Dask "
                           "scheduler, e.g. tcp://10.0.0.5:8786")
            p.add_argument("--dask-local", type=_positive, metavar="N", help="start a local Dask "
                           "cluster with N workers on 127.0.0.1")
            p.add_argument("--connect-timeout", type=_seconds, default=10.0, metavar="S",
                           help="seconds to wait for the Dask scheduler (default 10)")
            p.set_defaults(func=_cmd_sweep)
        else:
            p.set_defaults(func=_cmd_run)

    c = sub.add_parser("calibrate", help="calibrate free parameters to observed figures (ABC-SMC)",
                       description="Calibrate the free parameters of a calibration config to "
                       "its targets (observed figures with sources) by ABC-SMC (pyabc). Writes "
                       "posterior.parquet, summaries, figures and a manifest; running the same "
                       "command again resumes after the last finished generation. See "
                       "docs/CALIBRATION.md.")
    c.add_argument("config", help="calibration config (TOML)")
    c.add_argument("--out", help="output folder (default results/<calibration name>)")
    c.add_argument("--quiet", action="store_true", help="no progress lines")
    c.add_argument("--workers", type=_positive, help="local processes (default: all cores; 1 "
                   "runs in this process)")
    c.add_argument("--scheduler", metavar="ADDR", help="address of a running Dask scheduler")
    c.add_argument("--dask-local", type=_positive, metavar="N", help="start a local Dask "
                   "cluster with N workers on 127.0.0.1")
    c.add_argument("--connect-timeout", type=_seconds, default=10.0, metavar="S",
                   help="seconds to wait for the Dask scheduler (default 10)")
    c.set_defaults(func=_cmd_calibrate)

    v = sub.add_parser("validate-model", help="check the model against held-out published "
                       "patterns", description="Run a real world (health2005 by default, or "
                       "remit2005) through the policy histories behind published patterns "
                       "held out from its calibration, and say for each whether the model "
                       "reproduces it. See docs/CALIBRATION.md.")
    v.add_argument("--world", default="health2005", help="the world whose patterns are "
                   "checked: health2005 (default) or remit2005")
    v.add_argument("--calibration", default=None, help="calibration whose posterior means "
                   "are used (a shipped name or a folder; default: the world's shipped "
                   "calibration)")
    v.add_argument("--uncalibrated", action="store_true", help="use the parameters' defaults")
    v.add_argument("--replicates", type=_positive, default=20, help="paired replicates per "
                   "pattern (default 20)")
    v.add_argument("--n-persons", type=_positive, default=20_000, help="simulated persons "
                   "(default 20000)")
    v.add_argument("--pattern", action="append", help="only this pattern (repeatable)")
    v.add_argument("--workers", type=_positive, help="local processes (default: all cores)")
    v.add_argument("--out", default="results/validation", help="output folder")
    v.add_argument("--strict", action="store_true", help="exit status 1 if a pattern fails")
    v.add_argument("--quiet", action="store_true", help="no line per pattern")
    v.set_defaults(func=_cmd_validate_model)

    dsc = sub.add_parser("discover", help="scenario discovery: which lever combinations lead "
                         "to an outcome (PRIM)", description="Find boxes over an experiment's "
                         "design factors where a condition on the paired outcomes mostly holds "
                         "(PRIM, EMA Workbench). Reads RESULTS/analysis/paired_runs.csv.")
    dsc.add_argument("results", help="an experiment's results folder (migdev sweep)")
    dsc.add_argument("--where", required=True, metavar="EXPR", help="condition on the outcome "
                     "columns, e.g. 'net_human_capital < 0 and extra_recruits_nonparty > 0'")
    dsc.add_argument("--threshold", type=float, default=0.8, help="least density of the box "
                     "reported (default 0.8)")
    dsc.add_argument("--out", help="output folder (default RESULTS/discovery)")
    dsc.set_defaults(func=_cmd_discover)

    r = sub.add_parser("reproduce", help="re-run an experiment from its manifest and compare",
                       description="Re-run every run recorded in a manifest (in a temporary "
                       "folder) and report 'identical' or what differs. Exit 0 when identical.")
    r.add_argument("manifest", help="results/<experiment>/manifest.json")
    r.add_argument("--workers", type=_positive, help="local processes (default: all cores)")
    r.add_argument("--quiet", action="store_true", help="no progress bar")
    r.set_defaults(func=_cmd_reproduce)

    pl = sub.add_parser("plot", help="redo the analysis tables and figures of a results folder",
                        description="Recompute analysis/*.csv and figures/*.png|pdf of a "
                        "finished experiment.")
    pl.add_argument("results", help="results/<experiment>")
    pl.add_argument("--quiet", action="store_true")
    pl.add_argument("--country", action="append", metavar="NAME",
                    help="also draw one origin's figure (figures/country_NAME.png); "
                         "repeat for several")
    pl.set_defaults(func=_cmd_plot)

    s = sub.add_parser("simulate", help="run one scenario preset and write its table and figure",
                       description="Run one scenario preset; write country.parquet, "
                       "summary.json and run.png/pdf to --out.")
    s.add_argument("--scenario", default="restrictive_mou", choices=sorted(SCENARIOS))
    s.add_argument("--steps", type=_positive, default=120, help="quarters to run (default 120)")
    s.add_argument("--seed", type=int, default=1, help="the run's seed (default 1)")
    s.add_argument("--out", help="output folder (default results/simulate/"
                   "<scenario>_seed<seed>_steps<steps>)")
    s.add_argument("--force", action="store_true", help="overwrite the outputs of an earlier "
                   "simulation in the output folder")
    s.add_argument("--calibration", default="default", help="calibration whose posterior "
                   "means are used (a shipped name or a folder; default: the world's shipped "
                   "calibration, health2005's for the default world)")
    s.add_argument("--uncalibrated", action="store_true", help="use the parameters' "
                   "uncalibrated defaults")
    s.set_defaults(func=_cmd_simulate)

    w = sub.add_parser("world", help="show a world's countries, figures and sources",
                       description="Print a world (a shipped world's name, or a folder of "
                       "world.toml, countries.csv, corridors.csv and sources.csv) after "
                       "checking every file; with --sources, each figure's source and year. "
                       "Without NAME, list the shipped worlds.")
    w.add_argument("name", nargs="?", help="a shipped world (e.g. abstract) or a world folder")
    w.add_argument("--sources", action="store_true", help="show each figure's source")
    w.set_defaults(func=_cmd_world)

    sv = sub.add_parser("serve", help="start the visual demo (SolaraViz) in a browser",
                        description="Serve the SolaraViz demo page (migdev.demo) on HOST:PORT.")
    sv.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    sv.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    sv.set_defaults(func=_cmd_serve)
    return ap


def main(argv=None) -> int:
    from migdev.experiments.engine.executors import ExecutorError
    from migdev.experiments.engine.store import StoreError

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ValueError as e:  # ConfigError and ParameterError are ValueErrors
        print(f"migdev: error: {e}", file=sys.stderr)
        return 2
    except (StoreError, ExecutorError) as e:  # a busy or damaged folder, a lost scheduler
        print(f"migdev: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("migdev: interrupted; finished runs are stored; run the same command again to "
              "resume", file=sys.stderr)
        return 130


#: exit codes of a sweep stopped by a signal (Ctrl-C, SIGTERM)
SIGNAL_EXIT = (130, 143)


def run(argv=None) -> None:
    """The ``migdev`` program: :func:`main`, then exit with its code. After a sweep stopped
    by a signal, everything is already written and the pool's workers terminated; the exit
    then skips the interpreter's own clean-up, whose wait for the process pool's manager
    thread could hang for tens of seconds on a busy machine after its workers were killed
    (seen once in the Ctrl-C fault test, with the sweep's final message already printed)."""
    code = main(argv)
    if code in SIGNAL_EXIT:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    run()
