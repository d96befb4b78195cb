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

from migdev.core.codes import PATH_NAMES
from migdev.model.params import FIELDS
from migdev.core.records import split_local
from migdev.experiments.analysis.outcomes import (COUNTRY_OUTCOMES, OUTCOMES, compares_kinds,
                                                  outcome_label)
from migdev.experiments.engine.store import Store, StoreError, atomic_write, status_line

__all__ = ["COUNTRY_OUTCOMES", "OUTCOMES", "outcome_label", "analyse", "country_table",
           "data_dictionary", "mean_ci", "paired_table", "run_outcomes", "sensitivity",
           "summarise"]


def _point_params(manifest: dict, point: int) -> dict:
    return {**manifest["resolved"]["params"], **manifest["design"]["points"][point]}


def _start(params: dict) -> int:
    if params.get("agreement_kind", "none") != "none":
        return int(params.get("agreement_start", FIELDS["agreement_start"].default))
    starts = [a["start"] for a in params.get("agreements", [])]
    starts += [e["step"] for e in params.get("events", [])]
    return int(min(starts)) if starts else 0


def concerned_origins(params: dict) -> set[str]:
    """The countries a design point's own settings name: ``lever[Country]`` (or
    ``lever[Origin>Destination]``, its origin) at a value other than the lever's default."""
    out = set()
    for name, value in params.items():
        base, key = split_local(name)
        if key is None or base not in FIELDS or value == FIELDS[base].default:
            continue
        out.add(key.split(">")[0].strip())
    return out


def _account_outcomes(post: pd.DataFrame, cpost: pd.DataFrame | None,
                      home: set[str]) -> dict:
    """The accounts' outcomes of one replicate over the window (``post``: the policy run's
    rows, ``cpost``: its paired control's, or None; ``home``: the origins the policy
    concerns, whose health workers the per-dollar outcome counts, all when empty): money in
    millions of USD of the base year (the tables' kUSD / 1000), health workers in real
    persons."""
    def public(d):  # both sides' spending on the partnership instruments
        return (d.origin_public_cost.sum() + d.destination_public_cost.sum()) / 1000.0

    def worker_years(d):  # effective health workers at home, summed over quarters / 4
        d = d[d.country.isin(home)] if home else d
        per_q = (d.effective_health_density * d.population / 10_000.0).groupby(d.step).sum()
        return per_q.sum() / 4.0

    out = {"public_cost": public(post),
           "lost_training_investment": (post.training_cost_departed.sum()
                                        - post.training_cost_returned.sum()) / 1000.0}
    avoided = "training_cost_avoided" in post  # the destinations' side; newer stores
    if avoided:
        out["destination_training_avoided"] = post.training_cost_avoided.sum() / 1000.0
    if cpost is not None:
        cost = public(post) - public(cpost)
        years = worker_years(post) - worker_years(cpost)
        out.update({
            "public_cost_change": cost,
            "health_worker_years_change": years,
            "worker_years_per_million_usd": years / cost if cost > 0 else np.nan,
            "net_transfer_change": (post.net_transfer_to_origin.sum()
                                    - cpost.net_transfer_to_origin.sum()) / 1000.0})
        if avoided:
            out["destination_training_avoided_change"] = (
                post.training_cost_avoided.sum() - cpost.training_cost_avoided.sum()) / 1000.0
    return out


def run_outcomes(policy: pd.DataFrame, start: int, ctrl: pd.DataFrame | None,
                 nomig: pd.DataFrame | None, concerned: set[str] = frozenset()) -> dict:
    """Outcomes of one replicate of one design point (pure function of the tables;
    ``concerned``: the origins the point's own settings name, :func:`concerned_origins`)."""
    post = policy[policy.step >= start]
    party = set(policy.loc[policy.party_to_agreement, "country"])
    nonparty = lambda d: d[~d.country.isin(party)]  # noqa: E731
    in_party = lambda d: d[d.country.isin(party)]  # noqa: E731
    first = policy[policy.step == policy.step.min()]

    def per10k(x, rows=first):  # a count per 10,000 represented population of `rows`' origins
        p = rows.population.sum() if "population" in rows else np.nan
        return x * 10_000.0 / p if p else np.nan

    rec = post.recruits.sum()
    ret = post.returns.sum()
    out = {
        "window_start": int(start), "window_end": int(policy.step.max()),
        "returns_per_emigrant": ret / rec if rec else np.nan,
        "missions_per_emigrant": post.missions.sum() / rec if rec else np.nan,
        "knowledge_transferred": per10k(post.knowledge_transferred.sum()),
        "returnee_skill_gain": ((post.mean_returnee_skill_gain * post.returns).sum() / ret
                                if ret else np.nan),
        "formal_share": post.remittances_formal.sum() / max(
            post.remittances_formal.sum() + post.remittances_informal.sum(), 1e-12),
        "remittance_cost_share": (post.remittance_fees.sum() + post.remittance_losses.sum())
        / max(post.remittances_formal.sum() + post.remittances_informal.sum()
              + post.collective_contributions.sum(), 1e-12),
        "collective_investment": per10k(post.collective_contributions.sum()
                                        + post.matched_funds.sum()),
    }
    # effective capacity (ODD §7.10); absent from stores written before it existed
    has_eff = "effective_health_density" in policy
    if "path_circulated" in policy:  # paths (ODD §4.11); absent from older stores
        last = policy[policy.step == policy.step.max()]
        out["circulated_share"] = float(last.path_circulated.mean())
        out["settled_share"] = float(last.path_settled.mean())
    if "substituted_share" in policy:  # rights (ODD §7.1, §7.6); absent from older stores
        for col in ("substituted_share", "fee_paying_share", "mean_recruitment_debt"):
            out[col] = float(post.groupby("step")[col].mean().mean())
    if "returnee_earnings_premium" in policy:  # ODD §7.10; absent from older stores
        last = policy[policy.step == policy.step.max()]
        out["returnee_earnings_premium"] = float(last.returnee_earnings_premium.mean())
    if has_eff:
        out["circulation_capacity"] = (post.effective_density_returnees
                                       + post.effective_density_missions).groupby(
                                           post.step).mean().mean()
    if "net_earnings_temporary" in policy:  # migrants' own quarter (ODD §7.7); newer stores
        for k in ("temporary", "settled"):
            w = post[f"abroad_{k}"]
            for col, name in (("net_earnings", "migrant_net_earnings"),
                              ("quarters_away", "migrant_quarters_away")):
                out[f"{name}_{k}"] = ((post[f"{col}_{k}"] * w).sum() / w.sum() if w.sum() > 0
                                      else np.nan)
    if "lifetime_kept_settled" in policy:  # welfare by path (ODD §7.7); newer stores
        last = policy[policy.step == policy.step.max()]
        for k in PATH_NAMES:
            n = last[f"path_{k}"] * last.ever_emigrated  # the origins' emigrants on the path
            for col, name in (("lifetime_kept", "migrant_lifetime_kept"),
                              ("quarters_abroad", "migrant_quarters_abroad")):
                out[f"{name}_{k}"] = ((last[f"{col}_{k}"] * n).sum() / n.sum() if n.sum() > 0
                                      else np.nan)
    if "collective_to_projects" in policy:  # ODD §7.7; absent from older stores
        # the money that reached the communities' projects, and remittances received
        out["public_goods"] = per10k(post.collective_to_projects.sum())
        out["remittances_received_total"] = post.remittances_received.sum() / 1000.0
    if "origin_public_cost" in policy:  # the accounts (ODD §7.14); absent from older stores
        home = party | (set(concerned) & set(policy.country))
        out.update(_account_outcomes(post, ctrl[ctrl.step >= start] if ctrl is not None
                                     else None, home))
    if ctrl is not None:
        cpost = ctrl[ctrl.step >= start]
        extra = nonparty(post).health_recruits.sum() - nonparty(cpost).health_recruits.sum()
        change = in_party(post).health_recruits.sum() - in_party(cpost).health_recruits.sum()
        dens = (nonparty(post).groupby("step").health_density.mean()
                - nonparty(cpost).groupby("step").health_density.mean()).mean()
        if has_eff:
            out["effective_density_change_all"] = (
                post.groupby("step").effective_health_density.mean()
                - cpost.groupby("step").effective_health_density.mean()).mean()
            out["effective_density_change_nonparty"] = (
                nonparty(post).groupby("step").effective_health_density.mean()
                - nonparty(cpost).groupby("step").effective_health_density.mean()).mean()
        if "collective_to_projects" in policy and "collective_to_projects" in ctrl:
            out["public_goods_change"] = per10k(post.collective_to_projects.sum()
                                                - cpost.collective_to_projects.sum())
            out["remittances_received_change"] = (post.remittances_received.sum()
                                                  - cpost.remittances_received.sum()) / 1000.0
        out.update({"returns_change": per10k(ret - cpost.returns.sum()),
                    "missions_change": per10k(post.missions.sum() - cpost.missions.sum()),
                    "knowledge_change": per10k(post.knowledge_transferred.sum()
                                               - cpost.knowledge_transferred.sum()),
                    "extra_recruits_nonparty": per10k(extra, nonparty(first))
                    if len(nonparty(first)) else np.nan,
                    "recruits_change_party": per10k(change, in_party(first))
                    if len(in_party(first)) else np.nan,
                    "diversion_ratio": extra / -change if change < 0 else np.nan,
                    "density_change_nonparty": dens})
    if nomig is not None:
        end = policy.step.max()
        hp = policy[policy.step == end].human_capital_home.sum()
        hm = nomig[nomig.step == end].human_capital_home.sum()
        out["net_human_capital"] = hp / hm - 1.0 if hm else np.nan
        mpost = nomig[nomig.step >= start]
        if has_eff:
            out["net_effective_density"] = (
                post.groupby("step").effective_health_density.mean()
                - mpost.groupby("step").effective_health_density.mean()).mean()
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


def _replicates(manifest: dict, runs: pd.DataFrame, country: pd.DataFrame):
    """For each (point, replicate) with a policy run: its row head (point, replicate, the
    point's factor values), the point's start step and the country tables of the policy
    run, its paired control (no-agreement, else no-policy, else no-design) and its
    no-migration control (None where not run), and the origins the point's settings name
    (:func:`concerned_origins`)."""
    by_key = {k: g for k, g in country.groupby("key", sort=False)}
    factors = [f["name"] for f in manifest["design"]["factors"]]
    for (point, rep), g in runs.groupby(["point", "replicate"], sort=True):
        role = dict(zip(g.role, g.key))
        pol = by_key.get(role.get("policy"))
        if pol is None:
            continue
        params = _point_params(manifest, int(point))
        head = {"point": int(point), "replicate": int(rep),
                **{f: params.get(f) for f in factors}}
        yield (head, _start(params), pol,
               by_key.get(role.get("no_agreement", role.get("no_policy",
                                                             role.get("no_design")))),
               by_key.get(role.get("no_migration")), concerned_origins(params))


def paired_table(manifest: dict, runs: pd.DataFrame, country: pd.DataFrame) -> pd.DataFrame:
    """One row per (point, replicate) with every outcome and the point's factor values."""
    return pd.DataFrame([{**head, **run_outcomes(pol, start, ctrl, nomig, concerned)}
                         for head, start, pol, ctrl, nomig, concerned in
                         _replicates(manifest, runs, country)])


def country_outcomes(policy: pd.DataFrame, start: int, ctrl: pd.DataFrame,
                     nomig: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each origin's ``COUNTRY_OUTCOMES`` in one replicate (pure function of the tables):
    one row per origin with ``country``, ``party`` and the outcomes (the one against the
    no-migration control NaN when ``nomig`` is None)."""
    p, c = policy[policy.step >= start], ctrl[ctrl.step >= start]
    pp, cc = p.groupby("country", observed=True), c.groupby("country", observed=True)
    first = policy[policy.step == policy.step.min()].set_index("country")
    popn = first["population"] if "population" in first else np.nan
    extra = pp.health_recruits.sum() - cc.health_recruits.sum()
    eff = (pp.effective_health_density.mean() if "effective_health_density" in policy
           else pp.health_density.mean() * np.nan)
    if nomig is not None and "effective_health_density" in nomig:
        mm = nomig[nomig.step >= start].groupby("country", observed=True)
        vs_nomig = eff - mm.effective_health_density.mean()
    else:
        vs_nomig = eff * np.nan
    out = pd.DataFrame({"density_change": pp.health_density.mean() - cc.health_density.mean(),
                        "extra_health_recruits": extra * 10_000.0 / popn,
                        "effective_density_change": eff - (
                            cc.effective_health_density.mean()
                            if "effective_health_density" in ctrl else np.nan),
                        "effective_density_vs_no_migration": vs_nomig,
                        "lost_training_investment": (
                            (pp.training_cost_departed.sum() - pp.training_cost_returned.sum())
                            / 1000.0 if "training_cost_departed" in policy
                            else eff * np.nan)})
    out["party"] = first["party_to_agreement"].astype(bool)
    return out.rename_axis("country").reset_index()[["country", "party", *COUNTRY_OUTCOMES]]


def country_table(manifest: dict, runs: pd.DataFrame, country: pd.DataFrame) -> pd.DataFrame:
    """One row per (point, replicate, origin): the origin's outcomes against the paired
    control (``COUNTRY_OUTCOMES``), whether it is party to the agreement, the point's factors.
    Empty when the experiment has no no-agreement or no-policy control."""
    parts = [country_outcomes(pol, start, ctrl, nomig).assign(**head)
             for head, start, pol, ctrl, nomig, _ in _replicates(manifest, runs, country)
             if ctrl is not None]
    if not parts:
        return pd.DataFrame()
    df = pd.concat(parts, ignore_index=True)
    own = ["country", "party", *COUNTRY_OUTCOMES]
    return df[[c for c in df.columns if c not in own] + own]  # point, replicate, factors first


def summarise(paired: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Mean and 95 % CI of every outcome, grouped by ``by``; long format."""
    outs = [c for c in (*OUTCOMES, *COUNTRY_OUTCOMES) if c in paired.columns]
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


#: columns of the analysis tables that are not outcomes or factors: name -> (meaning, unit)
TABLE_COLUMNS = {
    "point": ("design point (row of the design; its factor values are in the same row)",
              "index"),
    "replicate": ("replicate of the design point (its seed is in the manifest)", "index"),
    "key": ("the run's key in the store (runs.parquet gives its point, replicate, role and "
            "seed)", "text"),
    "window_start": ("first quarter of the window the outcomes are taken over (the "
                     "agreement's start, or the first scheduled event)", "quarter"),
    "window_end": ("last quarter of the window (the run's last quarter)", "quarter"),
    "outcome": ("the outcome summarised in this row (see its own entry)", "name"),
    "mean": ("mean over the group's replicates where the outcome is defined",
             "the outcome's unit"),
    "sd": ("standard deviation over those replicates", "the outcome's unit"),
    "n": ("replicates where the outcome is defined (in the mean)", "count"),
    "n_undefined": ("replicates where the outcome is undefined (left out of the mean)",
                    "count"),
    "ci_low": ("lower end of the 95 % confidence interval of the mean (t, n - 1 d.f.)",
               "the outcome's unit"),
    "ci_high": ("upper end of the 95 % confidence interval of the mean (t, n - 1 d.f.)",
                "the outcome's unit"),
    "country": ("origin country", "name"),
    "party": ("the origin is party to the run's bilateral agreement", "bool"),
    "factor": ("the design factor the indices are of", "name"),
    "S1": ("first-order Sobol index (SALib)", "share of variance"),
    "S1_conf": ("half-width of S1's 95 % bootstrap interval", "share of variance"),
    "ST": ("total-order Sobol index (SALib)", "share of variance"),
    "ST_conf": ("half-width of ST's 95 % bootstrap interval", "share of variance"),
    "mu_star": ("Morris mu*: mean absolute elementary effect (SALib)", "the outcome's unit"),
    "mu_star_conf": ("half-width of mu*'s 95 % bootstrap interval", "the outcome's unit"),
    "sigma": ("Morris sigma: standard deviation of the elementary effects",
              "the outcome's unit"),
}

#: integer-valued columns, written without a decimal point
_INT_COLUMNS = ("point", "replicate", "n", "n_undefined", "window_start", "window_end")


def describe_column(name: str, table: str = "") -> tuple[str, str]:
    """(meaning, unit) of a column of the analysis tables (an outcome, a design factor (a
    model parameter) or a summary column) or of the stored per-step tables (``table``:
    country.parquet or corridor.parquet, their columns as docs/ODD.md §4.11 gives them)."""
    if name in OUTCOMES or name in COUNTRY_OUTCOMES:
        lab, unit, definition = {**OUTCOMES, **COUNTRY_OUTCOMES}[name]
        return f"{lab}: {definition}", unit
    if name in TABLE_COLUMNS:
        return TABLE_COLUMNS[name]
    from migdev.model.metrics import CORRIDOR_COLUMNS, COUNTRY_COLUMNS

    if table in ("country.parquet", "corridor.parquet"):  # the stored per-step tables
        columns = COUNTRY_COLUMNS if table == "country.parquet" else CORRIDOR_COLUMNS
        if name in columns:
            unit, meaning = columns[name]
            return meaning, unit
    if name in FIELDS:
        md = FIELDS[name].metadata
        return f"design factor: {md.get('doc', '')}", md.get("unit", "") or "-"
    return "", ""


def data_dictionary(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per (table, column): meaning and unit, for ``analysis/data_dictionary.csv``."""
    rows = []
    for table, df in tables.items():
        cols = list(df.columns)
        if "outcome" in df.columns:  # long format: describe the outcomes it holds too
            cols += [o for o in dict.fromkeys(df["outcome"]) if o not in cols]
        for c in cols:
            meaning, unit = describe_column(c, table)
            rows.append({"table": table, "column": c, "meaning": meaning, "unit": unit})
    return pd.DataFrame(rows, columns=["table", "column", "meaning", "unit"])


def _csv(path: Path, df: pd.DataFrame) -> None:
    """Write a table for reading: counts as integers, other numbers to 6 significant
    digits (the stored Parquet tables keep full precision)."""
    df = df.copy()
    for c in _INT_COLUMNS:
        if c in df.columns and pd.api.types.is_numeric_dtype(df[c]):
            df[c] = df[c].round().astype("Int64")
    atomic_write(path, lambda p: df.to_csv(p, index=False, float_format="%.6g"))


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
    by_country = country_table(manifest, tables["runs"], tables["country"])
    written = {"paired_runs.csv": paired, "by_point.csv": by_point}
    if "by_kind" in out:
        written["by_agreement_kind.csv"] = out["by_kind"]
    if not by_country.empty:
        group = ["agreement_kind"] if compares_kinds(manifest) else ["point"] + factors
        out["by_country"] = summarise(by_country, group + ["country", "party"])
        _csv(root / "analysis" / "by_country.csv", out["by_country"])
        written["by_country.csv"] = out["by_country"]
    sens = sensitivity(manifest, paired)
    if sens is not None and not sens.empty:
        _csv(root / "analysis" / "sensitivity.csv", sens)
        out["sensitivity"] = sens
        written["sensitivity.csv"] = sens
    # the stored per-step tables too (their columns, with units: money in kUSD of the
    # world's base year)
    for name in ("country", "corridor"):
        if name in tables and not tables[name].empty:
            written[f"{name}.parquet"] = tables[name].head(0)
    _csv(root / "analysis" / "data_dictionary.csv", data_dictionary(written))
    from migdev.experiments.analysis import figures

    out["figures"] = figures.experiment_figures(root, manifest, out, tables["runs"],
                                                tables["country"])
    if not quiet:
        print(f"analysis: {len(paired)} paired replicates; tables in {root / 'analysis'}, "
              f"figures in {root / 'figures'}")
    return out
