"""Migrants choose where to go (ODD §7.4): independent migrants start from the world's
observed destinations and move with the destination's wage, their community's network there
and its integration policy."""

import numpy as np
import pytest

from migdev.agents import agency
from migdev.core.codes import HEALTH, LOW, SETTLED
from migdev.model import MigrationModel


def weights_of(m, origin: int, occ: int, community: int, net=None) -> np.ndarray:
    """agency.destination_weights of one person (slot 0, set to that origin, occupation and
    community) with the diaspora ``net`` (n_comm, n_dest; default: the start's)."""
    pop = m.pop
    pop.origin[0], pop.occ[0], pop.community[0] = origin, occ, community
    return agency.destination_weights(m, np.array([0]), m.network0 if net is None else net)[0]


def test_destination_weights_by_hand():
    m = MigrationModel(rng=1, n_persons=500, wage_dest_scale={"United States": 1.5},
                       beta_wage=1.3)
    p, w = m.p, m.world
    # a community with a diaspora at the start, and its origin's corridors
    c = int(np.flatnonzero(m.network0.max(axis=1) > 0)[0])
    o = int(w.comm_origin[c])
    cw = w.corridor_weight[o]
    us = w.destination_names.index("United States")
    a, b = [d for d in np.flatnonzero(cw > 0) if d != us][:2]
    net = m.network0.copy()
    net[c, b] += 9.0  # the second time, the community has 9 points more there
    wts = np.array([weights_of(m, o, HEALTH, c), weights_of(m, o, HEALTH, c, net)])
    # at the start's network, wages and policy: the world's pattern, except where pay rose
    expected = cw.copy()
    expected[us] *= 1.5 ** p.beta_wage
    assert wts[0] / wts[0].sum() == pytest.approx(expected / expected.sum())
    # the network multiplies a destination's weight by the growth of (1 + net)^beta_network
    growth = ((1 + net[c, b]) / (1 + m.network0[c, b])) ** p.beta_network
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
    one = weights_of(alike, 1, LOW, 1)
    assert one / one.sum() == pytest.approx(
        alike.world.corridor_weight[1] / alike.world.corridor_weight[1].sum())


def test_a_larger_diaspora_draws_more_migrants_there():
    m = MigrationModel(rng=3, n_persons=3000)
    net = m.network0.copy()
    base = weights_of(m, 0, LOW, 2, net)
    d = int(np.flatnonzero(base > 0)[0])
    net[2, d] += 20.0
    more = weights_of(m, 0, LOW, 2, net)
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


def test_open_doors_by_hand():
    # two would-be migrants, both drew u = 0.003 below independent_rate 0.004: the skilled
    # one tries with probability 0.004 * sum_d P(d) V_d and weighs d by P(d) V_d
    weights = np.array([[3.0, 1.0], [3.0, 1.0]])
    visa = np.array([0.2, 1.0])
    ind, w = agency.open_doors(np.array([7, 8]), weights, np.array([True, False]),
                               np.array([0.0015, 0.003]), visa, 0.004)
    share = (0.75 * 0.2 + 0.25 * 1.0)  # 0.4: tries if u < 0.0016
    assert 0.0015 < 0.004 * share < 0.003
    assert ind.tolist() == [7, 8]
    assert w[0].tolist() == pytest.approx([0.6, 1.0]) and w[1].tolist() == [3.0, 1.0]
    ind, _ = agency.open_doors(np.array([7]), weights[:1], np.array([True]),
                               np.array([0.0017]), visa, 0.004)
    assert len(ind) == 0


def test_open_settlement_visas_in_one_destination_draw_skilled_migrants_there():
    uk = "United Kingdom"
    base = MigrationModel(rng=12, n_persons=6000)
    # one openness everywhere, given per destination: the same run, draw for draw
    same = MigrationModel(rng=12, n_persons=6000, settlement_visa_openness={uk: 0.3})
    shut = MigrationModel(rng=12, n_persons=6000, settlement_visa_openness={uk: 0.0})
    wide = MigrationModel(rng=12, n_persons=6000, settlement_visa_openness={uk: 1.0})
    for m in (base, same, shut, wide):
        m.run_for(60)
    d = base.world.destination_names.index(uk)

    def independents_to(m):  # skilled persons whose last stay was on their own, to the UK
        pop = m.pop
        return int(((pop.channel == 3) & (pop.occ < LOW) & (pop.dest == d)).sum())
    assert independents_to(same) == independents_to(base)
    assert independents_to(shut) < independents_to(base) < independents_to(wide)


def test_contract_ends_settle_by_the_destination_s_visa_openness():
    # skilled temporary workers, fully integrated, whose contracts end now: in the UK (visa
    # openness 1) every one settles; elsewhere (0.3) about 30 %
    from migdev.agents import migrant
    from migdev.core.codes import CH_REGULATED, HOME, TEMP
    m = MigrationModel(rng=4, n_persons=4000, settlement_visa_openness={"United Kingdom": 1.0},
                       border_enforcement=1.0)
    pop = m.pop
    uk = m.world.destination_names.index("United Kingdom")
    other = (uk + 1) % m.n_dest
    idx = np.flatnonzero((pop.status == HOME) & (pop.occ < LOW))[:1200]
    dest = np.where(np.arange(len(idx)) % 2 == 0, uk, other)
    pop.status[pop.abroad()] = HOME  # these persons alone abroad
    # their stays start, on contracts that end this quarter
    pop.status[idx], pop.dest[idx], pop.channel[idx] = TEMP, dest, CH_REGULATED
    pop.contract_left[idx], pop.matched[idx] = 1, True
    pop.integration[idx] = 1.0
    m.flows.reset()
    migrant.abroad_quarter(m)  # their contracts end (ODD §7.9)
    at_uk, at_other = idx[dest == uk], idx[dest == other]
    assert (pop.status[at_uk] == SETTLED).all()
    share = (pop.status[at_other] == SETTLED).mean()
    assert 0.22 < share < 0.38
    # the move from temporary to permanent status is counted (contract_settle_share)
    assert m.flows["contract_settles"].sum() == (pop.status[idx] == SETTLED).sum()
    assert m.flows["contract_ends"].sum() == len(idx)


def test_rights_on_a_corridor_draw_migrants_there_by_the_equation():
    uk = "United Kingdom"
    m = MigrationModel(rng=1, n_persons=500)
    granted = MigrationModel(rng=1, n_persons=500, employer_change_right={uk: 1.0},
                             social_security_portability={uk: 1.0})
    d = m.world.destination_names.index(uk)
    o = int(np.flatnonzero(m.world.corridor_weight[:, d] > 0)[0])
    comm = int(np.flatnonzero(m.world.comm_origin == o)[0])
    before = weights_of(m, o, HEALTH, comm)
    after = weights_of(granted, o, HEALTH, comm)
    # two of the three rights: the UK's weight grows by exp(beta_i * w_R * 2/3) against the rest
    p = m.p
    factor = np.exp(p.beta_integration_policy * p.rights_integration_weight * 2 / 3)
    other = int(np.flatnonzero((before > 0) & (np.arange(len(before)) != d))[0])
    assert (after[d] / after[other]) == pytest.approx(factor * before[d] / before[other])
