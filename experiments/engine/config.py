"""Experiment configs: TOML files validated into typed objects.

Every error names the file, the key, the value and what is allowed, and is raised
before anything runs or is written.
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from migdev.core.errors import ParameterError, did_you_mean
from migdev.model.params import FIELDS, RECORDS, country_index, field_of, make_params
from migdev.core.records import Agreement, Event
from migdev.core.worlds import load_world
from migdev.model.scenarios import SCENARIOS

DESIGN_KINDS = ("none", "grid", "lhs", "sobol", "morris", "table")
CONTROLS = ("no_agreement", "no_policy", "no_design", "no_migration")
OUTPUTS = ("country", "corridor", "summary")


class ConfigError(ValueError):
    """A config file is malformed; the message says where and how to fix it."""


@dataclass(frozen=True)
class Factor:
    """One design factor: a parameter with a list of values or a numeric range."""

    name: str
    values: tuple | None = None
    low: float | None = None
    high: float | None = None

    @property
    def is_range(self) -> bool:
        return self.values is None


@dataclass(frozen=True)
class DesignSpec:
    kind: str = "none"
    factors: tuple[Factor, ...] = ()
    samples: int = 16
    levels: int = 4
    seed: int = 0
    file: str | None = None
    #: the config's own fixed parameters (scenario and [params]), sorted (name, value)
    #: pairs: design values are checked on top of them
    base: tuple = ()
    #: names fixed in the config's [params] (a design may not vary them too)
    fixed: tuple = ()


@dataclass(frozen=True)
class ExperimentConfig:
    """A validated experiment.

    Attributes:
        name: experiment name (also the default output folder under results/).
        scenario: base scenario preset (model.scenarios).
        steps: quarters per run.
        replicates: runs per design point, each with its own seed.
        master_seed: the seed all run seeds derive from.
        controls: paired controls run beside every point at the same seed.
        outputs: tables to keep ("country": per step x origin; "corridor": per step x
            origin-destination pair; "summary": per run).
        params: fixed parameter overrides (on top of the scenario).
        design: the design.
        source: path of the file it was read from.
        raw: the file's content as parsed (recorded in the manifest).
    """

    name: str
    scenario: str = "baseline"
    steps: int = 120
    replicates: int = 1
    master_seed: int = 0
    controls: tuple[str, ...] = ()
    outputs: tuple[str, ...] = OUTPUTS
    params: dict = field(default_factory=dict)
    design: DesignSpec = DesignSpec()
    max_runs: int = 100_000
    #: folder of the calibration whose posterior means the parameters start from, or None
    calibration: str | None = None
    #: with a calibration: each replicate runs on one particle drawn from the posterior (by
    #: weight, from the replicate's seed) instead of the posterior means
    posterior_draws: bool = False
    #: the calibrated parameters the config leaves to the calibration (not in [params])
    calibrated: tuple[str, ...] = ()
    source: str = "<config>"
    raw: dict = field(default_factory=dict)

    def base_params(self) -> dict:
        """Scenario overrides with the config's fixed parameters on top."""
        return {**SCENARIOS[self.scenario], **self.params}


#: the longest name of an experiment or calibration (it names a folder; 255 bytes is the
#: usual limit of one path component, and outputs add their own names inside it)
MAX_NAME = 100


def safe_folder_name(name) -> bool:
    """Whether ``name`` can name an output folder inside the one given, and nothing else:
    a non-empty string of at most MAX_NAME characters, no slash, no leading dot (so neither
    ``.`` nor ``..``), no control character."""
    return (isinstance(name, str) and 0 < len(name) <= MAX_NAME
            and not any(c in name for c in "/\\") and not name.startswith(".")
            and all(c.isprintable() for c in name))


def _err(src, key, value, allowed) -> ConfigError:
    return ConfigError(f"{src}: key '{key}' = {value!r} is invalid: allowed {allowed}")


def _check_keys(src: str, where: str, table: dict, allowed: dict[str, str]) -> None:
    for k in table:
        if k not in allowed:
            hint = did_you_mean(k, allowed)
            full = f"{where}.{k}" if where else k
            raise ConfigError(f"{src}: unknown key '{full}'{hint}; allowed keys in "
                              f"[{where or 'top level'}]: {', '.join(allowed)}")


def _typed(src, key, value, kind, lo=None, hi=None):
    ok = {
        "str": isinstance(value, str),
        "int": isinstance(value, int) and not isinstance(value, bool),
        "num": isinstance(value, (int, float)) and not isinstance(value, bool),
        "list": isinstance(value, list),
        "table": isinstance(value, dict),
        "bool": isinstance(value, bool),
    }[kind]
    allowed = {"str": "a string", "int": "an integer", "num": "a number", "list": "a list",
               "table": "a table", "bool": "true or false"}[kind]
    if lo is not None:
        allowed += f" from {lo}" + (f" to {hi}" if hi is not None else " up")
    if not ok or (lo is not None and value < lo) or (hi is not None and value > hi):
        raise _err(src, key, value, allowed)
    return value


def _param_value(src, key, name, value, base: dict | None = None):
    """Check one parameter override by building Params with it (the model's own rules),
    on top of ``base`` (the config's scenario and [params]) when given."""
    if field_of(name) is None or name in RECORDS:
        base_name = name.split("[", 1)[0]
        raise ConfigError(f"{src}: key '{key}' names no model parameter"
                          f"{did_you_mean(base_name, set(FIELDS) - set(RECORDS))}; see "
                          f"docs/ODD.md §6 for the list (agreements and events have their own "
                          f"tables; a lever for one country is written lever[Country])")
    try:
        make_params(**{**(base or {}), name: value})
    except ParameterError as e:
        raise ConfigError(f"{src}: key '{key}': {e}") from None
    except (TypeError, OverflowError, RecursionError) as e:
        raise ConfigError(f"{src}: key '{key}' = {_short(value)} is invalid "
                          f"({type(e).__name__}); see docs/ODD.md §6 for what is allowed") from None
    return value


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


TOP = {"experiment": "table", "params": "table", "events": "list of tables",
       "agreements": "list of tables", "design": "table"}
EXPERIMENT = {"name": "str", "scenario": "str", "steps": "int", "replicates": "int",
              "master_seed": "int", "controls": "list", "outputs": "list",
              "description": "str", "max_runs": "int", "calibration": "str",
              "posterior_draws": "bool"}
#: default cap on the runs of one experiment (points x replicates x roles); a config can
#: raise it with experiment.max_runs
MAX_RUNS = 100_000
DESIGN = {"kind": "str", "factors": "table", "samples": "int", "levels": "int", "seed": "int",
          "file": "str"}
FACTOR = {"values": "list", "low": "num", "high": "num"}
EVENT = {"step": "int", "param": "str", "value": "any"}
AGREEMENT = {f.name: "" for f in dataclasses.fields(Agreement)}


def parse(data: dict, src: str = "<config>", base_dir: Path | None = None) -> ExperimentConfig:
    """Validate parsed TOML ``data`` into an :class:`ExperimentConfig`.

    Raises:
        ConfigError: naming ``src``, the key, the value and what is allowed.
    """
    _check_keys(src, "", data, TOP)
    if "experiment" not in data:
        raise ConfigError(f"{src}: missing table [experiment] (it needs at least name = \"...\")")
    ex = _typed(src, "experiment", data["experiment"], "table")
    _check_keys(src, "experiment", ex, EXPERIMENT)
    if "name" not in ex:
        raise ConfigError(f"{src}: missing key 'experiment.name' (a string: the experiment's "
                          f"name and output folder)")
    name = _typed(src, "experiment.name", ex["name"], "str")
    if not safe_folder_name(name):
        raise _err(src, "experiment.name", name, f"a name of 1-{MAX_NAME} printable "
                   f"characters without slashes, not starting with a dot")
    description = _typed(src, "experiment.description", ex.get("description", ""), "str")
    if len(description) > 5000:
        raise _err(src, "experiment.description", description[:40] + "...",
                   "free text of at most 5,000 characters")
    scenario = _typed(src, "experiment.scenario", ex.get("scenario", "baseline"), "str")
    if scenario not in SCENARIOS:
        raise _err(src, "experiment.scenario", scenario, "one of " + ", ".join(SCENARIOS))
    steps = _typed(src, "experiment.steps", ex.get("steps", 120), "int", 1, 10_000)
    reps = _typed(src, "experiment.replicates", ex.get("replicates", 1), "int", 1, 100_000)
    seed = _typed(src, "experiment.master_seed", ex.get("master_seed", 0), "int", 0, 2**63 - 1)
    max_runs = _typed(src, "experiment.max_runs", ex.get("max_runs", MAX_RUNS), "int", 1,
                      10_000_000)
    controls = tuple(_typed(src, "experiment.controls", ex.get("controls", []), "list"))
    for c in controls:
        if c not in CONTROLS:
            raise _err(src, "experiment.controls", c, "items from " + ", ".join(CONTROLS))
    outputs = tuple(_typed(src, "experiment.outputs", ex.get("outputs", list(OUTPUTS)), "list"))
    for o in outputs:
        if o not in OUTPUTS:
            raise _err(src, "experiment.outputs", o, "items from " + ", ".join(OUTPUTS))
    if not outputs:
        raise _err(src, "experiment.outputs", [], "at least one of " + ", ".join(OUTPUTS))

    params = dict(_typed(src, "params", data.get("params", {}), "table"))
    calibration = None
    from migdev.experiments.engine.posterior import (CalibrationNotFound, posterior_means,
                                                     resolve_calibration,
                                                     shipped_calibration_of)

    # without experiment.calibration a config runs its world's shipped calibration (the
    # calibrated model is the model); calibration = "none" runs the uncalibrated defaults
    world_name = params.get("world", FIELDS["world"].default)
    ref = ex.get("calibration", shipped_calibration_of(world_name)
                 if isinstance(world_name, str) else None)
    if ref is not None and _typed(src, "experiment.calibration", ref, "str") != "none":
        try:
            folder = resolve_calibration(ref, base_dir)
        except CalibrationNotFound as e:
            raise ConfigError(f"{src}: experiment.calibration: {e}") from None
        calibration = str(folder.resolve())
        # the posterior's weighted means; the config's own [params] win over them
        calibrated = {k: v for k, v in posterior_means(folder).items() if k not in params}
        params = {**calibrated, **params}
    from_calibration = set(calibrated) if calibration else set()
    draws = False
    if "posterior_draws" in ex:
        draws = _typed(src, "experiment.posterior_draws", ex["posterior_draws"], "bool")
        if draws and not calibration:
            raise ConfigError(f"{src}: experiment.posterior_draws = true needs "
                              f"experiment.calibration (the posterior to draw from)")
    world = params.get("world")
    if isinstance(world, str) and base_dir is not None and not Path(world).is_absolute() \
            and (base_dir / world / "world.toml").is_file():
        params["world"] = str((base_dir / world).resolve())  # relative to the config
    # each value is checked in the config's world (names of countries depend on it)
    shape = {}
    for k in ("world", "n_origins", "n_destinations"):
        if k in params:
            _param_value(src, f"params.{k}", k, params[k], shape)
            shape[k] = params[k]
    for k, v in params.items():
        _param_value(src, f"params.{k}", k, v, shape)
    try:
        base = dataclasses.asdict(make_params(**{**SCENARIOS[scenario], **params}))
    except ParameterError as e:
        raise ConfigError(f"{src}: [params]: {e}") from None
    base = {k: v for k, v in base.items() if k not in ("agreements", "events")}

    events = []
    for i, e in enumerate(_typed(src, "events", data.get("events", []), "list")):
        where = f"events[{i}]"
        _typed(src, where, e, "table")
        _check_keys(src, where, e, EVENT)
        for k in ("step", "param", "value"):
            if k not in e:
                raise ConfigError(f"{src}: missing key '{where}.{k}' (an event needs step, "
                                  f"param and value)")
        _typed(src, f"{where}.step", e["step"], "int", 0, 10_000)
        if e["step"] > steps:  # an event of step s comes with the s-th step of the run
            raise ConfigError(f"{src}: key '{where}.step' = {e['step']} is after the run's last "
                              f"step (experiment.steps = {steps}): it would never apply; give "
                              f"a step from 0 to {steps}, or more steps")
        _typed(src, f"{where}.param", e["param"], "str")
        ev = Event(e["step"], e["param"], e["value"])
        try:
            make_params(**{**base, "events": (ev,)})
        except ParameterError as err:
            raise ConfigError(f"{src}: {where}: {err}") from None
        except (TypeError, OverflowError, RecursionError) as err:
            raise ConfigError(f"{src}: key '{where}.value' = {_short(e['value'])} is invalid "
                              f"({type(err).__name__}) for {e['param']}") from None
        events.append(ev)
    agreements = []
    for i, a in enumerate(_typed(src, "agreements", data.get("agreements", []), "list")):
        where = f"agreements[{i}]"
        _typed(src, where, a, "table")
        _check_keys(src, where, a, AGREEMENT)
        a = dict(a)
        for k in ("origins", "occupations", "destinations"):
            if k in a:
                a[k] = tuple(_typed(src, f"{where}.{k}", a[k], "list"))
        # countries by name (or index)
        try:
            wd = load_world(base["world"])
            if isinstance(a.get("destination"), str):
                a["destination"] = country_index(wd, base["n_origins"], base["n_destinations"],
                                                 a["destination"], "destination",
                                                 f"{where}.destination")
            if "destinations" in a:
                a["destinations"] = tuple(
                    country_index(wd, base["n_origins"], base["n_destinations"], d,
                                  "destination", f"{where}.destinations")
                    if isinstance(d, str) else d for d in a["destinations"])
            if "origins" in a:
                a["origins"] = tuple(
                    country_index(wd, base["n_origins"], base["n_destinations"], o, "origin",
                                  f"{where}.origins") if isinstance(o, str) else o
                    for o in a["origins"])
        except ParameterError as e:
            raise ConfigError(f"{src}: {e}") from None
        if "kind" not in a:
            raise ConfigError(f"{src}: missing key '{where}.kind' (restrictive, circular or "
                              f"multilateral)")
        ag = Agreement(**a)
        try:
            ag.validate(base["n_origins"], base["n_destinations"])
        except ParameterError as e:
            raise ConfigError(f"{src}: {where}: {e}") from None
        except (TypeError, OverflowError, RecursionError) as e:
            raise ConfigError(f"{src}: {where}: invalid value ({type(e).__name__})") from None
        agreements.append(ag)
    if events:
        params["events"] = tuple(events)
    if agreements:
        params["agreements"] = tuple(agreements)
    try:
        make_params(**{**SCENARIOS[scenario], **params})
    except ParameterError as e:
        raise ConfigError(f"{src}: {e}") from None

    d = _typed(src, "design", data.get("design", {}), "table")
    # a design may vary a calibrated parameter (its calibrated value is then the default)
    clash = (set(_typed(src, "design.factors", d.get("factors", {}), "table"))
             & (set(params) - from_calibration))
    if clash:
        raise ConfigError(f"{src}: parameter(s) {sorted(clash)} are both fixed in [params] and "
                          f"varied in [design.factors]; keep each in one place")
    design = _design(src, d, base_dir, {**base, **params}, set(params) - from_calibration)
    if "no_design" in controls and design.kind == "none":
        raise _err(src, "experiment.controls", "no_design",
                   "no_design with a design: it pairs each design point with the experiment "
                   "without what the design varies, and this experiment varies nothing")
    cfg = ExperimentConfig(name=name, scenario=scenario, steps=steps, replicates=reps,
                           master_seed=seed, controls=controls, outputs=outputs, params=params,
                           design=design, max_runs=max_runs, source=src, raw=data,
                           calibration=calibration, posterior_draws=draws,
                           calibrated=tuple(sorted(from_calibration)))
    n_points = design_size(design)
    if n_points is not None:
        check_size(cfg, n_points)
    return cfg


def design_size(d: DesignSpec) -> int | None:
    """Number of design points, computed without building them (None: read from a file)."""
    k = len(d.factors)
    if d.kind == "none":
        return 1
    if d.kind == "grid":
        return math.prod(len(f.values) for f in d.factors)
    if d.kind == "lhs":
        return d.samples
    if d.kind == "sobol":
        return d.samples * (k + 2)
    if d.kind == "morris":
        return d.samples * (k + 1)
    return None


def check_size(cfg: ExperimentConfig, n_points: int) -> None:
    """Refuse an experiment with more runs than ``experiment.max_runs`` before any work."""
    runs = n_points * cfg.replicates * (1 + len(cfg.controls))
    if runs > cfg.max_runs:
        raise ConfigError(
            f"{cfg.source}: the experiment has {runs:,} runs ({n_points:,} design point(s) x "
            f"{cfg.replicates:,} replicate(s) x {1 + len(cfg.controls)} role(s)), above "
            f"experiment.max_runs = {cfg.max_runs:,}; reduce the design, or raise "
            f"experiment.max_runs if you mean it (up to 10,000,000)")


def _design(src, d: dict, base_dir: Path | None, base: dict, fixed: set) -> DesignSpec:
    _check_keys(src, "design", d, DESIGN)
    kind = _typed(src, "design.kind", d.get("kind", "none" if not d else "grid"), "str")
    if kind not in DESIGN_KINDS:
        raise _err(src, "design.kind", kind, "one of " + ", ".join(DESIGN_KINDS))
    samples = _typed(src, "design.samples", d.get("samples", 16), "int", 1, 1_000_000)
    levels = _typed(src, "design.levels", d.get("levels", 4), "int", 2, 100)
    seed = _typed(src, "design.seed", d.get("seed", 0), "int", 0, 2**32 - 1)
    file = d.get("file")
    if kind == "table":
        if file is None:
            raise ConfigError(f"{src}: design.kind = 'table' needs design.file (a CSV with one "
                              f"column per parameter and one row per design point)")
        _typed(src, "design.file", file, "str")
        path = (base_dir / file) if base_dir and not Path(file).is_absolute() else Path(file)
        if not path.is_file():
            raise _err(src, "design.file", file, "a CSV file that exists (relative paths are "
                       "read from the config's folder)")
        file = str(path)
    factors = []
    for fname, spec in _typed(src, "design.factors", d.get("factors", {}), "table").items():
        where = f"design.factors.{fname}"
        _typed(src, where, spec, "table")
        _check_keys(src, where, spec, FACTOR)
        if field_of(fname) is None or fname in RECORDS:
            raise ConfigError(f"{src}: key '{where}' names no model parameter"
                              f"{did_you_mean(fname, set(FIELDS) - set(RECORDS))}; see "
                              f"docs/ODD.md §6 for the list")
        if "values" in spec:
            if "low" in spec or "high" in spec:
                raise ConfigError(f"{src}: {where}: give either values or low/high, not both")
            vals = _typed(src, f"{where}.values", spec["values"], "list")
            if not vals:
                raise _err(src, f"{where}.values", vals, "a non-empty list")
            for v in vals:
                _param_value(src, f"{where}.values", fname, v, base)
            factors.append(Factor(fname, values=tuple(vals)))
        else:
            if "low" not in spec or "high" not in spec:
                raise ConfigError(f"{src}: {where} needs values = [...] or both low and high")
            if field_of(fname).type not in ("int", "float", int, float):
                raise ConfigError(f"{src}: {where}: {fname} is not numeric; give values = [...]")
            lo = _typed(src, f"{where}.low", spec["low"], "num")
            hi = _typed(src, f"{where}.high", spec["high"], "num")
            for k, v in (("low", lo), ("high", hi)):
                if not math.isfinite(v):
                    raise _err(src, f"{where}.{k}", v, "a finite number")
            if not lo < hi:
                raise _err(src, f"{where}.high", hi, f"a number above low = {lo}")
            for v in (lo, hi):
                _param_value(src, where, fname, int(v) if field_of(fname).type in ("int", int)
                             else float(v), base)
            factors.append(Factor(fname, low=float(lo), high=float(hi)))
    if kind == "grid" and any(f.is_range for f in factors):
        bad = next(f.name for f in factors if f.is_range)
        raise ConfigError(f"{src}: design.factors.{bad}: a grid needs values = [...] for every "
                          f"factor (low/high ranges are for lhs, sobol and morris)")
    if kind in ("grid", "lhs", "sobol", "morris") and not factors:
        raise ConfigError(f"{src}: design.kind = '{kind}' needs at least one [design.factors.X]")
    if kind in ("none", "table") and factors:
        raise ConfigError(f"{src}: design.kind = '{kind}' takes no factors")
    return DesignSpec(kind=kind, factors=tuple(factors), samples=samples, levels=levels,
                      seed=seed, file=file, base=tuple(sorted(base.items())),
                      fixed=tuple(sorted(fixed)))


def shipped_configs() -> dict[str, Path]:
    """The configs shipped with migdev, by name (``baseline`` -> its TOML file)."""
    from importlib.resources import files

    folder = Path(str(files("migdev.experiments.configs")))
    return {p.stem: p for p in sorted(folder.glob("*.toml"))}


def resolve(path: str | Path) -> Path:
    """A config file path, or the name of a shipped config (e.g. ``baseline``).

    Raises:
        ConfigError: neither a file nor a shipped config's name (the message lists them).
    """
    p = Path(path)
    if p.is_file():
        return p
    shipped = shipped_configs()
    if p.suffix == "" and p.name == str(path) and str(path) in shipped:
        return shipped[str(path)]
    what = "a folder, not a config file" if p.is_dir() else "no such config file"
    raise ConfigError(f"{path}: {what}; give a TOML file or the name of a shipped config "
                      f"({', '.join(shipped)})")


def load(path: str | Path) -> ExperimentConfig:
    """Read and validate a TOML config file (or a shipped config, by name).

    Raises:
        ConfigError: the file is missing, not TOML, or invalid (the message says where).
    """
    path = resolve(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))  # a BOM is accepted
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: not valid TOML: {e}") from None
    except RecursionError:
        raise ConfigError(f"{path}: nested too deeply to be a config (no key of a migdev "
                          f"config holds nested lists or tables more than two deep)") from None
    try:
        return parse(data, src=str(path), base_dir=path.parent)
    except RecursionError:
        raise ConfigError(f"{path}: a value is nested too deeply (no key of a migdev config "
                          f"holds nested lists or tables more than two deep)") from None


def to_jsonable(x: Any) -> Any:
    """Records and tuples as plain JSON data."""
    if dataclasses.is_dataclass(x):
        return {k: to_jsonable(v) for k, v in dataclasses.asdict(x).items()}
    if isinstance(x, dict):
        return {k: to_jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [to_jsonable(v) for v in x]
    return x
