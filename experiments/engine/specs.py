"""Run specs and the run function: design points x replicates x roles (the policy run and
its paired controls), and :func:`run_spec`, which runs one spec.

Every replicate has one seed, derived from the master seed with ``SeedSequence`` and
shared by every design point and control of that replicate (common random numbers).
A spec is identified by the hash of what determines its outputs (parameters, seed, steps,
outputs kept, and the model's code); identical specs (a control shared by several points)
are run once.

``run_spec`` is top-level and picklable, so any ``concurrent.futures`` executor (a process
pool, a Dask client's executor) can run it; it never writes anything. Through Dask, small
runs go several to a task (:func:`run_specs_packed`, :func:`runs_per_task`): a Dask task
has a cost of its own whatever it does (``python -m migdev.benchmarks.sweep_bench`` prints
it).
"""

from __future__ import annotations

import functools
import hashlib
import json
import pickle
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from migdev.core.records import Agreement, Event
from migdev.experiments.engine.config import ExperimentConfig, check_size, to_jsonable
from migdev.experiments.engine.design import Design
from migdev.experiments.engine.posterior import posterior_draws

ROLES = ("policy", "no_agreement", "no_policy", "no_design", "no_migration")


def replicate_seeds(master_seed: int, replicates: int) -> list[int]:
    """One seed per replicate, derived from the master seed (recorded in the manifest)."""
    children = np.random.SeedSequence(master_seed).spawn(replicates)
    return [int(c.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for c in children]


def control_params(params: dict, role: str) -> dict:
    """The same world without the agreement, without any policy, or without migration.

    ``no_agreement`` removes the agreements; ``no_policy`` also removes the scheduled
    events (e.g. a remittance partnership); ``no_migration`` closes new departures. (The
    fourth control, ``no_design``, is the experiment's parameters without what its design
    varies: :func:`build_specs` makes it.)
    """
    if role == "no_agreement":
        return {**params, "agreement_kind": "none", "agreements": ()}
    if role == "no_policy":
        return {**params, "agreement_kind": "none", "agreements": (), "events": ()}
    if role == "no_migration":
        return {**params, "migration_enabled": False}
    return dict(params)


@dataclass(frozen=True)
class RunSpec:
    """One run: parameters (JSON-able), seed and steps; ``key`` hashes them."""

    params: dict
    seed: int
    steps: int
    outputs: tuple = ("country", "summary")
    key: str = field(default="", compare=False)

    @staticmethod
    def make(params: dict, seed: int, steps: int, outputs) -> RunSpec:
        p = to_jsonable(params)
        blob = json.dumps({"params": p, "seed": seed, "steps": steps,
                           "outputs": sorted(outputs), "model": model_version(),
                           "code": code_fingerprint(), "world": world_digest(p)},
                          sort_keys=True, separators=(",", ":"))
        return RunSpec(p, seed, steps, tuple(outputs), hashlib.sha256(blob.encode()).hexdigest())


def world_digest(params: dict) -> dict[str, str]:
    """The digests of the files of the world a run's parameters name (the default world
    if none): part of every run key, so an edited world's runs are run again."""
    from migdev.model.params import FIELDS
    from migdev.core.worlds import world_files_digest

    return world_files_digest(params.get("world", FIELDS["world"].default))


@functools.cache
def model_version() -> str:
    """The installed migdev's version ("source" without an install), read once a process:
    reading the package's metadata takes about a millisecond, and every run key has it."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("migdev")
    except PackageNotFoundError:  # running from a source tree without install
        return "source"


@functools.cache
def code_fingerprint() -> str:
    """SHA-256 of the source that determines a run's outputs: ``migdev.core``,
    ``migdev.model``, ``migdev.agents`` and this module (the run function).

    Part of every run key, so that after the model changes (a new calibration, a fixed
    mechanism) stored runs are not mistaken for runs of the new code: re-running a sweep
    into the same folder runs them again instead of resuming from stale results.
    """
    from migdev import agents, core, model

    files = []
    for pkg in (core, model, agents):
        root = Path(pkg.__file__).parent
        files += [(f"{pkg.__name__}/{p.relative_to(root).as_posix()}", p)
                  for p in sorted(root.rglob("*.py"))]
    files.append(("migdev.experiments.engine/specs.py", Path(__file__)))
    h = hashlib.sha256()
    for name, path in files:
        data = path.read_bytes()
        h.update(f"{name}\0{len(data)}\0".encode())
        h.update(data)
    return h.hexdigest()


def build_specs(cfg: ExperimentConfig, design: Design):
    """All runs of an experiment.

    Returns:
        (rows, specs): rows are dicts (point, replicate, role, seed, key) in a stable order;
        specs maps key -> RunSpec (each distinct run once).
    """
    check_size(cfg, len(design.points))
    seeds = replicate_seeds(cfg.master_seed, cfg.replicates)
    base = cfg.base_params()
    drawn = (posterior_draws(cfg.calibration, cfg.calibrated, seeds) if cfg.posterior_draws
             else None)
    rows, specs = [], {}
    for point, overrides in enumerate(design.points):
        for rep, seed in enumerate(seeds):
            # a replicate's posterior draw replaces the means, not what the design varies
            particle = {k: v for k, v in drawn[rep].items() if k not in overrides} \
                if drawn else {}
            params = {**base, **particle, **overrides}
            for role in ("policy",) + tuple(cfg.controls):
                # no_design: the experiment without what the design varies (one run per
                # replicate, shared by every point)
                run = ({**base, **(drawn[rep] if drawn else {})} if role == "no_design"
                       else control_params(params, role))
                s = RunSpec.make(run, seed, cfg.steps, cfg.outputs)
                specs.setdefault(s.key, s)
                rows.append({"point": point, "replicate": rep, "role": role, "seed": seed,
                             "key": s.key})
    return rows, specs


def params_from_json(params: dict) -> dict:
    """Turn JSON-able parameters back into model parameters (records as dataclasses)."""
    out = dict(params)
    if "events" in out:
        out["events"] = tuple(Event(**e) if isinstance(e, dict) else e for e in out["events"])
    if "agreements" in out:
        out["agreements"] = tuple(
            Agreement(**{k: tuple(v) if isinstance(v, list) else v for k, v in a.items()})
            if isinstance(a, dict) else a for a in out["agreements"])
    return out


def run_spec(spec) -> dict:
    """Run one spec. Never raises: a failure comes back with its traceback.

    Returns:
        dict with key, status ("ok" or "failed"), wall_s, and for ok runs ``country`` and
        ``corridor`` (DataFrames, if kept) and ``summary`` (a dict, if kept); for failed runs ``error``
        and ``traceback``.
    """
    from migdev.model import MigrationModel

    t0 = time.perf_counter()
    try:
        # the spec holds every parameter the config set, its calibration's values included
        m = MigrationModel(rng=spec.seed, calibration=None, **params_from_json(spec.params))
        m.run_for(spec.steps)
        out = {"key": spec.key, "status": "ok"}
        if "country" in spec.outputs:
            out["country"] = m.country_frame()
        if "corridor" in spec.outputs:
            out["corridor"] = m.corridor_frame()
        summary = m.summary() if "summary" in spec.outputs else None
        out["summary"] = summary
    except Exception as e:  # noqa: BLE001 - isolate any failure of one run
        return {"key": spec.key, "status": "failed", "error": f"{type(e).__name__}: {e}",
                "traceback": traceback.format_exc(), "wall_s": time.perf_counter() - t0}
    out["wall_s"] = time.perf_counter() - t0
    return out


def run_specs(specs) -> list[dict]:
    """Run several specs in turn (one task): :func:`run_spec` of each, in order."""
    return [run_spec(s) for s in specs]


def run_specs_packed(specs) -> bytes:
    """:func:`run_specs`, the results pickled into one bytes object (a Dask task's result:
    Dask moves bytes as they are, where it would otherwise inspect and serialise each table
    of each result on its own). :func:`unpack` reads it."""
    return pickle.dumps(run_specs(specs), protocol=pickle.HIGHEST_PROTOCOL)


def unpack(packed: bytes) -> list[dict]:
    """The results of :func:`run_specs_packed` (from this sweep's own workers)."""
    return pickle.loads(packed)


#: a task of small runs lasts about this long (seconds), so that Dask's own cost per task
#: is a small share of each run's time
TASK_SECONDS = 1.0
#: the speed assumed when sizing tasks (person-steps per second): a slow machine's, so that
#: a task is not longer than meant anywhere
SIZING_SPEED = 10e6


def runs_per_task(person_steps: float, n_runs: int, max_per_task: int = 16) -> int:
    """How many runs of ``person_steps`` (persons x steps, the largest run's) one Dask task
    holds, out of ``n_runs``: as many as last about :data:`TASK_SECONDS` at
    :data:`SIZING_SPEED` (1 for runs longer than that), at most ``max_per_task``, and at
    most a quarter of the runs, so that the workers share them. A task lost (its worker or
    the scheduler lost) loses its runs; the next invocation runs them."""
    k = int(TASK_SECONDS * SIZING_SPEED // max(person_steps, 1))
    return max(1, min(k, max_per_task, -(-n_runs // 4)))


def person_steps(specs) -> int:
    """The largest persons x steps of ``specs`` (RunSpec)."""
    from migdev.model.params import FIELDS

    default = FIELDS["n_persons"].default
    return max((s.params.get("n_persons", default) * s.steps for s in specs), default=0)
