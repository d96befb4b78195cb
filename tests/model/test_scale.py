"""Per-capita outcomes do not depend on how many persons are simulated (issue 11).

Runs of 5,000, 20,000 and 100,000 persons on the default world, with replicates (fewer
at the larger sizes, whose runs vary less), each a baseline and the same seed under a
multilateral code. For each outcome, per 20,000 persons or as a rate, the 99 % confidence
intervals of the means at any two sizes must overlap. Before allocations, vacancies and
training places were rounded stochastically, health trainees per 20,000 persons were 36
at 5,000 persons against 362 at 100,000, and this test failed.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as st

from migdev.model.model import MigrationModel

STEPS, START = 60, 8
SIZES = {5_000: 16, 20_000: 6, 100_000: 3}


def _outcomes(n: int, seed: int) -> list[float]:
    per = 20_000 / n
    out = []
    frames = []
    for kw in ({}, {"agreement_kind": "multilateral", "agreement_start": START}):
        m = MigrationModel(rng=seed, n_persons=n, **kw)
        m.run_for(STEPS)
        frames.append(m.country_frame())
    base, code = frames
    last = base[base.step == STEPS]
    post = base[base.step > START]
    out += [last.health_density.mean(), last.health_emigration_rate.mean(),
            post.recruits.sum() * per, post.health_recruits.sum() * per,
            post.health_trainees.sum() * per, post.remittances_formal.sum() * per]
    # the code's effect on health recruitment from the origins it lists, paired
    listed = code[(code.step > START) & code.protected]
    listed_base = base.loc[listed.index]
    out.append((listed.health_recruits.sum() - listed_base.health_recruits.sum()) * per)
    return out


NAMES = ["health density at the end (per 10,000)", "health emigration rate at the end",
         "recruits per 20,000", "health recruits per 20,000", "health trainees per 20,000",
         "formal remittances per 20,000 (kUSD)",
         "code's effect on health recruits from listed origins per 20,000"]


@pytest.mark.slow
def test_per_capita_outcomes_are_the_same_at_5k_20k_and_100k_persons():
    stats = {}
    for n, reps in SIZES.items():
        a = np.array([_outcomes(n, seed) for seed in range(reps)])
        # half-width of the 99 % interval: Student's t with reps - 1 degrees of freedom
        # (with 3 replicates a normal quantile would give intervals far too narrow)
        half = st.t.ppf(0.995, reps - 1) * a.std(axis=0, ddof=1) / np.sqrt(reps)
        stats[n] = (a.mean(axis=0), half)
    bad = []
    sizes = list(SIZES)
    for i, x in enumerate(sizes):
        for y in sizes[i + 1:]:
            (mx, sx), (my, sy) = stats[x], stats[y]
            for j, name in enumerate(NAMES):
                if abs(mx[j] - my[j]) > sx[j] + sy[j]:
                    bad.append(f"{name}: {mx[j]:.4g} ± {sx[j]:.2g} at {x} persons, "
                               f"{my[j]:.4g} ± {sy[j]:.2g} at {y}")
    assert not bad, "\n".join(bad)
