"""Migrants choose where to go (ODD §7.4): independent migrants weigh the destination's
wage, their community's network there, its integration policy and the corridor's ties."""

import numpy as np
import pytest

from migdev.agents import agency
from migdev.core.codes import HEALTH, LOW, SETTLED
from migdev.model import MigrationModel


def test_destination_weights_by_hand():
    m = MigrationModel(rng=1, n_persons=500)
    p, w = m.p, m.world
    cw = w.corridor_weight[0]
    a, b = np.flatnonzero(cw > 0)[:2]  # two destinations with a corridor from origin 0
    net = np.zeros((2, m.n_dest))
    net[1, b] = 9.0  # for the second migrant, 9 % of the community is in destination b
    wts = agency.destination_weights(m, np.array([0, 0]), np.array([HEALTH, HEALTH]), net)
    ratio = (w.wage_dest[:, HEALTH] / w.wage_dest[0, HEALTH]) ** p.beta_wage
    expected0 = cw * ratio
    assert wts[0] / wts[0].sum() == pytest.approx(expected0 / expected0.sum())
    # the network multiplies a destination's weight by (1 + net)^beta_network
    assert wts[1, b] / wts[1, a] == pytest.approx(10.0 ** p.beta_network * wts[0, b] / wts[0, a])
    # no corridor, no migrant
    closed = np.flatnonzero(cw == 0)
    assert (wts[:, closed] == 0).all()


def _recruits_to(m, d):
    """Persons who left on their own (settled skilled or irregular) to destination d."""
    cf = m.corridor_frame()
    return int(cf[cf.destination == m.world.destination_names[d]].recruits.sum())


def test_a_higher_wage_draws_more_migrants_there_at_the_same_seed():
    runs = []
    for scale in (1.0, 1.5):
        m = MigrationModel(rng=11, n_persons=6000)
        m.world.wage_dest[1] *= scale  # one destination pays half as much again
        m.run_for(60)
        runs.append(m)
    assert _recruits_to(runs[1], 1) > 1.15 * _recruits_to(runs[0], 1)


def test_a_larger_diaspora_draws_more_migrants_there():
    m = MigrationModel(rng=3, n_persons=3000)
    net = np.zeros((1, m.n_dest))
    base = agency.destination_weights(m, np.array([2]), np.array([LOW]), net)[0]
    d = int(np.argmax(base > 0))
    net[0, d] = 20.0
    more = agency.destination_weights(m, np.array([2]), np.array([LOW]), net)[0]
    assert more[d] / more.sum() > base[d] / base.sum()


def test_integration_policy_draws_migrants_and_raises_settlement():
    low = MigrationModel(rng=5, n_persons=6000, integration_policy=0.1)
    high = MigrationModel(rng=5, n_persons=6000, integration_policy=0.9)
    low.run_for(80)
    high.run_for(80)
    # workers integrate faster and more of them settle at the end of their contracts
    assert (high.pop.status == SETTLED).sum() > (low.pop.status == SETTLED).sum()
    # per destination: a better integration policy in one destination draws independents
    one = MigrationModel(rng=5, n_persons=6000, integration_policy={"United Kingdom": 1.0})
    one.run_for(60)
    base = MigrationModel(rng=5, n_persons=6000)
    base.run_for(60)
    uk = one.world.destination_names.index("United Kingdom")
    assert _recruits_to(one, uk) > _recruits_to(base, uk)
