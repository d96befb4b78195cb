"""Designs: the points of parameter space an experiment visits.

Grid (every combination), Latin hypercube (scipy.stats.qmc), Sobol and Morris (SALib),
an explicit table (CSV), or a single point. Each returns a :class:`Design` whose
``points`` are dicts of parameter overrides and whose ``X`` is the numeric sample matrix
(categorical factors as their index), as SALib's analysers need it.
"""

from __future__ import annotations

import csv
import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from migdev.core.errors import ParameterError
from migdev.model.params import RECORDS, field_of, make_params
from migdev.experiments.engine.config import ConfigError, DesignSpec, Factor


@dataclass
class Design:
    kind: str
    factors: tuple[Factor, ...]
    points: list[dict]
    X: np.ndarray  # (n_points, n_factors) numeric sample
    problem: dict | None = None  # SALib problem (sobol, morris)

    def frame(self) -> pd.DataFrame:
        df = pd.DataFrame(self.points)
        df.insert(0, "point", np.arange(len(self.points)))
        return df


def _problem(factors) -> dict:
    bounds = [[f.low, f.high] if f.is_range else [0.0, float(len(f.values))] for f in factors]
    return {"num_vars": len(factors), "names": [f.name for f in factors], "bounds": bounds}


def _value(f: Factor, x: float):
    """Map a numeric sample ``x`` to the factor's value (index for categorical factors)."""
    if not f.is_range:
        return f.values[min(int(np.floor(x)), len(f.values) - 1)]
    if field_of(f.name).type in ("int", int):
        return int(np.floor(x + 0.5))
    return float(x)


def _from_unit(factors, u: np.ndarray) -> np.ndarray:
    """Scale unit-cube samples to each factor's bounds (categorical: [0, k))."""
    b = np.array(_problem(factors)["bounds"])
    return b[:, 0] + u * (b[:, 1] - b[:, 0])


def build(spec: DesignSpec, src: str = "<config>") -> Design:
    """The design points of ``spec``.

    Raises:
        ConfigError: a table file with unknown columns or invalid values.
    """
    fs = spec.factors
    if spec.kind == "none":
        return Design("none", (), [{}], np.zeros((1, 0)))
    if spec.kind == "grid":
        combos = list(itertools.product(*[range(len(f.values)) for f in fs]))
        points = [{f.name: f.values[i] for f, i in zip(fs, c)} for c in combos]
        return Design("grid", fs, points, np.array(combos, dtype=float).reshape(len(combos),
                                                                                  len(fs)))
    if spec.kind == "lhs":
        from scipy.stats import qmc

        u = qmc.LatinHypercube(d=len(fs), seed=np.random.default_rng(spec.seed)).random(
            spec.samples)
        X = _from_unit(fs, u)
    elif spec.kind == "sobol":
        from SALib.sample import sobol

        n = spec.samples
        if n & (n - 1):
            raise ConfigError(f"{src}: key 'design.samples' = {n} is invalid for a Sobol design: "
                              f"allowed a power of two (e.g. {1 << (n.bit_length() - 1)} or "
                              f"{1 << n.bit_length()})")
        X = sobol.sample(_problem(fs), n, calc_second_order=False, seed=spec.seed)
    elif spec.kind == "morris":
        from SALib.sample import morris

        X = morris.sample(_problem(fs), spec.samples, num_levels=spec.levels, seed=spec.seed)
    elif spec.kind == "table":
        return _table(spec, src)
    else:  # pragma: no cover - the config validator rejects other kinds
        raise ConfigError(f"{src}: unknown design kind {spec.kind!r}")
    points = [{f.name: _value(f, x) for f, x in zip(fs, row)} for row in X]
    prob = _problem(fs) if spec.kind in ("sobol", "morris") else None
    return Design(spec.kind, fs, points, np.asarray(X, dtype=float), prob)


def _table(spec: DesignSpec, src: str) -> Design:
    where = f"{src}: design.file {spec.file}"
    try:
        with open(spec.file, newline="", encoding="utf-8-sig") as f:  # a BOM is accepted
            lines = list(csv.reader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise ConfigError(f"{where}: cannot read as CSV: {e}") from None
    lines = [row for row in lines if row]
    if not lines:
        raise ConfigError(f"{where}: empty (it needs a header of parameter names and one row "
                          f"per design point)")
    for i, row in enumerate(lines[1:], start=2):
        if len(row) != len(lines[0]):
            raise ConfigError(f"{where}, line {i}: {len(row)} field(s) where the header has "
                              f"{len(lines[0])}; every row needs one value per column")
    try:
        df = pd.read_csv(spec.file, index_col=False, encoding="utf-8-sig")
    except Exception as e:  # pandas raises several kinds for a malformed file
        raise ConfigError(f"{where}: cannot read as CSV: {e}") from None
    if df.empty:
        raise ConfigError(f"{where}: no rows")
    if len(set(lines[0])) != len(lines[0]):
        raise ConfigError(f"{where}: a column name is repeated in the header")
    for col in df.columns:
        if field_of(col) is None or col in RECORDS:
            raise ConfigError(f"{where}: column {col!r} names no model parameter; see "
                              f"docs/ODD.md")
    clash = sorted(set(df.columns) & set(spec.fixed))
    if clash:
        raise ConfigError(f"{where}: column(s) {clash} are also fixed in [params]; keep each "
                          f"parameter in one place")
    points = []
    for i, row in enumerate(df.to_dict("records")):
        clean = {}
        for k, v in row.items():
            t = field_of(k).type
            if t in ("bool", bool) and isinstance(v, str):
                v = {"true": True, "false": False}.get(v.lower(), v)
            if isinstance(v, np.generic):
                v = v.item()
            clean[k] = v
        try:
            make_params(**{**dict(spec.base), **clean})
        except ParameterError as e:
            raise ConfigError(f"{where}, row {i + 1}: {e}") from None
        except (TypeError, OverflowError) as e:
            raise ConfigError(f"{where}, row {i + 1}: invalid value ({type(e).__name__})") \
                from None
        points.append(clean)
    fs = tuple(Factor(c, values=tuple(dict.fromkeys(p[c] for p in points))) for c in df.columns)
    X = np.array([[f.values.index(p[f.name]) for f in fs] for p in points], dtype=float)
    return Design("table", fs, points, X)
