"""Figures (seaborn), saved as PNG and PDF by the commands that make them."""

from __future__ import annotations

import sys
from contextlib import contextmanager

import matplotlib

if "ipykernel" not in sys.modules:  # files only; in a notebook keep its inline backend
    matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from migdev.core.errors import did_you_mean  # noqa: E402
from migdev.core.measures import WHO_CRITICAL_DENSITY  # noqa: E402
from migdev.experiments.analysis.outcomes import (  # noqa: E402
    COUNTRY_OUTCOMES,
    OUTCOMES,
    compares_kinds,
    outcome_label,
)


def run_figure(df: pd.DataFrame, title: str = "", event_step: int | None = None):
    """Four panels of one run: density, recruits by channel, returns and missions, remittances."""
    sns.set_theme(style="whitegrid", context="paper")
    fig, axes = plt.subplots(2, 2, figsize=(11, 7), constrained_layout=True)
    sns.lineplot(df, x="step", y="health_density", hue="country", ax=axes[0, 0])
    axes[0, 0].axhline(WHO_CRITICAL_DENSITY, color="k", ls="--", lw=0.8, label="WHO 2006 threshold")
    axes[0, 0].set(ylabel="health workers per 10,000 at home", xlabel="quarter")
    ch = df.groupby("step", observed=True)[["recruits_agreement", "recruits_agency_regulated",
                                            "recruits_agency_unregulated",
                                            "recruits_independent"]].sum()
    ch = ch.rolling(4, min_periods=1).mean().reset_index().melt("step", var_name="channel",
                                                                 value_name="recruits")
    ch["channel"] = ch["channel"].str.replace("recruits_", "")
    sns.lineplot(ch, x="step", y="recruits", hue="channel", ax=axes[0, 1])
    axes[0, 1].set(ylabel="recruits per quarter (4-quarter mean)", xlabel="quarter")
    rm = df.groupby("step", observed=True)[["returns", "missions"]].sum()
    rm = rm.rolling(4, min_periods=1).mean().reset_index().melt("step", var_name="flow",
                                                                 value_name="count")
    sns.lineplot(rm, x="step", y="count", hue="flow", ax=axes[1, 0])
    axes[1, 0].set(ylabel="per quarter (4-quarter mean)", xlabel="quarter")
    rem = df.groupby("step", observed=True)[["remittances_formal", "remittances_informal",
                                             "remittance_fees"]].sum().reset_index()
    rem = rem.melt("step", var_name="flow", value_name="kUSD")
    rem["flow"] = rem["flow"].str.replace("remittance_", "").str.replace("remittances_", "")
    sns.lineplot(rem, x="step", y="kUSD", hue="flow", ax=axes[1, 1])
    axes[1, 1].set(ylabel="kUSD per quarter", xlabel="quarter")
    if event_step is not None:
        for ax in axes.flat:
            ax.axvline(event_step, color="grey", lw=0.8, ls=":")
    fig.suptitle(title)
    return fig


#: the headline panels, spillover first, then circulation: (outcome, panel title, kind);
#: kind "diff" = policy run minus its paired control, "level" = a quantity of the policy run
HEADLINE = [
    ("extra_recruits_nonparty", "Spillover: extra health recruits\nfrom non-party origins",
     "diff"),
    ("density_change_nonparty", "Spillover: health density change\nin non-party origins", "diff"),
    ("effective_density_change_nonparty",
     "Spillover: effective health density\nchange in non-party origins", "diff"),
    ("diversion_ratio", "Diversion: non-party recruits gained\nper party recruit lost", "diff"),
    ("returns_change", "Circulation: change in returns\n(all origins)", "diff"),
    ("missions_change", "Circulation: change in diaspora\nmissions (all origins)", "diff"),
    ("knowledge_change", "Circulation: change in knowledge\ntransferred (all origins)", "diff"),
    ("returns_per_emigrant", "Level: returns per emigrant\n(policy run)", "level"),
    ("circulation_capacity", "Level: effective health density\nfrom returnees and missions",
     "level"),
    ("net_effective_density", "Level: effective health density\nvs no-migration control",
     "level"),
    ("public_cost_change", "Cost: change in public spending\n(origins and destinations)",
     "diff"),
    ("worker_years_per_million_usd", "Cost: health-worker years at home\nper million USD",
     "diff"),
    ("net_transfer_change", "Cost: change in net transfer\nto origins", "diff"),
    ("migrant_net_earnings_temporary", "Migrants: income a temporary\nworker keeps "
     "(policy run)", "level"),
    ("migrant_net_earnings_settled", "Migrants: income a settled\nmigrant keeps (policy run)",
     "level"),
]


#: the headline panels of a remittance world (one whose intermediaries set the fees, ODD
#: §7.7b: remit2005): the channel, its cost, the money received and what it builds at home
REMITTANCE_HEADLINE = [
    ("formal_share", "Remittances: formal share\n(policy run)", "level"),
    ("remittance_cost_share", "Remittances: cost share\n(policy run)", "level"),
    ("remittances_received_change", "Remittances: change in\nremittances received", "diff"),
    ("collective_investment", "Collective investment\n(policy run)", "level"),
    ("public_goods_change", "Public goods: change in collective\nmoney to projects", "diff"),
    ("public_cost_change", "Cost: change in public spending\n(origins and destinations)",
     "diff"),
    ("net_transfer_change", "Cost: change in net transfer\nto origins", "diff"),
]


def remittance_world(manifest: dict) -> bool:
    """Whether an experiment's world is a remittance world (its intermediaries set the
    fees, ODD §7.7b): its headline and time series are about remittances."""
    from migdev.core.worlds import WorldError, load_world

    world = manifest.get("resolved", {}).get("params", {}).get("world", "health2005")
    try:
        return bool(load_world(str(world)).intermediaries)
    except (WorldError, OSError):
        return False


def _ylabel(outcome: str, window: tuple[int, int] | None) -> str:
    """The outcome's unit and the window it is taken over, for a y (or x) axis."""

    unit = OUTCOMES[outcome][1] if outcome in OUTCOMES else ""
    if window is None:
        return unit
    a, b = window
    when = (f"quarter {b}" if outcome == "net_human_capital"
            else f"quarters {a}–{b}" if "cumulative" in unit
            else f"mean, quarters {a}–{b}" if unit == "per 10,000 population"
            else f"quarters {a}–{b}")
    return _wrap(f"{unit}; {when}", 34)


#: one colour per agreement kind (and for the control) in every figure of the project
KIND_COLOURS = {"none": "#7f7f7f", "restrictive": "#c44e52", "circular": "#4c72b0",
                "multilateral": "#55a868", "policy": "#8172b3", "paired control": "#4d4d4d"}


def colours(labels) -> list:
    """Fixed colours for known categories (agreement kinds, control); others in order."""
    spare = iter(sns.color_palette("deep", 10)[4:])
    return [KIND_COLOURS.get(str(v)) or next(spare, "#333333") for v in labels]


#: figures kept open for the caller while :func:`collect_figures` is active (else None)
_COLLECTED: list | None = None


@contextmanager
def collect_figures():
    """Keep the figures drawn inside the block open and hand them over (a list of
    matplotlib figures, filled as they are saved): the Python API returns the figures the
    command line writes."""
    global _COLLECTED
    previous, _COLLECTED = _COLLECTED, []
    try:
        yield _COLLECTED
    finally:
        _COLLECTED = previous


def _save(fig, folder, name) -> list[str]:
    from migdev.experiments.engine.store import atomic_write

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    engine = fig.get_layout_engine()
    for ext in ("png", "pdf"):
        p = folder / f"{name}.{ext}"
        atomic_write(p, lambda t, ext=ext: fig.savefig(t, dpi=150, format=ext))
        paths.append(str(p))
        if engine is not None:  # the PDF keeps the layout made for the PNG (not made anew)
            fig.set_layout_engine("none")
    if engine is not None:
        fig.set_layout_engine(engine)
    if _COLLECTED is not None:
        _COLLECTED.append(fig)
    else:
        plt.close(fig)
    return paths


def headline_figure(summary: pd.DataFrame, group: str, title: str,
                    window: tuple[int, int] | None = None, xlabel: str | None = None,
                    note: str = "", control: str = "no-agreement", panels=None):
    """Spillover set against brain circulation (or, ``panels = REMITTANCE_HEADLINE``, the
    remittance outcomes), mean and 95 % CI per group (agreement kind, design point or the
    single policy); each panel says what it is (a difference against the paired control,
    or a level of the policy run), its unit and the window."""
    sns.set_theme(style="whitegrid", context="paper")
    panels = [h for h in (HEADLINE if panels is None else panels)
              if h[0] in set(summary.outcome)]
    # four, five or three columns, whichever leaves the fewest blank slots (in that order
    # on a tie), or one row of them all
    fits = [c for c in (4, 5, 3) if c <= len(panels)] or [max(len(panels), 1)]
    ncol = min(fits, key=lambda c: (-len(panels)) % c)
    nrow = int(np.ceil(len(panels) / ncol))
    order = list(dict.fromkeys(summary[group]))
    width = max(2.9, 0.75 * len(order) + 1.4)
    fig, axes = plt.subplots(nrow, ncol, figsize=(width * ncol, 3.3 * nrow + 0.6),
                             squeeze=False, constrained_layout=True)
    palette = colours(order)
    for ax, (o, t, _kind) in zip(axes.flat, panels):
        d = summary[summary.outcome == o].set_index(group).reindex(order)
        x = np.arange(len(order))
        err = np.vstack([d["mean"] - d["ci_low"], d["ci_high"] - d["mean"]])
        ax.errorbar(x, d["mean"], yerr=np.nan_to_num(err), fmt="none", ecolor="0.3", capsize=4)
        ax.scatter(x, d["mean"], c=palette[: len(order)], s=45, zorder=3)
        ax.axhline(0, color="k", lw=0.6)
        n = d["n"].fillna(0).astype(int).to_numpy()
        und = (d["n_undefined"].fillna(0).astype(int).to_numpy() if "n_undefined" in d
               else np.zeros(len(order), dtype=int))
        ax.set_xticks(x, [f"{_wrap(str(v), 14)}\nn={k}" + (f" ({u} undef.)" if u else "")
                          for v, k, u in zip(order, n, und)],
                      rotation=20 if len(order) > 2 else 0, fontsize=7)
        ax.set_xlim(-0.6, len(order) - 0.4)
        for xi, k, u in zip(x, n, und):
            if k == 0 and u:  # nothing to show: say why
                ax.text(xi, 0, f"undefined\nin all {u}\nreplicates", ha="center",
                        va="bottom", fontsize=7, color="0.3")
        ax.set_title(t, fontsize=9)
        ax.set_ylabel(_ylabel(o, window), fontsize=8)
        ax.set_xlabel(group.replace("_", " ") if xlabel is None else xlabel)
    for ax in list(axes.flat)[len(panels):]:
        ax.axis("off")
    diff = [t.split(":")[0] for o, t, k in panels if k == "diff"]
    kinds = ", ".join(f"'{k}'" for k in dict.fromkeys(diff))
    text = (f"{title}: mean and 95 % CI (t) over n replicates"
            + (f"; {kinds} panels are the policy run minus its paired {control} control at "
               "the same seed" if diff else "")
            + (f", from the agreement's start (quarter {window[0]})"
               if diff and window and window[0] else "")
            + (f"; {note}" if note else ""))
    fig.suptitle(_wrap(text, int(30 * ncol * width / 2.9)), fontsize=9)
    return fig


def paired_control(runs: pd.DataFrame) -> str | None:
    """The role the analysis pairs policy runs with (as ``stats``): the no-agreement
    control, else the no-policy control, else the no-design control, else None."""
    for role in ("no_agreement", "no_policy", "no_design"):
        if runs.role.eq(role).any():
            return role
    return None


def timeseries_figure(root, manifest: dict, runs: pd.DataFrame, country: pd.DataFrame,
                      group: str | None):
    """Non-party origins' health density and health recruits: policy runs against the
    no-agreement control, mean and 95 % bootstrap CI over replicates (4-quarter means)."""
    sns.set_theme(style="whitegrid", context="paper")
    party = set(country.loc[country.party_to_agreement, "country"])
    df = country[~country.country.isin(party)].groupby(["key", "step"], as_index=False)[
        ["health_density", "health_recruits"]].mean()
    df["health_recruits"] = df.groupby("key").health_recruits.transform(
        lambda x: x.rolling(4, min_periods=1).mean())
    pol = runs[runs.role == "policy"]
    labels = pol[group].astype(str) if group else pd.Series("policy", index=pol.index)
    ctrl = runs[runs.role == paired_control(runs)].drop_duplicates("key")
    series = pd.concat([pd.DataFrame({"key": pol.key, "series": labels}),
                        pd.DataFrame({"key": ctrl.key, "series": "paired control"})])
    df = df.merge(series.drop_duplicates(["key", "series"]), on="key")
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), constrained_layout=True)
    for ax, col, lab in ((axes[0], "health_density", "health workers per 10,000 at home"),
                         (axes[1], "health_recruits",
                          "health recruits per quarter (mean per origin)")):
        hues = list(dict.fromkeys(df["series"]))
        sns.lineplot(df, x="step", y=col, hue="series", errorbar=("ci", 95), seed=0, ax=ax,
                     n_boot=200, hue_order=hues, palette=dict(zip(hues, colours(hues))))
        ax.set(xlabel="quarter", ylabel=lab)
        ax.set_title("non-party origins: health recruits (4-quarter moving mean)"
                     if col == "health_recruits" else "non-party origins: health density",
                     fontsize=9)
    axes[0].axhline(WHO_CRITICAL_DENSITY, color="k", ls="--", lw=0.8,
                    label=f"WHO critical shortage ({WHO_CRITICAL_DENSITY:g} per 10,000)")
    control = paired_control(runs).replace("_", "-") + " control"
    for ax in axes:
        ax.legend(title=f"policy runs{' by ' + group.replace('_', ' ') if group else ''}; "
                        f"{control}", fontsize=7, title_fontsize=7)
    factors = [f["name"] for f in manifest["design"]["factors"] if f["name"] != group]
    n = int(pol.replicate.nunique()) if "replicate" in pol else None
    fig.suptitle(_wrap("Non-party origins under the agreement against the paired "
                       f"{control} (same seeds): mean and 95 % bootstrap CI over runs"
                       + (f", {n} replicates per design point" if n else "")
                       + (f"; pooled over {', '.join(f.replace('_', ' ') for f in factors)}"
                          if factors else ""), 120), fontsize=9)
    return fig


def remittance_timeseries_figure(manifest: dict, runs: pd.DataFrame, country: pd.DataFrame,
                                 summary: pd.DataFrame | None, group: str):
    """A remittance world's time series (ODD §7.7b): the formal share of household
    remittances (mean over origins) and the remittances received (sum over origins, real
    kUSD a quarter), policy runs by design setting against the paired control, mean and 95 %
    bootstrap CI over replicates."""
    sns.set_theme(style="whitegrid", context="paper")
    df = country[country.step >= 1].groupby(["key", "step"], as_index=False).agg(
        formal_share=("formal_share", "mean"), remittances_received=("remittances_received",
                                                                     "sum"))
    pol = runs[runs.role == "policy"]
    if summary is not None and group in summary.columns and "point" in pol.columns:
        names = summary[["point", group]].drop_duplicates().set_index("point")[group]
        labels = pol.point.map(names).astype(str)
    else:
        labels = pd.Series("policy", index=pol.index)
    role = paired_control(runs)
    ctrl = runs[runs.role == role].drop_duplicates("key")
    series = pd.concat([pd.DataFrame({"key": pol.key, "series": labels.map(
                            lambda v: _wrap(v, 60))}),
                        pd.DataFrame({"key": ctrl.key, "series": "paired control"})])
    df = df.merge(series.drop_duplicates(["key", "series"]), on="key")
    fig, axes = plt.subplots(1, 2, figsize=(13, 4.6), constrained_layout=True)
    hues = list(dict.fromkeys(df["series"]))
    for ax, col, lab in ((axes[0], "formal_share", "formal share of household remittances "
                          "(share, mean over origins)"),
                         (axes[1], "remittances_received", "remittances received (kUSD per "
                          "quarter, sum over origins)")):
        sns.lineplot(df, x="step", y=col, hue="series", errorbar=("ci", 95), seed=0, ax=ax,
                     n_boot=200, hue_order=hues, palette=dict(zip(hues, colours(hues))))
        ax.set(xlabel="quarter", ylabel=lab)
        ax.legend(title=f"policy runs by design setting; {role.replace('_', '-')} control",
                  fontsize=6, title_fontsize=7)
    n = int(pol.replicate.nunique()) if "replicate" in pol else None
    fig.suptitle(_wrap(f"{manifest['experiment']}: remittances under each setting against the "
                       f"paired {role.replace('_', '-')} control (same seeds): mean and 95 % "
                       "bootstrap CI over runs" + (f", {n} replicates per setting" if n else ""),
                       150), fontsize=9)
    return fig


def levels_figure(manifest: dict, runs: pd.DataFrame, country: pd.DataFrame):
    """For an experiment without a paired no-agreement or no-policy control (a baseline): each
    origin's health density and health emigration rate over time in the policy runs, mean and
    95 % bootstrap CI over replicates, with the no-migration control's density when run."""
    sns.set_theme(style="whitegrid", context="paper")
    pol = runs[runs.role == "policy"]
    d = country[country.key.isin(pol.key)]
    names = list(dict.fromkeys(d.country))
    pal = dict(zip(names, sns.color_palette("colorblind", len(names))))
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.0), constrained_layout=True)
    sns.lineplot(d, x="step", y="health_density", hue="country", hue_order=names, palette=pal,
                 errorbar=("ci", 95), n_boot=200, seed=0, ax=axes[0])
    axes[0].axhline(WHO_CRITICAL_DENSITY, color="k", ls="--", lw=0.8,
                    label=f"WHO critical shortage ({WHO_CRITICAL_DENSITY:g} per 10,000)")
    axes[0].set(xlabel="quarter", ylabel="health workers per 10,000 population at home",
                title="health density by origin")
    sns.lineplot(d, x="step", y="health_emigration_rate", hue="country", hue_order=names,
                 palette=pal, errorbar=("ci", 95), n_boot=200, seed=0, ax=axes[1], legend=False)
    axes[1].set(xlabel="quarter", ylabel="health workers abroad / (abroad + at home)",
                title="health emigration rate by origin")
    axes[0].legend(fontsize=7, ncol=2)
    n = int(pol.replicate.nunique()) if "replicate" in pol else len(pol)
    fig.suptitle(_wrap(f"{manifest['experiment']}: each origin over time in the policy runs "
                       f"(no agreement control to compare with); mean and 95 % bootstrap CI "
                       f"over {n} replicates", 120), fontsize=9)
    return fig


def check_origin(name: str, country: pd.DataFrame) -> None:
    """Raise ValueError unless ``name`` is an origin in the experiment's country table."""
    known = list(dict.fromkeys(country.get("country", [])))
    if name not in known:
        raise ValueError(f"country {name!r} is not an origin of this experiment"
                         f"{did_you_mean(name, known)}; origins: {', '.join(known)}")


def country_figure(name: str, experiment: str, runs: pd.DataFrame, country: pd.DataFrame,
                   corridor: pd.DataFrame, group: str | None):
    """One origin's view of an experiment: its health density, health recruits and returns
    (policy runs against the paired no-agreement or no-policy control, mean and 95 %
    bootstrap CI over replicates), and where its health workers went (and, for a country
    that is also a destination, where its recruits came from), per corridor.

    Raises:
        ValueError: ``name`` is not an origin of the experiment's world.
    """
    check_origin(name, country)
    sns.set_theme(style="whitegrid", context="paper")
    pol = runs[runs.role == "policy"]
    labels = pol[group].astype(str) if group else pd.Series("policy", index=pol.index)
    ctrl = runs[runs.role == paired_control(runs)].drop_duplicates("key")
    control = ("paired control (" + ctrl.role.iloc[0].replace("_", " ") + ")"
               if len(ctrl) else None)
    series = pd.concat([pd.DataFrame({"key": pol.key, "series": labels}),
                        pd.DataFrame({"key": ctrl.key, "series": control})]).drop_duplicates(
        ["key", "series"])
    hues = list(dict.fromkeys(series.series))
    palette = dict(zip(hues, colours([h if h != control else "paired control" for h in hues])))
    per = labels.groupby(labels).size()
    n_text = (f"n = {per.min()} runs per policy series" if per.min() == per.max()
              else f"n = {per.min()}-{per.max()} runs per policy series")
    if group and runs.point.nunique() > runs.drop_duplicates("point")[group].nunique():
        n_text += f", pooling the design points of each {group.replace('_', ' ')}"
    c = country[country.country == name].merge(series, on="key")
    c = c.sort_values(["key", "step"])
    for col in ("health_recruits", "returns"):
        c[col] = c.groupby("key")[col].transform(lambda x: x.rolling(4, min_periods=1).mean())
    is_dest = not corridor.empty and (corridor.destination == name).any()
    ncol = 5 if is_dest else 4
    fig, axes = plt.subplots(1, ncol, figsize=(3.6 * ncol, 3.9), constrained_layout=True)
    for ax, col, lab, title in (
            (axes[0], "health_density", "health workers per 10,000 at home", "health density"),
            (axes[1], "health_recruits", "persons per quarter (4-quarter mean)",
             "health workers leaving"),
            (axes[2], "returns", "persons per quarter (4-quarter mean)", "returns home")):
        sns.lineplot(c, x="step", y=col, hue="series", hue_order=hues, palette=palette,
                     errorbar=("ci", 95), n_boot=200, seed=0, ax=ax)
        ax.set(xlabel="quarter", ylabel=lab, title=f"{name}: {title}")
        ax.legend(fontsize=7, title=None)
    axes[0].axhline(WHO_CRITICAL_DENSITY, color="k", ls="--", lw=0.8)
    axes[0].text(0.01, WHO_CRITICAL_DENSITY, f" WHO 2006 threshold {WHO_CRITICAL_DENSITY:g}",
                 transform=axes[0].get_yaxis_transform(), fontsize=7, va="bottom")
    if not corridor.empty:
        k = corridor.merge(series, on="key")
        for ax, sel, by, title in (
                (axes[3], k.origin == name, "destination", f"{name}'s health workers, by "
                 "destination"),
                *(((axes[4], k.destination == name, "origin",
                    f"recruited into {name}, by origin"),) if is_dest else ())):
            d = k[sel].groupby(["key", "series", by], observed=True,
                               as_index=False).health_recruits.sum()
            sns.barplot(d, x=by, y="health_recruits", hue="series", hue_order=hues,
                        palette=palette, errorbar=("ci", 95), n_boot=200, seed=0, ax=ax)
            ax.set(xlabel="", ylabel="health recruits, whole run (persons)", title=title)
            ax.tick_params(axis="x", rotation=35, labelsize=7)
            ax.legend(fontsize=7, title=None)
    else:
        axes[3].axis("off")
        axes[3].text(0.5, 0.5, "no corridor table kept\n(outputs lacks 'corridor')",
                     ha="center", va="center")
    fig.suptitle(f"{experiment}: {name}, policy runs against the paired control at the same "
                 f"seeds (mean and 95 % CI; {n_text}; simulated persons)",
                 fontsize=10)
    return fig


def sensitivity_figure(sens: pd.DataFrame, kind: str, title: str = ""):
    """Sobol total-order (and first-order) indices or Morris mu* per factor, one panel per
    outcome, with their 95 % bootstrap intervals."""

    sns.set_theme(style="whitegrid", context="paper")
    y, conf = ("ST", "ST_conf") if kind == "sobol" else ("mu_star", "mu_star_conf")
    outs = list(dict.fromkeys(sens.outcome))
    ncol = min(3, len(outs))
    nrow = int(np.ceil(len(outs) / ncol))
    fig, axes = plt.subplots(nrow, ncol, figsize=(4.4 * ncol, 3.4 * nrow + 0.5),
                             squeeze=False, constrained_layout=True)
    for ax, o in zip(axes.flat, outs):
        d = sens[sens.outcome == o].sort_values(y, ascending=False)
        x = np.arange(len(d))
        ax.bar(x, d[y], color="#4c72b0", label="total order (ST)" if kind == "sobol" else None)
        ax.errorbar(x, d[y], yerr=d[conf].fillna(0), fmt="none", ecolor="0.2", capsize=2)
        if kind == "sobol":
            ax.scatter(x, d["S1"], color="#dd8452", zorder=3, s=14, label="first order (S1)")
            ax.legend(fontsize=6)
        ax.set_xticks(x, [f.replace("_", " ") for f in d.factor], rotation=35, ha="right",
                      fontsize=7)
        ax.set_title(_wrap(outcome_label(o), 40), fontsize=8)
        ax.set_ylabel("Sobol index (share of variance)" if kind == "sobol"
                      else "Morris mu* (outcome's unit)", fontsize=8)
    for ax in list(axes.flat)[len(outs):]:
        ax.axis("off")
    what = ("Sobol indices (SALib), bars: total order, dots: first order" if kind == "sobol"
            else "Morris screening (SALib): mu*, the mean absolute elementary effect")
    fig.suptitle(_wrap(f"{title}: {what}; error bars: 95 % bootstrap intervals; each design "
                       "point is the mean of its replicates", 40 * ncol), fontsize=9)
    return fig


def lever_figure(by_point: pd.DataFrame, factors: list[str], title: str,
                 window: tuple[int, int] | None, replicates: int):
    """Outcomes against each lever a many-point design varies: one dot per design point
    (the mean of its replicates), coloured by agreement kind when the design varies it, with
    the mean over quintile bins of the lever as a line."""
    from migdev.model.params import FIELDS

    sns.set_theme(style="whitegrid", context="paper")
    outs = [o for o in ("extra_recruits_nonparty", "density_change_nonparty",
                        "returns_change", "net_effective_density") if o in set(by_point.outcome)]
    if not outs:  # no paired control: the policy run's own outcomes
        outs = [o for o in OUTCOMES if o in set(by_point.outcome)][:4]
    wide = by_point.pivot_table(index="point", columns="outcome", values="mean")
    meta = by_point.drop_duplicates("point").set_index("point")
    hue = "agreement_kind" if "agreement_kind" in meta.columns else None
    fig, axes = plt.subplots(len(outs), len(factors), figsize=(2.9 * len(factors) + 0.4,
                                                              2.5 * len(outs) + 0.7),
                             squeeze=False, constrained_layout=True)
    kinds = list(dict.fromkeys(meta[hue])) if hue else []
    for i, o in enumerate(outs):
        for j, f in enumerate(factors):
            ax = axes[i, j]
            xv = pd.to_numeric(meta[f], errors="coerce").reindex(wide.index)
            yv = wide[o]
            if hue:
                for k, c in zip(kinds, colours(kinds)):
                    sel = meta[hue].reindex(wide.index) == k
                    ax.scatter(xv[sel], yv[sel], s=9, color=c, alpha=0.7,
                               label=k if (i, j) == (0, 0) else None)
            else:
                ax.scatter(xv, yv, s=9, color="#4c72b0", alpha=0.7)
            ok = xv.notna() & yv.notna()
            if ok.sum() >= 10:
                bins = pd.qcut(xv[ok], 5, duplicates="drop")
                m = pd.DataFrame({"x": xv[ok], "y": yv[ok], "b": bins}).groupby(
                    "b", observed=True).mean()
                ax.plot(m.x, m.y, color="k", lw=1.2, label="quintile-bin mean"
                        if (i, j) == (0, 0) else None)
            ax.axhline(0, color="0.5", lw=0.5)
            unit = FIELDS[f].metadata.get("unit", "") if f in FIELDS else ""
            ax.set_xlabel(f.replace("_", " ") + (f" [{unit}]" if unit else ""), fontsize=7)
            ax.set_ylabel(_wrap(OUTCOMES[o][0], 26) + "\n" + _ylabel(o, window)
                          if j == 0 else "", fontsize=7)
            ax.tick_params(labelsize=6)
    if hue or len(outs):
        axes[0, 0].legend(fontsize=6, title="agreement kind" if hue else None,
                          title_fontsize=6)
    fig.suptitle(_wrap(f"{title}: outcomes against the levers the design varies; each dot is "
                       f"one of {len(wide)} design points (mean of {replicates} replicates; "
                       "differences are policy minus the paired control at the same seed)",
                       40 * len(factors)), fontsize=9)
    return fig


def countries_figure(by_country: pd.DataFrame, group: str, title: str,
                     window: tuple[int, int] | None, note: str = ""):
    """Per-origin effect of the policy against its paired control: health density change and
    extra health recruits per origin, mean and 95 % CI per group; filled markers are origins
    party to the agreement, open ones non-party."""

    sns.set_theme(style="whitegrid", context="paper")
    names = list(dict.fromkeys(by_country.country))
    groups = list(dict.fromkeys(by_country[group].astype(str)))
    pal = dict(zip(groups, colours(groups)))
    shown = [o for o in COUNTRY_OUTCOMES
             if o in set(by_country.outcome)
             and by_country.loc[by_country.outcome == o, "mean"].notna().any()]
    if not shown:  # every replicate undefined (e.g. a window past the run): empty panels
        shown = [o for o in COUNTRY_OUTCOMES if o in set(by_country.outcome)][:2] or \
            list(COUNTRY_OUTCOMES)[:2]
    nrow = int(np.ceil(len(shown) / 2))
    fig, axes = plt.subplots(nrow, 2, figsize=(11, nrow * (0.45 * len(names)
                                                           * max(1, len(groups) / 2) + 1.5)
                                               + 0.3),
                             constrained_layout=True, sharey=True, squeeze=False)
    axes = list(axes.flat)
    offs = np.linspace(-0.25, 0.25, len(groups)) if len(groups) > 1 else [0.0]
    for k, (ax, o) in enumerate(zip(axes, shown)):
        d = by_country[by_country.outcome == o]
        for g, off in zip(groups, offs):
            dg = d[d[group].astype(str) == g].set_index("country").reindex(names)
            y = np.arange(len(names)) + off
            err = np.vstack([dg["mean"] - dg["ci_low"], dg["ci_high"] - dg["mean"]])
            ax.errorbar(dg["mean"], y, xerr=np.nan_to_num(err), fmt="none", ecolor=pal[g],
                        capsize=2, lw=1)
            party = dg["party"].fillna(False).astype(bool).to_numpy()
            ax.scatter(dg["mean"][party], y[party], color=pal[g], s=30, zorder=3)
            ax.scatter(dg["mean"][~party], y[~party], facecolor="white", edgecolor=pal[g],
                       s=30, zorder=3, label=g)
        ax.axvline(0, color="k", lw=0.6)
        lab, unit, _ = COUNTRY_OUTCOMES[o]
        when = (f"mean, quarters {window[0]}–{window[1]}" if window and "cumulative" not in unit
                else f"quarters {window[0]}–{window[1]}" if window else "")
        ax.set_xlabel(f"{unit}; {when}" if when else unit, fontsize=8)
        against = ("the no-migration control" if o == "effective_density_vs_no_migration"
                   else "paired control")
        ax.set_title(f"{lab}, policy run" if o == "lost_training_investment"
                     else f"{lab}, policy minus {against}", fontsize=9)
        ax.set_yticks(np.arange(len(names)), names, fontsize=8)
        ax.invert_yaxis() if k == 0 else None
    for ax in axes[len(shown):]:
        ax.axis("off")
    n = int(by_country["n"].max()) if len(by_country) else 0
    axes[min(1, len(shown) - 1)].legend(title=f"{group.replace('_', ' ')} (filled: party origin, open: non-party)",
                   fontsize=7, title_fontsize=7, loc="best")
    fig.suptitle(_wrap(f"{title}: each origin's outcome, policy run minus its paired control "
                       "(or, where the panel says so, its no-migration control) at the same "
                       f"seed; mean and 95 % CI (t) over up to {n} replicates"
                       + (f"; {note}" if note else ""), 140), fontsize=9)
    return fig


def _changed(manifest: dict, factors: list):
    """A function of a summary row: the factors whose value differs from the experiment's
    base (its parameters without the design, else the parameter's default)."""
    from migdev.model.params import field_of
    from migdev.core.records import split_local

    params = manifest["resolved"]["params"]

    def base(name):
        if name in params:
            return params[name]
        lever = split_local(name)[0]
        value = params.get(lever)
        return value if value is not None and not isinstance(value, dict) \
            else field_of(name).default

    return lambda row: [f for f in factors if row[f] != base(f)]


def _layout(manifest: dict, res: dict) -> tuple[pd.DataFrame | None, str, str, str]:
    """What the headline figure compares: (summary, group column, x label, note)."""
    factors = [f["name"] for f in manifest["design"]["factors"]]
    n_points = len(manifest["design"]["points"])
    if "by_kind" in res and compares_kinds(manifest):
        others = [f.replace("_", " ") for f in factors if f != "agreement_kind"]
        note = (f"pooled over {', '.join(others)} ({n_points} design points)" if others else "")
        kinds = next(f["values"] for f in manifest["design"]["factors"]
                     if f["name"] == "agreement_kind") or []
        by_kind = res["by_kind"].copy()  # in the design's order, not alphabetical
        by_kind["_o"] = by_kind.agreement_kind.map({k: i for i, k in enumerate(kinds)})
        by_kind = by_kind.sort_values("_o", kind="stable").drop(columns="_o")
        return by_kind, "agreement_kind", "agreement kind", note
    summary = res["by_point"].copy()
    if n_points == 1:
        scen = manifest["config"]["experiment"].get("scenario", manifest["experiment"])
        summary["policy"] = scen.replace("_", " ")
        return summary, "policy", "scenario", ""
    if n_points <= 12:
        def show(v):
            return f"{v:.3g}" if isinstance(v, float) else str(v)

        # against the no-design control, a setting is what it changes from the base
        shown = (_changed(manifest, factors) if "no_design" in manifest["resolved"]["controls"]
                 else lambda r: factors)
        label = {int(r["point"]): ", ".join(f"{f.replace('_', ' ')} = {show(r[f])}"
                                            for f in shown(r)) or "the base"
                 for _, r in summary.drop_duplicates("point").iterrows()}
        if len(set(label.values())) < len(label):  # a design may repeat a setting
            label = {p: f"{v} (point {p})" for p, v in label.items()}
        summary["setting"] = summary.point.astype(int).map(label)
        return summary, "setting", "design setting", ""
    return None, "", "", ""


def _window(paired: pd.DataFrame) -> tuple[int, int] | None:
    if {"window_start", "window_end"} <= set(paired.columns) and len(paired):
        return int(paired.window_start.min()), int(paired.window_end.max())
    return None


def experiment_figures(root, manifest: dict, res: dict, runs: pd.DataFrame,
                       country: pd.DataFrame) -> list[str]:
    """All figures of an analysed experiment, under ``root/figures``: the headline comparison
    (per agreement kind, per design setting or the single policy; for a many-point design
    without agreement kinds, outcomes against the levers instead), outcomes against the
    levers (designs that vary numeric levers over many values), the time series, the
    per-origin view and the sensitivity indices."""
    from pathlib import Path

    root = Path(root)
    folder = root / "figures"
    paths = []
    title = manifest["experiment"]
    window = _window(res["paired"])
    replicates = int(manifest["config"]["experiment"].get("replicates", 1))
    summary, group, xlabel, note = _layout(manifest, res)
    for stale in ("headline", "levers", "countries", "sensitivity", "timeseries"):
        for ext in ("png", "pdf"):  # a figure this design does not draw must not linger
            (folder / f"{stale}.{ext}").unlink(missing_ok=True)
    if summary is not None:
        control = (paired_control(runs) or "no_agreement").replace("_", "-")
        panels = REMITTANCE_HEADLINE if remittance_world(manifest) else None
        paths += _save(headline_figure(summary, group, title, window, xlabel, note, control,
                                       panels), folder, "headline")
    levers = [f["name"] for f in manifest["design"]["factors"]
              if f.get("values") is None or len(f["values"]) > 4]
    if levers and len(manifest["design"]["points"]) > 12:
        if "sensitivity" in res:  # the most influential first
            col = "ST" if "ST" in res["sensitivity"] else "mu_star"
            rank = res["sensitivity"].groupby("factor")[col].mean().sort_values(ascending=False)
            levers = [f for f in rank.index if f in levers] + [f for f in levers
                                                               if f not in rank.index]
        fig = lever_figure(res["by_point"], levers[:6], title, window, replicates)
        paths += _save(fig, folder, "levers" if summary is not None else "headline")
    if paired_control(runs):
        g = "agreement_kind" if "agreement_kind" in runs.columns else None
        fig = (remittance_timeseries_figure(manifest, runs, country, summary, group)
               if remittance_world(manifest) else
               timeseries_figure(root, manifest, runs, country, g))
        paths += _save(fig, folder, "timeseries")
    else:
        paths += _save(levels_figure(manifest, runs, country), folder, "timeseries")
    if "by_country" in res and (summary is not None):
        bc = res["by_country"]
        cg = "agreement_kind" if ("by_kind" in res and compares_kinds(manifest)) else group
        if cg == "agreement_kind":  # the headline's order of kinds
            bc = bc.iloc[np.argsort([list(dict.fromkeys(summary[cg])).index(k)
                                     for k in bc[cg]], kind="stable")]
        if cg not in bc.columns:  # per design point: label the rows as the headline does
            bc = bc.merge(summary[["point", group]].drop_duplicates(), on="point")
        paths += _save(countries_figure(bc, cg, title, window, note), folder, "countries")
    if "sensitivity" in res:
        n_pts = len(manifest["design"]["points"])
        paths += _save(sensitivity_figure(res["sensitivity"], manifest["design"]["kind"],
                                          f"{title} ({n_pts} design points × {replicates} "
                                          "replicates)"), folder, "sensitivity")
    return paths


# ------------------------------------------------------------------ calibration (issue 11)
def calibration_figures(cfg, out) -> list[str]:
    """Posterior marginals, pair plot and posterior predictive against every target, from
    the tables ``migdev calibrate`` wrote in ``out``."""
    post = pd.read_parquet(out / "posterior.parquet")
    predictive = pd.read_csv(out / "posterior_predictive.csv")
    names = [p.name for p in cfg.free]
    n = int(post.shape[0])
    paths = []
    # marginals: weighted histograms over the prior's range
    cols = min(3, len(names))
    rows = -(-len(names) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.2 * rows), squeeze=False)
    for ax, p in zip(axes.flat, cfg.free):
        ax.hist(post[p.name], weights=post.weight, bins=20, range=(p.low, p.high),
                color=sns.color_palette("deep")[0], alpha=0.8, label="posterior")
        ax.axhline(1.0 / 20, color="grey", ls="--", lw=1,
                   label="uniform prior" if p.shape == "uniform" else f"{p.shape} prior range")
        ax.set_xlim(p.low, p.high)
        ax.set_xlabel(f"{p.name} ({_unit(p.name)})")
        ax.set_ylabel("posterior weight per bin")
        ax.legend(fontsize=7)
    for ax in list(axes.flat)[len(names):]:
        ax.set_visible(False)
    fig.suptitle(f"Calibration '{cfg.name}': posterior marginals (ABC-SMC, final generation, "
                 f"n = {n} particles, {len(cfg.targets)} targets)", fontsize=10)
    fig.tight_layout()
    paths += _save(fig, out, "posterior_marginals")
    # pair plot: particles resampled by weight (fixed seed)
    if len(names) >= 2:
        rng = np.random.default_rng(cfg.seed)
        sample = post.iloc[rng.choice(n, size=min(n, 500), p=post.weight.to_numpy())][names]
        g = sns.pairplot(sample.reset_index(drop=True), corner=True, plot_kws={"s": 10,
                         "alpha": 0.5}, diag_kind="hist")
        g.figure.suptitle(f"Calibration '{cfg.name}': posterior pairs ({len(sample)} particles "
                          f"resampled by weight)", fontsize=10)
        g.figure.tight_layout()
        paths += _save(g.figure, out, "posterior_pairs")
    # posterior predictive: observed +- 2 sd against the simulated 5-95 % interval
    k = len(predictive)
    fig, ax = plt.subplots(figsize=(7.5, 0.55 * k + 1.6))
    y = np.arange(k)
    ax.errorbar(predictive.observed, y + 0.12, xerr=2 * predictive.sd, fmt="o", color="black",
                capsize=3, label="observed ± 2 sd (target)")
    ax.errorbar(predictive.simulated_median, y - 0.12,
                xerr=[predictive.simulated_median - predictive.simulated_q05,
                      predictive.simulated_q95 - predictive.simulated_median],
                fmt="s", color=sns.color_palette("deep")[0], capsize=3,
                label="simulated median, 5-95 % of draws")
    ax.set_yticks(y, [f"{r.output} [{r.country}] ({r.year})" for r in predictive.itertuples()],
                  fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("value of the target statistic (its output's unit, docs/EXPERIMENTS.md)")
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.18 - 0.4 / max(k, 1)),
              ncol=2, frameon=False)
    draws = int(predictive.draws.max()) if k else 0
    ax.set_title(f"Calibration '{cfg.name}': posterior predictive check\n({draws} posterior "
                 f"draws, {cfg.n_persons} persons, {cfg.steps} quarters each)", fontsize=10)
    fig.tight_layout()
    paths += _save(fig, out, "posterior_predictive")
    return paths


def _unit(name: str) -> str:
    from migdev.model.params import FIELDS

    f = FIELDS.get(name)
    return (f.metadata["unit"] or "-") if f is not None else "-"


# ------------------------------------------------------------------ validation (issue 11)
def validation_figure(out) -> list[str]:
    """One panel per held-out pattern: the model's statistic in each replicate (dots), the
    pattern's estimate (median over replicates, or the ratio of totals) with its 5-95 %
    range, against the criterion written before the model was run (the shaded band or the
    dashed bound)."""
    table = pd.read_csv(out / "validation.csv")
    reps = pd.read_csv(out / "replicates.csv")
    n = len(table)
    ncol = min(n, 3)
    nrow = -(-n // ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(4.8 * ncol, 4.6 * nrow), squeeze=False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    colours = {"pass": sns.color_palette("deep")[2], "fail": sns.color_palette("deep")[3]}
    for ax, (_, row) in zip(axes.flat, table.iterrows()):
        x = reps.loc[reps.pattern == row.pattern, "value"].dropna().to_numpy()
        jitter = np.random.default_rng(0).uniform(-0.12, 0.12, len(x))
        ax.scatter(jitter, x, s=12, color="grey", alpha=0.7, label="replicates")
        ax.errorbar([0], [row.estimate], yerr=[[row.estimate - row.q05],
                                               [row.q95 - row.estimate]],
                    fmt="o", color=colours[row.result], capsize=4,
                    label=f"{row.estimator}, 5-95 % ({row.result})")
        lo, hi = row.get("band_low"), row.get("band_high")
        lo = None if pd.isna(lo) else float(lo)
        hi = None if pd.isna(hi) else float(hi)
        if lo is not None and hi is not None:
            ax.axhspan(lo, hi, color="grey", alpha=0.15, label="criterion band")
        elif lo is not None or hi is not None:
            ax.axhline(lo if lo is not None else hi, color="black", ls="--", lw=1,
                       label="criterion bound")
        ax.set_xlim(-0.6, 0.6)
        ax.set_xticks([])
        ax.set_title(f"{row.pattern} ({row.years})\n" + _wrap(row.source, 55), fontsize=8)
        ax.set_ylabel(row.get("label") or row.pattern, fontsize=8)
        ax.set_xlabel(_wrap("criterion: " + row.criterion, 55), fontsize=7)
        ax.legend(fontsize=7, loc="best")
    fig.suptitle(f"Held-out validation patterns: the model's statistic over paired replicates "
                 f"(n = {int(table.n.max())} per pattern) against each published pattern's "
                 f"criterion", fontsize=9)
    fig.tight_layout()
    return _save(fig, out, "validation")


def validation_corridor_figure(out) -> list[str]:
    """One panel per destination-side pattern (issue 36): each corridor's published figure
    and the model's, both as a share of the pattern's total over its corridors (signed for
    changes), the model's with its 5-95 % bootstrap interval over replicates. Nothing is
    drawn (and no file written) when no such pattern was run."""
    path = out / "validation_corridors.csv"
    table = pd.read_csv(path) if path.is_file() else pd.DataFrame()
    if table.empty:
        return []
    pats = list(dict.fromkeys(table.pattern))
    ncol = min(len(pats), 3)
    nrow = -(-len(pats) // ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(4.8 * ncol, 4.8 * nrow), squeeze=False)
    for ax in axes.flat[len(pats):]:
        ax.set_visible(False)
    pal = sns.color_palette("deep")
    for ax, name in zip(axes.flat, pats):
        t = table[table.pattern == name].reset_index(drop=True)
        x = np.arange(len(t))
        ax.bar(x - 0.2, t.published_share, 0.4, color=pal[0], label="published")
        err = np.vstack([t.simulated_share - t.simulated_share_q05,
                         t.simulated_share_q95 - t.simulated_share]).clip(min=0)
        ax.bar(x + 0.2, t.simulated_share, 0.4, color=pal[1], yerr=err, capsize=3,
               label="model, 5-95 %")
        ax.axhline(0, color="black", lw=0.6)
        ax.set_xticks(x)
        ax.set_xticklabels(t.corridor, fontsize=6, rotation=30, ha="right")
        ax.set_xlabel("corridor (origin -> destination)", fontsize=7)
        signed = t.unit.str.startswith("change in").any()
        ax.set_ylabel("share of the corridors' total absolute change" if signed
                      else "share of the corridors' total", fontsize=8)
        ax.set_title(f"{name}\n(n = {int(t.replicates.iloc[0])} replicates)", fontsize=8)
        ax.legend(fontsize=7, loc="best")
    fig.suptitle("Held-out corridor patterns: each corridor's (or group's) share of the "
                 "published total against the model's (5-95 % over replicates)", fontsize=9)
    fig.tight_layout()
    return _save(fig, out, "validation_corridors")


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width, break_on_hyphens=False))
