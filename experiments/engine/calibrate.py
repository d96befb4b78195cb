"""Calibration of the model to observed figures by ABC-SMC (pyabc), on the project's executors.

A calibration config (TOML) names the world and size, the free parameters with their
priors, and the targets: observed statistics, each with its value, its uncertainty (a
standard deviation), its year and its source. ``migdev calibrate CONFIG`` runs pyabc's
ABC-SMC with the distance

    d(sim, obs) = sqrt( sum_i ((sim_i - obs_i) / sd_i)^2 )

over the targets, stores pyabc's history database (resumable: running the same command
again continues after the last finished generation), then writes the posterior (Parquet),
its summaries and a manifest (the command line then draws the figures). An experiment
config refers to a calibration with
``[experiment] calibration = "NAME_OR_FOLDER"`` (its parameters take the posterior's
weighted means). See docs/CALIBRATION.md.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import math
import sys
import tomllib
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from migdev.core.errors import ParameterError, did_you_mean
from migdev.model.params import FIELDS, READ_AT_START, RECORDS, STRUCTURAL, make_params
from migdev.core.records import split_local
from migdev.experiments.engine.config import MAX_NAME, ConfigError, safe_folder_name
from migdev.experiments.engine.store import atomic_write
from migdev.model.metrics import COL_INDEX, COUNTRY_COLUMNS

__all__ = ["CalibrationConfig", "load_calibration", "run_calibration", "Simulator", "Distance"]

PRIORS = ("uniform", "loguniform", "normal")
TOP = {"calibration", "params", "free", "target"}
CAL_KEYS = {"name", "world", "n_persons", "steps", "population_size", "generations",
            "min_epsilon", "seed", "predictive_draws"}
FREE_KEYS = {"prior", "low", "high", "mean", "sd"}
TARGET_KEYS = {"output", "country", "steps", "value", "sd", "year", "source", "note"}


@dataclass(frozen=True)
class Prior:
    name: str
    shape: str
    low: float
    high: float
    mean: float | None = None
    sd: float | None = None


@dataclass(frozen=True)
class Target:
    output: str
    country: str | None
    steps: tuple[int, int]
    value: float
    sd: float
    year: int
    source: str
    note: str = ""

    @property
    def key(self) -> str:
        where = self.country or "all origins"
        return f"{self.output} [{where}] steps {self.steps[0]}-{self.steps[1]}"


@dataclass(frozen=True)
class CalibrationConfig:
    name: str
    free: tuple[Prior, ...]
    targets: tuple[Target, ...]
    params: dict = field(default_factory=dict)
    n_persons: int = 5000
    steps: int = 40
    population_size: int = 100
    generations: int = 6
    min_epsilon: float = 0.0
    seed: int = 0
    predictive_draws: int = 20
    source: str = "<config>"
    raw: dict = field(default_factory=dict)

    def digest(self) -> str:
        text = json.dumps(self.raw, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def _bad(src, key, value, allowed) -> ConfigError:
    return ConfigError(f"{src}: key '{key}' = {value!r} is invalid: allowed {allowed}")


def _keys(src, where, table, allowed):
    if not isinstance(table, dict):
        raise ConfigError(f"{src}: '{where}' must be a table")
    for k in table:
        if k not in allowed:
            hint = did_you_mean(k, allowed)
            raise ConfigError(f"{src}: unknown key '{where + '.' if where else ''}{k}'"
                              f"{hint}; allowed: {', '.join(sorted(allowed))}")


def _num(src, key, v, lo=-math.inf, hi=math.inf, integer=False):
    ok = isinstance(v, int) if integer else isinstance(v, (int, float))
    if isinstance(v, bool) or not ok or not (lo <= v <= hi) or (not integer and
                                                                 not math.isfinite(v)):
        kind = "an integer" if integer else "a number"
        raise _bad(src, key, v, f"{kind} from {lo} to {hi}")
    return v


def parse_calibration(data: dict, src: str = "<config>") -> CalibrationConfig:
    """Validate a parsed calibration config; a :class:`ConfigError` names what is wrong."""
    _keys(src, "", data, TOP)
    for need in ("calibration", "free", "target"):
        if need not in data:
            raise ConfigError(f"{src}: missing [{need}]" + {
                "calibration": " (it needs at least name = \"...\")",
                "free": " (one table per free parameter: [free.NAME] with prior, low, high)",
                "target": " (one [[target]] per observed figure: output, value, sd, year, "
                          "source)"}[need])
    cal = data["calibration"]
    _keys(src, "calibration", cal, CAL_KEYS)
    name = cal.get("name")
    if not safe_folder_name(name):  # it names the output folder: never '..' or a path
        raise _bad(src, "calibration.name", name, f"a name of 1-{MAX_NAME} printable "
                   f"characters without slashes, not starting with a dot")
    if not isinstance(data.get("params", {}), dict):
        raise _bad(src, "params", data["params"], "a table of fixed parameters, [params]")
    params = dict(data.get("params", {}))
    _keys(src, "params", params, set(FIELDS) | {k for k in params if "[" in k})
    if "world" in cal:
        params["world"] = cal["world"]
    try:
        base = make_params(**params)
    except ParameterError as e:
        raise ConfigError(f"{src}: [params]: {e}") from None
    free = []
    # a free parameter is a model parameter, or one country's value of a local lever
    # ("financial_access[El Salvador]", as in [params])
    local = ({k for k in data["free"] if isinstance(k, str) and split_local(k)[1] is not None}
             if isinstance(data["free"], dict) else set())
    _keys(src, "free", data["free"], set(FIELDS) | local)
    for pname, spec in data["free"].items():
        where = f"free.{pname}"
        _keys(src, where, spec, FREE_KEYS)
        base_name, key = split_local(pname)
        if base_name not in FIELDS:
            raise _bad(src, f"free.{pname}", pname, "a model parameter, or a local lever's "
                       "value for one country written lever[Country]"
                       + did_you_mean(base_name, FIELDS))
        f = FIELDS[base_name]
        if (base_name in STRUCTURAL or base_name in RECORDS or base_name in READ_AT_START
                or f.type not in ("float", float)):
            raise ConfigError(f"{src}: [{where}]: {pname} cannot be calibrated: a free "
                              f"parameter must be a real-valued model parameter (not "
                              f"structural, an agreement's or a switch)")
        if key is not None:
            try:
                make_params(**params, **{pname: f.default})
            except ParameterError as e:
                raise ConfigError(f"{src}: [{where}]: {e}") from None
        if pname in params:
            raise ConfigError(f"{src}: {pname} is both fixed in [params] and free in [free]: "
                              f"remove one")
        lo_d, hi_d = f.metadata["lo"], f.metadata["hi"]
        shape = spec.get("prior", "uniform")
        if shape not in PRIORS:
            raise _bad(src, f"{where}.prior", shape, "one of " + ", ".join(PRIORS))
        low = _num(src, f"{where}.low", spec.get("low", lo_d), lo_d, hi_d)
        high = _num(src, f"{where}.high", spec.get("high", hi_d), lo_d, hi_d)
        if not low < high:
            raise ConfigError(f"{src}: [{where}]: low = {low} must be below high = {high}")
        if shape == "loguniform" and low <= 0:
            raise _bad(src, f"{where}.low", low, "a positive number for a loguniform prior")
        mean = sd = None
        if shape == "normal":
            if "mean" not in spec or "sd" not in spec:
                raise ConfigError(f"{src}: [{where}]: a normal prior needs mean and sd (it "
                                  f"is truncated to low-high)")
            mean = _num(src, f"{where}.mean", spec["mean"], low, high)
            sd = _num(src, f"{where}.sd", spec["sd"], 1e-12)
        free.append(Prior(pname, shape, float(low), float(high), mean, sd))
    if not free:
        raise ConfigError(f"{src}: [free] is empty: name at least one parameter to calibrate")

    n_persons = _num(src, "calibration.n_persons", cal.get("n_persons", 5000), 200, 5_000_000,
                     True)
    steps = _num(src, "calibration.steps", cal.get("steps", 40), 1, 10_000, True)
    origins = base_origin_names(base)
    targets = []
    tl = data["target"]
    if not isinstance(tl, list) or not tl:
        raise ConfigError(f"{src}: 'target' must be one or more [[target]] tables")
    for i, t in enumerate(tl):
        where = f"target[{i}]"
        _keys(src, where, t, TARGET_KEYS)
        for k in ("output", "value", "sd", "year", "source"):
            if k not in t:
                raise ConfigError(f"{src}: missing key '{where}.{k}' (a target needs output, "
                                  f"value, sd, year and source: an observed figure with its "
                                  f"uncertainty and where it was published)")
        if not isinstance(t["output"], str) or t["output"] not in COUNTRY_COLUMNS:
            raise _bad(src, f"{where}.output", t["output"],
                       "a per-country output" + (did_you_mean(t["output"], COUNTRY_COLUMNS)
                                                 if isinstance(t["output"], str) else "")
                       + " (docs/EXPERIMENTS.md lists them)")
        country = t.get("country")
        if country is not None and (not isinstance(country, str) or country not in origins):
            raise _bad(src, f"{where}.country", country,
                       "an origin of the world: " + ", ".join(origins))
        st = t.get("steps", [steps, steps])
        if (not isinstance(st, list) or len(st) != 2
                or not all(isinstance(x, int) and not isinstance(x, bool) for x in st)
                or not 0 <= st[0] <= st[1] <= steps):
            raise _bad(src, f"{where}.steps", st, f"[first, last] with 0 <= first <= last <= "
                       f"{steps} (the mean over those steps is compared)")
        if not isinstance(t["source"], str) or len(t["source"].strip()) < 5:
            raise _bad(src, f"{where}.source", t["source"], "the publication the figure is from")
        targets.append(Target(
            t["output"], country, (st[0], st[1]), float(_num(src, f"{where}.value", t["value"])),
            float(_num(src, f"{where}.sd", t["sd"], 1e-12)),
            _num(src, f"{where}.year", t["year"], 1900, 2100, True), t["source"],
            str(t.get("note", ""))))
    keys = [t.key for t in targets]
    if len(set(keys)) != len(keys):
        raise ConfigError(f"{src}: two targets compare the same output, country and steps")
    return CalibrationConfig(
        name=name, free=tuple(free), targets=tuple(targets),
        params=dict(params), n_persons=n_persons, steps=steps,
        population_size=_num(src, "calibration.population_size",
                             cal.get("population_size", 100), 10, 100_000, True),
        generations=_num(src, "calibration.generations", cal.get("generations", 6), 1, 1000,
                         True),
        min_epsilon=float(_num(src, "calibration.min_epsilon", cal.get("min_epsilon", 0.0), 0)),
        seed=_num(src, "calibration.seed", cal.get("seed", 0), 0, 2**32 - 1, True),
        predictive_draws=_num(src, "calibration.predictive_draws",
                              cal.get("predictive_draws", 20), 0, 10_000, True),
        source=src, raw=data)


def base_origin_names(p) -> list[str]:
    from migdev.core.worlds import load_world, origin_names

    return list(origin_names(load_world(p.world), p.n_origins))


def load_calibration(path: str | Path) -> CalibrationConfig:
    p = Path(path)
    if p.is_dir():
        raise ConfigError(f"{p}: is a folder; give a calibration config file (TOML)")
    if not p.is_file():
        raise ConfigError(f"{p}: no such calibration config file")
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8-sig"))  # a BOM is accepted
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(f"{p}: not valid TOML ({e})") from None
    except RecursionError:
        raise ConfigError(f"{p}: nested too deeply to be a calibration config (no key holds "
                          f"tables or lists more than two deep)") from None
    try:
        return parse_calibration(data, str(p))
    except RecursionError:
        raise ConfigError(f"{p}: a value is nested too deeply (no key of a calibration config "
                          f"holds tables or lists more than two deep)") from None


# ------------------------------------------------------------------ model and distance
class Simulator:
    """pyabc's model: parameters -> the targets' simulated statistics (picklable)."""

    def __init__(self, cfg: CalibrationConfig):
        self.params = dict(cfg.params)
        self.n_persons, self.steps, self.seed = cfg.n_persons, cfg.steps, cfg.seed
        self.targets = cfg.targets

    def seed_for(self, theta: dict) -> int:
        """The run's seed, from the parameter values and the calibration's seed: the same
        parameters always give the same simulation."""
        text = repr(sorted((k, float(v)) for k, v in theta.items())) + f"/{self.seed}"
        return zlib.crc32(text.encode())

    def __call__(self, theta, seed: int | None = None) -> dict:
        from migdev.model.model import MigrationModel

        theta = {k: float(v) for k, v in dict(theta).items()}
        # a calibration starts from the uncalibrated defaults, never from another posterior
        m = MigrationModel(rng=self.seed_for(theta) if seed is None else seed,
                           calibration=None, n_persons=self.n_persons, **self.params, **theta)
        m.run_for(self.steps)
        if all(t.output in COL_INDEX for t in self.targets):
            return model_statistics(m, self.targets)
        return statistics(m.country_frame(), self.targets)


def model_statistics(model, targets) -> dict:
    """:func:`statistics` of ``model``'s country table, read from the rows the model stores
    each step without building the table: the same numbers bit for bit, in a fraction of
    the time (``python -m migdev.benchmarks`` prints both). Every target's output must be
    one of the table's numeric columns (``metrics.COL_INDEX``)."""
    data = np.stack(model.country_rows)  # (steps, origins, columns): the rows in order
    names = list(model.world.origin_names)
    out = {}
    for t in targets:
        x = data[t.steps[0]:t.steps[1] + 1, :, COL_INDEX[t.output]]
        if t.country is not None:
            x = x[:, names.index(t.country)] if t.country in names else x[:, :0]
        v = float(_mean_skipping_nan(np.ascontiguousarray(x).reshape(-1)))
        out[t.key] = v if math.isfinite(v) else 1e12
    return out


def _mean_skipping_nan(x: np.ndarray) -> float:
    """pandas's ``Series.mean()`` of float64 values (NaN skipped): their sum with NaN read
    as 0, in order, over the count of the others; NaN when none is left."""
    if x.size == 0:
        return math.nan
    mask = np.isnan(x)
    if mask.any():
        x = np.where(mask, 0.0, x)
    count = np.float64(x.size - mask.sum())
    return x.sum(dtype=np.float64) / count if count > 0 else math.nan


def statistics(df: pd.DataFrame, targets) -> dict:
    """Each target's simulated statistic: the mean of its output over its steps (and over
    origins unless it names one)."""
    out = {}
    for t in targets:
        sel = df[(df.step >= t.steps[0]) & (df.step <= t.steps[1])]
        if t.country is not None:
            sel = sel[sel.country == t.country]
        v = float(sel[t.output].mean())
        out[t.key] = v if math.isfinite(v) else 1e12
    return out


class Distance:
    """sqrt(sum(((sim - obs) / sd)^2)) over the targets (picklable)."""

    def __init__(self, targets):
        self.sd = {t.key: t.sd for t in targets}

    def __call__(self, x: dict, x0: dict) -> float:
        return math.sqrt(sum(((x[k] - x0[k]) / s) ** 2 for k, s in self.sd.items()))


def prior_of(cfg: CalibrationConfig):
    import pyabc

    rvs = {}
    for p in cfg.free:
        if p.shape == "uniform":
            rvs[p.name] = pyabc.RV("uniform", p.low, p.high - p.low)
        elif p.shape == "loguniform":
            rvs[p.name] = pyabc.RV("loguniform", p.low, p.high)
        else:
            a, b = (p.low - p.mean) / p.sd, (p.high - p.mean) / p.sd
            rvs[p.name] = pyabc.RV("truncnorm", a, b, p.mean, p.sd)
    return pyabc.Distribution(**rvs)


# ------------------------------------------------------------------ running
def run_calibration(cfg: CalibrationConfig, out: Path, executor=None, quiet: bool = False,
                    max_jobs: int = 2, executor_info: dict | None = None,
                    batch_size: int = 1) -> Path:
    """Run (or resume) the calibration into ``out`` and write its tables and manifest (the
    figures: :func:`migdev.experiments.analysis.figures.calibration_figures`).

    ``executor`` is a concurrent.futures executor from
    :func:`migdev.experiments.engine.executors.make_executor` (process pool or Dask); None
    runs in this process. ``batch_size``: simulations per task (through Dask, several
    small ones: :func:`migdev.experiments.engine.specs.runs_per_task`).
    """
    import pyabc

    out.mkdir(parents=True, exist_ok=True)
    db = out / "history.db"
    stamp = out / "calibration.json"
    old = {}
    if stamp.is_file():
        old = json.loads(stamp.read_text())
        if old.get("config_digest") != cfg.digest():
            raise ConfigError(
                f"{out} holds another calibration ({old.get('source')}, digest "
                f"{old.get('config_digest')}); give another --out or remove the folder")
    elif db.exists():
        raise ConfigError(f"{out} holds a history database without its calibration.json: "
                          f"remove the folder or give another --out")
    record = {"name": cfg.name, "source": cfg.source, "config_digest": cfg.digest(),
              "resumed_after": list(old.get("resumed_after", []))}
    atomic_write(stamp, lambda p: p.write_text(json.dumps(record, indent=2)))

    log = logging.getLogger("ABC")
    log.setLevel(logging.WARNING if quiet else logging.INFO)
    if not quiet and not log.handlers:
        h = logging.StreamHandler(sys.stderr)
        h.setFormatter(logging.Formatter("calibrate: %(message)s"))
        log.addHandler(h)
        log.propagate = False
    for noisy in ("ABC.History", "ABC.Population", "ABC.Adaptation", "ABC.Sampler",
                  "ABC.Epsilon", "ABC.Distance", "ABC.Transition", "ABC.Predictor"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    if executor is None:
        sampler = pyabc.sampler.SingleCoreSampler()
    else:
        sampler = pyabc.sampler.ConcurrentFutureSampler(cfuture_executor=executor,
                                                        client_max_jobs=max_jobs,
                                                        batch_size=batch_size)
    np.random.seed(cfg.seed)
    abc = pyabc.ABCSMC(Simulator(cfg), prior_of(cfg), Distance(cfg.targets),
                       population_size=cfg.population_size, sampler=sampler)
    observed = {t.key: t.value for t in cfg.targets}
    url = "sqlite:///" + str(db.resolve())
    # generations stored by an earlier, interrupted invocation (pyabc commits each one whole)
    max_t = pyabc.History(url).max_t if db.exists() else None
    done = 0 if max_t is None else max(0, max_t + 1)
    if done:
        abc.load(url, 1)
    else:  # nothing finished: start afresh
        db.unlink(missing_ok=True)
        abc.new(url, observed)
    remaining = cfg.generations - done
    if remaining > 0:
        if done:
            # the sampler's random state is not stored with a generation, so the generations
            # after a resume differ from an uninterrupted run's: the manifest says where
            record["resumed_after"].append(done)
            atomic_write(stamp, lambda p: p.write_text(json.dumps(record, indent=2)))
        if done and not quiet:
            print(f"calibrate: resuming after generation {done} of {cfg.generations}",
                  file=sys.stderr)
        abc.run(max_nr_populations=remaining, minimum_epsilon=cfg.min_epsilon)
    elif not quiet:
        print(f"calibrate: all {cfg.generations} generations done; writing outputs",
              file=sys.stderr)
    return write_outputs(cfg, out, executor_info or {"kind": "inprocess"})


def _resumed_after(out: Path) -> list[int]:
    stamp = out / "calibration.json"
    return list(json.loads(stamp.read_text()).get("resumed_after", [])) if stamp.is_file() \
        else []


def posterior_frame(out: Path) -> pd.DataFrame:
    import pyabc

    h = pyabc.History("sqlite:///" + str((out / "history.db").resolve()))
    df, w = h.get_distribution(t=h.max_t)
    df = df.reset_index(drop=True)
    df["weight"] = np.asarray(w) / np.sum(w)
    df["generation"] = h.max_t
    return df


def write_outputs(cfg: CalibrationConfig, out: Path, executor_info: dict) -> Path:
    import pyabc

    from migdev.experiments.engine.sweep import provenance

    post = posterior_frame(out)
    names = [p.name for p in cfg.free]
    atomic_write(out / "posterior.parquet", lambda p: post[names + ["weight", "generation"]]
                  .to_parquet(p, index=False))
    h = pyabc.History("sqlite:///" + str((out / "history.db").resolve()))
    pops = h.get_all_populations()
    gens = pops[pops.t >= 0][["t", "epsilon", "samples"]].rename(
        columns={"t": "generation", "samples": "simulations"})
    summary = []
    for p in cfg.free:
        x, w = post[p.name].to_numpy(), post.weight.to_numpy()
        order = np.argsort(x)
        cw = np.cumsum(w[order])
        q = lambda a: float(x[order][np.searchsorted(cw, a * cw[-1])])  # noqa: E731
        summary.append({"parameter": p.name, "prior": p.shape, "low": p.low, "high": p.high,
                        "mean": float(np.sum(w * x)), "q05": q(0.05), "median": q(0.5),
                        "q95": q(0.95), **derived_from(cfg)})
    summary = pd.DataFrame(summary)
    predictive = posterior_predictive(cfg, post)
    atomic_write(out / "posterior_summary.csv",
                 lambda p: summary.to_csv(p, index=False, float_format="%.6g"))
    atomic_write(out / "posterior_predictive.csv",
                 lambda p: predictive.to_csv(p, index=False, float_format="%.6g"))
    manifest = {
        "kind": "calibration", "name": cfg.name, "source": cfg.source,
        "config": cfg.raw, "config_digest": cfg.digest(),
        "method": "ABC-SMC (pyabc), distance sqrt(sum(((sim - obs) / sd)^2)) over targets",
        "pyabc": pyabc.__version__, "executor": executor_info,
        "generations": gens.to_dict(orient="records"),
        "simulations": int(gens.simulations.sum()),
        "posterior": summary.to_dict(orient="records"),
        "targets": [dataclasses.asdict(t) | {"key": t.key} for t in cfg.targets],
        "rerun": f"migdev calibrate {cfg.source} --out {out}",
        # generations after which an interrupted run was resumed: from the next one on, the
        # posterior differs from an uninterrupted run's (the sampler's random state is not
        # stored); empty for a run that was never interrupted
        "resumed_after": _resumed_after(out),
        **provenance(),
    }
    atomic_write(out / "manifest.json", lambda p: p.write_text(
        json.dumps(manifest, indent=2, default=str)))
    return out


def derived_from(cfg: CalibrationConfig) -> dict:
    """Where a calibrated value comes from: the method and config, the published sources of
    its targets (each target's full reference is in posterior_predictive.csv) and the years
    they describe."""
    cites = dict.fromkeys(t.source.split(",")[0].split(" (")[0].strip() for t in cfg.targets)
    years = sorted({t.year for t in cfg.targets})
    return {"source": f"ABC-SMC posterior (migdev calibrate {cfg.source}) fitted to "
                      f"{len(cfg.targets)} targets from {'; '.join(cites)}",
            "year": f"{years[0]}-{years[-1]}" if len(years) > 1 else str(years[0])}


def posterior_predictive(cfg: CalibrationConfig, post: pd.DataFrame) -> pd.DataFrame:
    """Each target: observed value and sd, and the simulated statistic over
    ``predictive_draws`` parameter sets drawn from the posterior by weight, each run with a
    seed of its own (fixed by the calibration's seed)."""
    rng = np.random.default_rng(cfg.seed)
    names = [p.name for p in cfg.free]
    sim = Simulator(cfg)
    rows = []
    if cfg.predictive_draws:
        idx = rng.choice(len(post), size=cfg.predictive_draws, p=post.weight.to_numpy())
        seeds = rng.integers(0, 2**32, size=len(idx))
        for j, seed in zip(idx, seeds):
            rows.append(sim({n: float(post[n].iloc[j]) for n in names}, int(seed)))
    sims = pd.DataFrame(rows)
    out = []
    for t in cfg.targets:
        s = sims[t.key] if len(sims) else pd.Series(dtype=float)
        out.append({"target": t.key, "output": t.output, "country": t.country or "all",
                    "observed": t.value, "sd": t.sd, "year": t.year, "source": t.source,
                    "simulated_median": s.median(), "simulated_q05": s.quantile(0.05),
                    "simulated_q95": s.quantile(0.95), "draws": len(s),
                    "z": (s.median() - t.value) / t.sd if len(s) else float("nan")})
    return pd.DataFrame(out)
