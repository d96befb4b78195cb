"""Figures (seaborn), saved as PNG and PDF by the commands that make them."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

THRESHOLD = 23.0  # WHO 2006 critical shortage, per 10,000


def run_figure(df: pd.DataFrame, title: str = "", event_step: int | None = None):
    """Four panels of one run: density, recruits by channel, returns and missions, remittances."""
    sns.set_theme(style="whitegrid", context="paper")
    fig, axes = plt.subplots(2, 2, figsize=(11, 7), constrained_layout=True)
    sns.lineplot(df, x="step", y="health_density", hue="country", ax=axes[0, 0])
    axes[0, 0].axhline(THRESHOLD, color="k", ls="--", lw=0.8, label="WHO 2006 threshold")
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
