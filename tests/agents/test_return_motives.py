"""Why migrants go home (ODD §7.9): besides ties, home conditions, incentives, integration
and years abroad, the settled return hazard falls when earnings abroad rise (life-cycle
motives, the sign found by Yang 2006), for target earners, rises as savings near the
target, and, with the retirement motive on, rises over the working life (Cobb-Clark &
Stillman 2013)."""

import numpy as np

from migdev.core.records import Event
from migdev.model import MigrationModel


def _settlers(m, start, quarters):
    """Of the migrants settled abroad at step ``start``: whether each went home in the
    ``quarters`` after (at home then, or left again since), whether each is still in the
    population (not retired in between), and their ages at ``start``."""
    from migdev.core.codes import SETTLED

    m.run_for(start)
    pop = m.pop
    slot = np.flatnonzero(pop.status == SETTLED)
    ids, stays, age = pop.person_id[slot].copy(), pop.n_stays[slot].copy(), pop.age[slot].copy()
    m.run_for(quarters)
    alive = pop.person_id[slot] == ids
    home = pop.at_home()[slot] | (pop.n_stays[slot] > stays)
    return home, alive, age


def _settlers_home(m, start, quarters):
    """Of the migrants settled abroad at step ``start``, the share at home ``quarters`` later
    (those who reached retirement age in between left out), and their number."""
    home, alive, _ = _settlers(m, start, quarters)
    return float(home[alive].mean()), int(alive.sum())


def test_better_pay_abroad_keeps_settled_migrants_longer():
    # pay abroad rises by half for every occupation at step 40; with the life-cycle term on,
    # fewer of those settled at step 40 are home 40 quarters later than with it off
    rise = tuple(Event(40, f"wage_dest_{k}", 1.5 * v) for k, v in
                 (("health", 15.0), ("education", 11.0), ("other", 13.0), ("low", 6.0)))
    share = {b: _settlers_home(MigrationModel(rng=8, n_persons=20_000, hazard_wage_abroad=b,
                                              events=rise), 40, 40)
             for b in (0.0, 2.0)}
    assert share[2.0][1] > 300, share  # enough settlers to see it (0.11 against 0.04)
    # ln 1.5 * 2 = 0.81 lower log-hazard: about 0.44 times the hazard
    assert share[2.0][0] < 0.7 * share[0.0][0], share


def test_target_earners_go_home_sooner():
    share = {b: _settlers_home(MigrationModel(rng=8, n_persons=20_000, hazard_savings=b), 20, 20)
             for b in (0.0, 3.0)}
    # fewer are still settled at step 20, and of those many more are home by step 40
    # (514 settlers, 0.05 home, against 103 and 0.72)
    assert share[3.0][1] < 0.5 * share[0.0][1], share
    assert share[3.0][0] > 3 * share[0.0][0], share


def test_settlers_nearer_retirement_go_home_sooner():
    """With the retirement motive on, the hazard grows with the share of the working life
    gone: of those settled at step 20 and still of working age at step 40, the older are
    home more often than without it, and more so than the younger."""
    home = {}
    for b in (0.0, 2.0):
        back, alive, age = _settlers(MigrationModel(rng=8, n_persons=20_000,
                                                    hazard_retirement=b), 20, 20)
        home[b] = {group: float(back[alive & sel].mean()) for group, sel in
                   (("50+", age >= 50), ("under 35", age < 35))}
        assert (alive & (age >= 50)).sum() > 50 and (alive & (age < 35)).sum() > 50, home
    # the term adds 2 x (age - 22) / 43 to the log-hazard: about e^1.3 at 50, e^0.6 at 35
    # (aged 50+: 0.10 home without it, 0.43 with it; under 35: 0.14 and 0.26)
    assert home[2.0]["50+"] > 2 * home[0.0]["50+"], home
    assert home[2.0]["50+"] / home[0.0]["50+"] > home[2.0]["under 35"] / home[0.0]["under 35"], home
