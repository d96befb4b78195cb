"""Migrants choose where to go (ODD §7.4): independent migrants start from the world's
observed destinations and move with the destination's wage, their community's network there
and its integration policy."""

import numpy as np
import pytest

from migdev.agents import agency
from migdev.core.codes import HEALTH, LOW, SETTLED
from migdev.model import MigrationModel


def test_destination_weights_by_hand():
    m = MigrationModel(rng=1, n_persons=500, wage_dest_scale={"United States": 1.5})
    p, w = m.p, m.world
    cw = w.corridor_weight[0]
    us = w.destination_names.index("United States")
    a, b = [d for d in np.flatnonzero(cw > 0) if d != us][:2]
    comm = np.array([0, 0])
    net = m.network0[comm].copy()
    net[1, b] = m.network0[0, b] + 9.0  # the second migrant's community has 9 points more there
    wts = agency.destination_weights(m, np.array([0, 0]), np.array([HEALTH, HEALTH]), net, comm)
    # at the start's network, wages and policy: the world's pattern, except where pay rose
    expected = cw.copy()
    expected[us] *= 1.5 ** p.beta_wage
    assert wts[0] / wts[0].sum() == pytest.approx(expected / expected.sum())
    # the network multiplies a destination's weight by the growth of (1 + net)^beta_network
    growth = ((1 + net[1, b]) / (1 + m.network0[0, b])) ** p.beta_network
    assert wts[1, b] / wts[1, a] == pytest.approx(growth * wts[0, b] / wts[0, a])
    # no corridor, no migrant
    assert (wts[:, cw == 0] == 0).all()


def _recruits_to(m, d):
    """Departures to destination d over the run (all channels)."""
    cf = m.corridor_frame()
    return int(cf[cf.destination == m.world.destination_names[d]].recruits.sum())


def test_a_higher_wage_draws_more_migrants_there_at_the_same_seed():
    base = MigrationModel(rng=11, n_persons=6000)
    rise = MigrationModel(rng=11, n_persons=6000, wage_dest_scale={"United States": 1.5})
    base.run_for(60)
    rise.run_for(60)
    us = base.world.destination_names.index("United States")
    assert _recruits_to(rise, us) > 1.1 * _recruits_to(base, us)
    # a rise everywhere alike does not move anyone between destinations
    alike = MigrationModel(rng=1, n_persons=500, wage_dest_scale=1.5)
    one = agency.destination_weights(alike, np.array([1]), np.array([LOW]),
                                     alike.network0[[1]], np.array([1]))
    assert one[0] / one[0].sum() == pytest.approx(
        alike.world.corridor_weight[1] / alike.world.corridor_weight[1].sum())


def test_a_larger_diaspora_draws_more_migrants_there():
    m = MigrationModel(rng=3, n_persons=3000)
    comm = np.array([2])
    net = m.network0[comm].copy()
    base = agency.destination_weights(m, np.array([0]), np.array([LOW]), net, comm)[0]
    d = int(np.flatnonzero(base > 0)[0])
    net[0, d] += 20.0
    more = agency.destination_weights(m, np.array([0]), np.array([LOW]), net, comm)[0]
    assert more[d] / more.sum() > base[d] / base.sum()


def test_integration_policy_draws_migrants_and_raises_settlement():
    low = MigrationModel(rng=5, n_persons=6000, integration_policy=0.1)
    high = MigrationModel(rng=5, n_persons=6000, integration_policy=0.9)
    low.run_for(80)
    high.run_for(80)
    # workers integrate faster and more of them settle at the end of their contracts
    assert (high.pop.status == SETTLED).sum() > (low.pop.status == SETTLED).sum()
    # per destination: a better integration policy in one destination draws migrants there
    one = MigrationModel(rng=5, n_persons=6000, integration_policy={"United Kingdom": 1.0})
    one.run_for(60)
    base = MigrationModel(rng=5, n_persons=6000)
    base.run_for(60)
    uk = one.world.destination_names.index("United Kingdom")
    assert _recruits_to(one, uk) > _recruits_to(base, uk)
