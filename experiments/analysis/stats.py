"""Analysis of a stored experiment: paired differences, confidence intervals, sensitivity.

Outcomes are computed per (design point, replicate) from the policy run and, where the
config asked for them, its controls at the same seed (common random numbers):

* spillover (vs the no-agreement control): extra health recruits from non-party
  origins, change in recruits from party origins, the diversion ratio, and the change in
  non-party health-worker density, over the quarters from the agreement's start;
* brain circulation (policy run): returns and missions per emigrant, knowledge
  transferred, the returnee skill gain; and (vs the no-migration control) net human
  capital at home — positive is a brain gain;
* remittances (policy run): formal share, total cost share, collective investment.

Means get 95 % confidence intervals from the t distribution over replicates. Sobol and
Morris designs also get sensitivity indices (SALib).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from migdev.core.params import FIELDS
from migdev.experiments.engine.store import Store, StoreError, atomic_write, status_line

#: outcome -> (label, unit); the analysis tables and figures use these names
OUTCOMES = {
    "extra_recruits_nonparty": ("extra health recruits from non-party origins", "persons"),
    "recruits_change_party": ("change in health recruits from party origins", "persons"),
    "diversion_ratio": ("diversion ratio (non-party gain per party loss)", "ratio"),
    "density_change_nonparty": ("health density change, non-party origins", "per 10,000"),
    "returns_change": ("change in returns (all origins)", "persons"),
    "missions_change": ("change in diaspora missions", "missions"),
    "knowledge_change": ("change in knowledge transferred", "knowledge units"),
    "returns_per_emigrant": ("returns per emigrant", "ratio"),
    "missions_per_emigrant": ("missions per emigrant", "ratio"),
    "knowledge_transferred": ("knowledge transferred", "knowledge units"),
    "returnee_skill_gain": ("mean returnee skill gain", "h"),
    "net_human_capital": ("net human capital at home vs no migration", "relative change"),
    "formal_share": ("formal share of remittances", "share"),
    "remittance_cost_share": ("remittance cost share", "share"),
    "collective_investment": ("collective investment (contributions + match)", "kUSD"),
}


def _point_params(manifest: dict, point: int) -> dict:
    return {**manifest["resolved"]["params"], **manifest["design"]["points"][point]}


def _start(params: dict) -> int:
    if params.get("agreement_kind", "none") != "none":
        return int(params.get("agreement_start", FIELDS["agreement_start"].default))
    starts = [a["start"] for a in params.get("agreements", [])]
    starts += [e["step"] for e in params.get("events", [])]
    return int(min(starts)) if starts else 0


def run_outcomes(policy: pd.DataFrame, start: int, ctrl: pd.DataFrame | None,
                 nomig: pd.DataFrame | None) -> dict:
    """Outcomes of one replicate of one design point (pure function of the tables)."""
    post = policy[policy.step >= start]
    party = set(policy.loc[policy.party_to_agreement, "country"])
    nonparty = lambda d: d[~d.country.isin(party)]  # noqa: E731
    rec = post.recruits.sum()
    ret = post.returns.sum()
    out = {
        "returns_per_emigrant": ret / rec if rec else np.nan,
        "missions_per_emigrant": post.missions.sum() / rec if rec else np.nan,
        "knowledge_transferred": post.knowledge_transferred.sum(),
        "returnee_skill_gain": ((post.mean_returnee_skill_gain * post.returns).sum() / ret
                                if ret else np.nan),
        "formal_share": post.remittances_formal.sum() / max(
            post.remittances_formal.sum() + post.remittances_informal.sum(), 1e-12),
        "remittance_cost_share": (post.remittance_fees.sum() + post.remittance_losses.sum())
        / max(post.remittances_formal.sum() + post.remittances_informal.sum()
              + post.collective_contributions.sum(), 1e-12),
        "collective_investment": post.collective_contributions.sum() + post.matched_funds.sum(),
    }
    if ctrl is not None:
        cpost = ctrl[ctrl.step >= start]
        extra = nonparty(post).health_recruits.sum() - nonparty(cpost).health_recruits.sum()
        in_party = lambda d: d[d.country.isin(party)]  # noqa: E731
        change = in_party(post).health_recruits.sum() - in_party(cpost).health_recruits.sum()
        dens = (nonparty(post).groupby("step").health_density.mean()
                - nonparty(cpost).groupby("step").health_density.mean()).mean()
        out.update({"returns_change": ret - cpost.returns.sum(),
                    "missions_change": post.missions.sum() - cpost.missions.sum(),
                    "knowledge_change": post.knowledge_transferred.sum()
                    - cpost.knowledge_transferred.sum(),
                    "extra_recruits_nonparty": extra, "recruits_change_party": change,
                    "diversion_ratio": extra / -change if change < 0 else np.nan,
                    "density_change_nonparty": dens})
    if nomig is not None:
        end = policy.step.max()
        hp = policy[policy.step == end].human_capital_home.sum()
        hm = nomig[nomig.step == end].human_capital_home.sum()
        out["net_human_capital"] = hp / hm - 1.0 if hm else np.nan
    return out


def mean_ci(x: pd.Series, level: float = 0.95) -> pd.Series:
    """Mean, standard deviation, n and a t-based confidence interval; replicates where the
    outcome is undefined (NaN, e.g. a diversion ratio with no party origin) are left out of
    them and counted in ``n_undefined``."""
    x = pd.Series(x, dtype=float)
    undefined = int(x.isna().sum())
    x = x.dropna()
    n = len(x)
    m = x.mean() if n else np.nan
    sd = x.std(ddof=1) if n > 1 else np.nan
    half = stats.t.ppf(0.5 + level / 2, n - 1) * sd / np.sqrt(n) if n > 1 else np.nan
    return pd.Series({"mean": m, "sd": sd, "n": n, "n_undefined": undefined,
                      "ci_low": m - half, "ci_high": m + half})


def paired_table(manifest: dict, runs: pd.DataFrame, country: pd.DataFrame) -> pd.DataFrame:
    """One row per (point, replicate) with every outcome and the point's factor values."""
    by_key = {k: g for k, g in country.groupby("key", sort=False)}
    factors = [f["name"] for f in manifest["design"]["factors"]]
    rows = []
    for (point, rep), g in runs.groupby(["point", "replicate"], sort=True):
        role = dict(zip(g.role, g.key))
        pol = by_key.get(role.get("policy"))
        if pol is None:
            continue
        params = _point_params(manifest, int(point))
        ctrl = role.get("no_agreement", role.get("no_policy"))
        out = run_outcomes(pol, _start(params), by_key.get(ctrl),
                           by_key.get(role.get("no_migration")))
        rows.append({"point": int(point), "replicate": int(rep),
                     **{f: params.get(f) for f in factors}, **out})
    return pd.DataFrame(rows)


def summarise(paired: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Mean and 95 % CI of every outcome, grouped by ``by``; long format."""
    outs = [c for c in OUTCOMES if c in paired.columns]
    long = paired.melt(id_vars=by, value_vars=outs, var_name="outcome")
    res = long.groupby(by + ["outcome"], sort=True)["value"].apply(mean_ci).unstack()
    return res.reset_index()


def sensitivity(manifest: dict, paired: pd.DataFrame) -> pd.DataFrame | None:
    """Sobol (first and total order) or Morris (mu*, sigma) indices per outcome."""
    d = manifest["design"]
    if d["kind"] not in ("sobol", "morris"):
        return None
    problem = d["problem"]
    X = np.array(d["X"], dtype=float)
    means = paired.groupby("point").mean(numeric_only=True).reindex(range(len(X)))
    rows = []
    for out in [c for c in OUTCOMES if c in means.columns]:
        Y = means[out].to_numpy(float)
        if not np.isfinite(Y).all() or np.ptp(Y) == 0:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if d["kind"] == "sobol":
                from SALib.analyze import sobol

                si = sobol.analyze(problem, Y, calc_second_order=False, seed=0)
                for i, name in enumerate(problem["names"]):
                    rows.append({"outcome": out, "factor": name, "S1": si["S1"][i],
                                 "S1_conf": si["S1_conf"][i], "ST": si["ST"][i],
                                 "ST_conf": si["ST_conf"][i]})
            else:
                from SALib.analyze import morris

                levels = manifest["config"].get("design", {}).get("levels", 4)
                si = morris.analyze(problem, X, Y, num_levels=levels, seed=0)
                for i, name in enumerate(problem["names"]):
                    rows.append({"outcome": out, "factor": name, "mu_star": si["mu_star"][i],
                                 "mu_star_conf": si["mu_star_conf"][i],
                                 "sigma": si["sigma"][i]})
    return pd.DataFrame(rows)


def _csv(path: Path, df: pd.DataFrame) -> None:
    atomic_write(path, lambda p: df.to_csv(p, index=False))


def analyse(root: str | Path, quiet: bool = False) -> dict:
    """Write analysis tables (analysis/*.csv) and figures (figures/*.png, *.pdf)."""
    root = Path(root)
    store = Store(root)
    manifest = store.manifest()
    if manifest.get("status") not in ("complete", "failures"):
        raise StoreError(f"{status_line(manifest, store)}: its tables would describe part of "
                         f"the design only, so no analysis is made. Run the experiment's "
                         f"command again to finish it first.")
    tables = store.load()  # each table checked against the hash the manifest recorded
    if tables["country"].empty:
        if not quiet:
            print("analysis: no per-step table kept (outputs lacks 'country'); skipped")
        return {}
    (root / "analysis").mkdir(exist_ok=True)
    paired = paired_table(manifest, tables["runs"], tables["country"])
    factors = [f["name"] for f in manifest["design"]["factors"]]
    _csv(root / "analysis" / "paired_runs.csv", paired)
    by_point = summarise(paired, ["point"] + factors)
    _csv(root / "analysis" / "by_point.csv", by_point)
    out = {"paired": paired, "by_point": by_point}
    if "agreement_kind" in factors:
        by_kind = summarise(paired, ["agreement_kind"])
        _csv(root / "analysis" / "by_agreement_kind.csv", by_kind)
        out["by_kind"] = by_kind
    sens = sensitivity(manifest, paired)
    if sens is not None and not sens.empty:
        _csv(root / "analysis" / "sensitivity.csv", sens)
        out["sensitivity"] = sens
    from migdev.experiments.analysis import figures

    out["figures"] = figures.experiment_figures(root, manifest, out, tables["runs"],
                                                tables["country"])
    if not quiet:
        print(f"analysis: {len(paired)} paired replicates; tables in {root / 'analysis'}, "
              f"figures in {root / 'figures'}")
    return out
