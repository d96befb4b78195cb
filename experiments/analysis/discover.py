"""Scenario discovery (issue 11): which combinations of the varied levers lead to an
outcome of interest, by PRIM (the Patient Rule Induction Method, Friedman & Fisher 1999)
as implemented and maintained in the EMA Workbench (Kwakkel 2017).

``migdev discover RESULTS --where EXPR`` reads the paired outcomes of an experiment
(``analysis/paired_runs.csv``, one row per design point and replicate), marks the rows
where ``EXPR`` holds (a pandas expression over the outcome columns, e.g.
``"net_human_capital < 0 and extra_recruits_nonparty > 0"``), and finds boxes over the
design's factors whose rows mostly satisfy it. Of PRIM's peeling trajectory it reports
the box with the largest coverage among those whose density reaches ``threshold``:

    coverage = (cases of interest in the box) / (cases of interest)
    density  = (cases of interest in the box) / (rows in the box)
    mass     = (rows in the box) / (rows)

and, for each restricted limit, its quasi-p-value (Bryant & Lempert 2010): the chance of
the density gained by that restriction arising at random.
"""

from __future__ import annotations

import ast
import json
import operator
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from migdev.experiments.engine.store import atomic_write


class DiscoveryError(ValueError):
    """The results or the expression cannot be used for discovery."""


def load_cases(results: Path) -> tuple[pd.DataFrame, list[str]]:
    """The paired outcomes of an experiment and the names of its design's factors."""
    man_path = results / "manifest.json"
    table = results / "analysis" / "paired_runs.csv"
    if not man_path.is_file():
        raise DiscoveryError(f"{results} is not an experiment's results folder (no "
                             f"manifest.json): give the folder 'migdev sweep' wrote")
    if not table.is_file():
        raise DiscoveryError(f"{table} is missing: run 'migdev plot {results}' first to "
                             f"write the analysis tables")
    man = json.loads(man_path.read_text())
    factors = [f["name"] if isinstance(f, dict) else str(f)
               for f in (man.get("design") or {}).get("factors") or []]
    if not factors:
        raise DiscoveryError(f"{results}: the experiment varies no factor (a single design "
                             f"point); discovery needs a design over levers")
    cases = pd.read_csv(table)
    missing = [f for f in factors if f not in cases.columns]
    if missing:
        raise DiscoveryError(f"{table} lacks the factor column(s) {missing}")
    return cases, factors


def mark(cases: pd.DataFrame, where: str) -> np.ndarray:
    """Boolean per row: where ``where`` holds (rows with an undefined outcome are False).

    ``where`` is read by a small grammar of its own, never run as code: column names,
    numbers and quoted strings, arithmetic (``+ - * /``), comparisons (``< <= > >= == !=``,
    chained), and ``and``/``&``, ``or``/``|``, ``not``/``~`` with parentheses. Anything else
    (attribute access, calls, ``@`` variables, subscripts, lambdas) is refused with a
    message listing the columns.
    """
    cols = ", ".join(c for c in cases.columns if c not in ("point", "replicate"))
    try:
        y = _Condition(cases).value(where)
    except DiscoveryError as e:
        raise DiscoveryError(f"--where {where!r} cannot be evaluated ({e}); write a condition "
                             f"over the columns: {cols}") from None
    y = np.asarray(y)
    if y.dtype != bool or y.shape != (len(cases),):
        what = (f"{y.dtype} values" if y.shape == (len(cases),)
                else "one value, not one per case")
        raise DiscoveryError(f"--where {where!r} is not a condition (it gives {what}): "
                             f"compare an outcome, e.g. 'net_human_capital < 0'")
    return y


class _Condition:
    """The evaluator of ``--where``: walks the expression's syntax tree and computes each
    allowed node with numpy over the columns; any other node is refused."""

    _COMPARE = {ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt,
                ast.GtE: operator.ge, ast.Eq: operator.eq, ast.NotEq: operator.ne}
    _ARITH = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
              ast.Div: operator.truediv}

    def __init__(self, cases: pd.DataFrame):
        self.cases = cases

    def value(self, text: str):
        if len(text) > 2000:
            raise DiscoveryError("longer than 2,000 characters")
        try:
            tree = ast.parse(text.strip(), mode="eval")
        except SyntaxError as e:
            raise DiscoveryError(f"not a valid expression: {e.msg}") from None
        return self._eval(tree.body, depth=0)

    def _bool(self, x):
        x = np.asarray(x)
        if x.dtype != bool:
            raise DiscoveryError("'and', 'or', 'not', '&', '|' and '~' join conditions, "
                                 "not numbers")
        return x

    def _eval(self, node, depth: int):
        if depth > 50:
            raise DiscoveryError("nested too deeply")
        ev = lambda n: self._eval(n, depth + 1)  # noqa: E731
        if isinstance(node, ast.Name):
            if node.id not in self.cases.columns:
                raise DiscoveryError(f"unknown column {node.id!r}")
            return self.cases[node.id].to_numpy()
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str)) \
                and not isinstance(node.value, bool):
            return node.value
        if isinstance(node, ast.BoolOp):
            join = np.logical_and if isinstance(node.op, ast.And) else np.logical_or
            out = self._bool(ev(node.values[0]))
            for v in node.values[1:]:
                out = join(out, self._bool(ev(v)))
            return out
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, (ast.Not, ast.Invert)):
                return np.logical_not(self._bool(ev(node.operand)))
            if isinstance(node.op, (ast.USub, ast.UAdd)):
                x = ev(node.operand)
                if isinstance(x, str):
                    raise DiscoveryError("a sign before a string")
                return -x if isinstance(node.op, ast.USub) else x
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, (ast.BitAnd, ast.BitOr)):
                join = np.logical_and if isinstance(node.op, ast.BitAnd) else np.logical_or
                return join(self._bool(ev(node.left)), self._bool(ev(node.right)))
            if type(node.op) in self._ARITH:
                a, b = ev(node.left), ev(node.right)
                if isinstance(a, str) or isinstance(b, str):
                    raise DiscoveryError("arithmetic on a string")
                with np.errstate(all="ignore"):
                    return self._ARITH[type(node.op)](np.asarray(a, dtype=float),
                                                      np.asarray(b, dtype=float))
        if isinstance(node, ast.Compare):
            out, left = None, ev(node.left)
            for op, right_node in zip(node.ops, node.comparators):
                if type(op) not in self._COMPARE:
                    raise DiscoveryError(f"the comparison {type(op).__name__} is not allowed")
                right = ev(right_node)
                with np.errstate(invalid="ignore"):
                    part = np.asarray(self._COMPARE[type(op)](left, right))
                out = part if out is None else np.logical_and(out, part)
                left = right
            return out
        raise DiscoveryError(f"{type(node).__name__} is not allowed (only column names, "
                             f"numbers, strings, + - * /, comparisons, and/or/not, & | ~)")


def discover(cases: pd.DataFrame, factors: list[str], y: np.ndarray,
             threshold: float = 0.8) -> dict:
    """PRIM over the factors; the chosen box, its statistics and the peeling trajectory."""
    with warnings.catch_warnings():  # it warns that an optional parallel back end is absent
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim

    if y.sum() == 0 or y.all():
        raise DiscoveryError(f"the condition holds in {int(y.sum())} of {len(y)} cases: "
                             f"discovery needs cases where it holds and cases where it does not")
    x = cases[factors].copy()
    for f in factors:
        if x[f].dtype == object or x[f].dtype == bool:
            x[f] = x[f].astype(str).astype("category")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        box = prim.Prim(x, y).find_box()
    traj = box.peeling_trajectory.reset_index(drop=True)
    ok = traj[traj.density >= threshold]
    i = int(ok.coverage.idxmax()) if len(ok) else int(traj.density.idxmax())
    lims, full = box.box_lims[i], box.box_lims[0]
    qp = _quasi_p(x, y, factors, lims, full)
    limits = []
    for f in factors:
        lo, hi = lims[f].iloc[0], lims[f].iloc[1]
        if isinstance(lo, set):
            restricted = lo != full[f].iloc[0]
            limits.append({"factor": f, "kind": "categorical", "values": sorted(lo),
                           "restricted": bool(restricted),
                           "qp_low": qp.get(f, [None, None])[0], "qp_high": None})
        else:
            restricted = (lo > full[f].iloc[0]) or (hi < full[f].iloc[1])
            limits.append({"factor": f, "kind": "numeric", "low": float(lo), "high": float(hi),
                           "restricted": bool(restricted),
                           "qp_low": qp.get(f, [None, None])[0],
                           "qp_high": qp.get(f, [None, None])[1]})
    row = traj.loc[i]
    return {"box": limits, "coverage": float(row.coverage), "density": float(row.density),
            "mass": float(row.mass), "n_in_box": int(row.n), "cases": int(len(y)),
            "cases_of_interest": int(y.sum()), "threshold": threshold,
            "reached_threshold": bool(len(ok)), "trajectory_index": i,
            "trajectory": traj[["coverage", "density", "mass", "n", "res_dim"]]}


def _inside(x: pd.DataFrame, factors, lims) -> np.ndarray:
    keep = np.ones(len(x), dtype=bool)
    for f in factors:
        lo, hi = lims[f].iloc[0], lims[f].iloc[1]
        if isinstance(lo, set):
            keep &= x[f].astype(str).isin(lo).to_numpy()
        else:
            v = x[f].to_numpy(dtype=float)
            keep &= (v >= lo) & (v <= hi)
    return keep


def _quasi_p(x, y, factors, lims, full) -> dict:
    """Quasi-p-value of each restricted limit (Bryant & Lempert 2010): with that one limit
    relaxed to the full range, the binomial chance of finding at least the box's cases of
    interest among its cases. Returns factor -> [qp of the low limit, qp of the high limit]
    (None where the limit is not restricted; a category set has one value)."""
    from scipy.stats import binom

    inside = _inside(x, factors, lims)
    n_box, k_box = int(inside.sum()), int(y[inside].sum())
    out = {}
    for f in factors:
        lo, hi = lims[f].iloc[0], lims[f].iloc[1]
        flo, fhi = full[f].iloc[0], full[f].iloc[1]
        vals = []
        ends = [(0, lo, flo)] if isinstance(lo, set) else [(0, lo, flo), (1, hi, fhi)]
        for j, v, fv in ends:
            if v == fv:
                vals.append(None)
                continue
            relaxed = lims.copy()
            relaxed.loc[relaxed.index[j], f] = fv
            wider = _inside(x, factors, relaxed)
            p = y[wider].mean() if wider.any() else 0.0
            vals.append(float(binom.sf(k_box - 1, n_box, p)))
        out[f] = vals + [None] * (2 - len(vals))
    return out


def write(out: Path, res: dict, where: str, results: Path) -> list[str]:
    """box.csv, trajectory.csv, discovery.json and the trade-off figure."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from migdev.experiments.analysis.figures import _save

    out.mkdir(parents=True, exist_ok=True)
    traj = res["trajectory"]
    atomic_write(out / "box.csv", lambda p: pd.DataFrame(res["box"]).to_csv(p, index=False))
    atomic_write(out / "trajectory.csv", lambda p: traj.to_csv(p, index_label="box",
                                                               float_format="%.4g"))
    meta = {k: v for k, v in res.items() if k != "trajectory"}
    meta.update({"where": where, "results": str(results),
                 "method": "PRIM (ema_workbench.analysis.prim), lenient1 objective, "
                           "peel_alpha 0.05, mass_min 0.05"})
    atomic_write(out / "discovery.json", lambda p: p.write_text(json.dumps(meta, indent=2)))
    fig, ax = plt.subplots(figsize=(6, 4.5))
    sc = ax.scatter(traj.coverage, traj.density, c=traj.res_dim, cmap="viridis", s=18)
    fig.colorbar(sc, ax=ax, label="restricted factors (count)")
    i = res["trajectory_index"]
    ax.scatter([traj.coverage[i]], [traj.density[i]], s=120, facecolors="none",
               edgecolors="red", label=f"chosen box (density ≥ {res['threshold']:g})")
    ax.axhline(res["threshold"], color="grey", ls="--", lw=1)
    ax.set_xlabel("coverage (share of the cases of interest inside the box)")
    ax.set_ylabel("density (share of the box's cases that are of interest)")
    ax.set_title(f"PRIM peeling trajectory: where {where}\n"
                 f"n = {res['cases']} cases (design points × replicates), "
                 f"{res['cases_of_interest']} of interest", fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return _save(fig, out, "discovery_tradeoff")
