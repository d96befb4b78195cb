"""Per-capita outcomes do not depend on how many persons are simulated, nor on how they are
shared among origins (issues 11 and 36).

Each simulated person of an origin stands for a number of real persons (its weight:
``World.person_weight``), and every split among origins uses represented candidates. So:

* runs of 5,000, 20,000 and 100,000 persons on the default world give the same per-10,000
  outcomes *by origin* and the same split of each destination's health recruits among its
  origins (before the market split vacancies by represented candidates, South Africa's
  recruits per 10,000 were 2.56 at 5,000 persons and 1.58 at 50,000);
* giving one origin three times as many persons (its ``sample_weight`` x 3, each person then
  standing for a third as many real ones) changes no origin's per-capita outcomes and no
  destination's split (before, Ghana's share of the UK's health recruits went from 0.18 to
  0.40).

Each compares means over seeds: the 99 % confidence intervals (Student's t) of any two
settings must overlap, outcome by outcome.
"""

from __future__ import annotations

import csv
import shutil

import numpy as np
import pandas as pd
import pytest
from scipy import stats as st

from migdev.core.worlds import shipped_worlds
from migdev.model.model import MigrationModel

STEPS, START = 60, 20


def _outcomes(seed: int, **kw) -> pd.Series:
    """One run's per-capita outcomes by origin over quarters START..STEPS (counts per 10,000
    of the origin's population, densities and rates as means) and each destination's split
    of its health recruits among origins."""
    # the shipped calibration, named: a world given as a folder (the copy below) has none
    # by default, and both settings must run the same parameters
    m = MigrationModel(rng=seed, calibration="health2005", **kw)
    m.run_for(STEPS)
    df = m.country_frame()
    df = df[df.step > START]
    g = df.groupby("country", observed=True)
    per10k = 1e4 / g.population.first()
    out = {}
    for name, x in {
        "health recruits per 10,000": g.health_recruits.sum() * per10k,
        "recruits per 10,000": g.recruits.sum() * per10k,
        "returns per 10,000": g.returns.sum() * per10k,
        "formal remittances per capita (kUSD)": g.remittances_formal.sum() / g.population.first(),
        "health density": g.health_density.mean(),
        "health emigration rate": g.health_emigration_rate.mean(),
        # the accounts (ODD §7.14): money per capita
        "training cost of leavers per capita (kUSD)": g.training_cost_departed.sum()
        / g.population.first(),
        "net transfer per capita (kUSD)": g.net_transfer_to_origin.sum() / g.population.first(),
        "destinations' training avoided per capita (kUSD)": g.training_cost_avoided.sum()
        / g.population.first(),
        # the migrants' welfare by path (ODD §7.7): per settled emigrant, at the last quarter
        "income kept abroad per settled emigrant (kUSD)": g.lifetime_kept_settled.last(),
        "quarters abroad per settled emigrant": g.quarters_abroad_settled.last(),
    }.items():
        out.update({(name, str(c)): float(v) for c, v in x.items()})
    cf = m.corridor_frame()
    cf = cf[cf.step > START]
    split = cf.groupby(["destination", "origin"], observed=True).health_recruits.sum()
    split = split / split.groupby(level=0).transform("sum")
    out.update({("share of the destination's health recruits", f"{d} from {o}"): float(v)
                for (d, o), v in split.items()})
    return pd.Series(out)


def _summary(runs: list[pd.Series]) -> tuple[pd.Series, pd.Series]:
    """Means over the runs and the half-widths of their 99 % intervals."""
    x = pd.concat(runs, axis=1).fillna(0.0)
    k = x.shape[1]
    half = st.t.ppf(0.995, k - 1) * x.std(axis=1, ddof=1) / np.sqrt(k)
    return x.mean(axis=1), half


def _disagree(a, b, label_a: str, label_b: str) -> list[str]:
    (ma, ha), (mb, hb) = a, b
    ma, mb = ma.align(mb, fill_value=0.0)
    ha, hb = ha.align(hb, fill_value=0.0)
    bad = (ma - mb).abs() > ha + hb
    return [f"{name} ({who}): {ma[k]:.4g} ± {ha[k]:.2g} {label_a}, {mb[k]:.4g} ± {hb[k]:.2g} "
            f"{label_b}" for k in bad[bad].index for name, who in [k]]


@pytest.mark.slow
def test_per_capita_outcomes_by_origin_are_the_same_at_5k_20k_and_100k_persons():
    sizes = {5_000: 16, 20_000: 8, 100_000: 4}
    stats = {n: _summary([_outcomes(seed, n_persons=n) for seed in range(reps)])
             for n, reps in sizes.items()}
    bad = []
    ns = list(sizes)
    for i, x in enumerate(ns):
        for y in ns[i + 1:]:
            bad += _disagree(stats[x], stats[y], f"at {x} persons", f"at {y}")
    assert not bad, "\n".join(bad)


def _world_with(tmp_path, country: str, sample_weight: float) -> str:
    """A copy of health2005 in which ``country`` gets ``sample_weight``."""
    folder = tmp_path / "world"
    shutil.copytree(shipped_worlds()["health2005"], folder)
    with open(folder / "countries.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert any(r["country"] == country for r in rows)
    for r in rows:
        if r["country"] == country:
            r["sample_weight"] = str(sample_weight)
    with open(folder / "countries.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return str(folder)


@pytest.mark.slow
def test_three_times_the_persons_for_one_origin_changes_no_per_capita_outcome(tmp_path):
    world = _world_with(tmp_path, "Ghana", 3.0)
    m = MigrationModel(rng=0, n_persons=20_000, world=world)
    ghana = m.world.origin_names.index("Ghana")
    persons = np.bincount(m.pop.origin, minlength=m.n_orig)
    assert persons[ghana] == pytest.approx(3 * np.delete(persons, ghana).mean(), rel=0.01)
    seeds = range(12)
    equal = _summary([_outcomes(s, n_persons=20_000) for s in seeds])
    tripled = _summary([_outcomes(s, n_persons=20_000, world=world) for s in seeds])
    bad = _disagree(equal, tripled, "with equal sample weights", "with Ghana's tripled")
    assert not bad, "\n".join(bad)


def _per_dollar(seed: int, n_persons: int) -> pd.Series:
    """One paired replicate of a return incentive in Ghana (index 1) against none: the
    analysis's per-dollar outcomes (experiments/analysis/stats.py) and Ghana's public cost
    per capita."""
    from migdev.core.records import Local
    from migdev.experiments.analysis.stats import run_outcomes

    frames = []
    for local in ((Local("return_incentive", "Ghana", 1.0),), ()):
        m = MigrationModel(rng=seed, calibration="health2005", n_persons=n_persons,
                           local=local)
        m.run_for(STEPS)
        frames.append(m.country_frame())
    out = run_outcomes(frames[0], START, frames[1], None, concerned={"Ghana"})
    ghana = frames[0][(frames[0].country == "Ghana") & (frames[0].step >= START)]
    return pd.Series({
        ("health-worker years per million USD", "Ghana"): out["worker_years_per_million_usd"],
        ("public cost per capita (kUSD)", "Ghana"):
            ghana.origin_public_cost.sum() / ghana.population.iloc[0]})


@pytest.mark.slow
def test_per_dollar_outcomes_are_the_same_at_5k_and_50k_persons():
    """What a return incentive costs Ghana per capita, and what it buys per million USD
    (issue 37), do not depend on how many persons are simulated."""
    small = _summary([_per_dollar(seed, 5_000) for seed in range(12)])
    large = _summary([_per_dollar(seed, 50_000) for seed in range(6)])
    bad = _disagree(small, large, "at 5,000 persons", "at 50,000")
    assert not bad, "\n".join(bad)
    assert (small[0] > 0).all() and (large[0] > 0).all()
