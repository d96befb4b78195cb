"""Unit tests of agencies, governments, communities and associations (exact answers)."""

import math

import numpy as np
import pytest

from migdev.model.model import MigrationModel

from migdev.agents import agency, community, government
from migdev.model.params import Params

P = Params()


def test_apportion_largest_remainder():
    out = agency.apportion(np.array([5, 4, 3]), np.array([[1, 1, 1], [0, 0, 0], [3, 1, 0]]))
    assert out.tolist() == [[2, 2, 1], [0, 0, 0], [2, 1, 0]]


def test_agency_offers_divert_from_protected_origin():
    vac = np.array([[10, 0, 0, 0]])
    dest = np.array([0, 0])
    cap = np.array([100.0, 100.0])
    attract = np.ones((2, 2))
    respects = np.array([[True, True], [False, False]])
    protected = np.array([[True, False]])
    covered = np.zeros((1, 2, 4), bool)
    covered[0, 0, 0] = True
    penalty = np.array([[0.5, 0.0]])
    supply = np.array([[100, 0, 0, 0], [100, 0, 0, 0]])
    off = agency.agency_offers(vac, dest, cap, attract, respects, protected, covered, penalty,
                               supply)
    # each agency gets 5 vacancies; the compliant one sends all to origin 1,
    # the other splits by margin 0.5 : 1 -> 5 * (1/3, 2/3) = 1.67, 3.33 -> 2, 3
    assert off[0, :, 0].tolist() == [0, 5]
    assert off[1, :, 0].tolist() == [2, 3]
    assert off.sum() == 10


def test_agency_capacity_caps_offers():
    off = agency.agency_offers(np.array([[10, 10, 0, 0]]), np.array([0]), np.array([4.0]),
                               np.ones((1, 1)), np.zeros((1, 1), bool), np.zeros((1, 1), bool),
                               np.zeros((1, 1, 4), bool), np.zeros((1, 1)),
                               np.array([[50, 50, 0, 0]]))
    assert off.sum() <= 4


def test_agency_learning(tmp_path):
    from migdev.model import MigrationModel

    m = MigrationModel(rng=1, n_persons=300, world="abstract")
    a = m.agencies[0]
    a.attractiveness[:] = 1.0
    a.offers[:] = [10, 0, 0, 0]
    m.agency_state.offered[0] = [10, 0, 0, 0]  # real persons offered work
    m.agency_state.propensity[0] = [5.0, 0, 0, 0]  # the offers' chances of acceptance
    a.accepted[:] = [5, 0, 0, 0]
    m.agency_state.offers[1:] = 0  # no other agency made offers
    m.agency_state.offered[1:] = 0
    agency.learn(m.agency_state, 0.2)  # all agencies at once; the agent reads its row
    assert a.attractiveness.tolist() == pytest.approx([0.9, 1, 1, 1])
    assert a.total_placed == 5


def test_wanted_stock_and_vacancies():
    from migdev.agents.government.kernels import vacancy_count, wanted_stocks

    # base x (1 + g)^(step / 4) x multiplier + replacement
    w = wanted_stocks(np.array([[100.0, 0, 0, 0]]), 0.04, 8, np.full((1, 4), 1.5),
                      np.array([[2.0, 0, 0, 0]]))
    assert w[0, 0] == pytest.approx(100 * 1.04 ** 2 * 1.5 + 2.0)
    # floor(max(0, wanted - stock) x fill + u)
    assert vacancy_count(100.0, 60, 0.25, 0.0) == 10
    assert vacancy_count(10.0, 20, 0.25, 0.9) == 0
    # a fraction of a vacancy is advertised with that probability, not rounded away
    u = np.random.default_rng(0).random(20_000)
    v = [vacancy_count(10.3, 10, 1.0, x) for x in u]
    assert np.mean(v) == pytest.approx(0.3, abs=0.01)


def test_a_country_in_both_roles_replaces_the_health_workers_it_lost():
    # replacement demand (ODD §7.3): extra[d(o), health] = share x max(0, abroad_o - abroad0_o)
    m = MigrationModel(rng=3, n_persons=2000, replacement_hiring=0.5)
    w, pop = m.world, m.pop
    o = int(np.flatnonzero(w.dest_of_origin >= 0)[0])
    d = int(w.dest_of_origin[o])
    home = np.flatnonzero((pop.origin == o) & (pop.occ == 0) & ~pop.abroad())[:7]
    n = len(home)
    assert n >= 3
    pop.status[home], pop.dest[home] = 1, (d + 1) % m.n_dest  # n more health workers abroad
    m.u_round = {"vacancies": np.zeros((m.n_dest, 4))}  # the step's rounding draws
    government.labour_demand(m, 1)
    # in real persons: each simulated worker stands for its origin's person weight
    assert m.government_state.replacement[d, 0] == pytest.approx(0.5 * n * w.person_weight[o])
    replacement = m.government_state.replacement
    assert (np.delete(replacement, d, axis=0) == 0).all() and (replacement[:, 1:] == 0).all()
    wanted = government.wanted_now(m, 1)
    assert wanted[d, 0] == pytest.approx(
        m.government_state.wanted_base[d, 0] * (1 + m.p.demand_growth) ** 0.25
        * m.government_state.demand_multiplier[d, 0]
        + 0.5 * n * w.person_weight[o])


def test_training_places_are_filled_as_fully_with_few_entrants_as_with_many():
    """With about three entrants an origin a quarter and a fifth of a health place each
    quarter (1.5 x replacement of a base-year health share of 0.03-0.045), carried-over
    places are taken by later applicants: the long-run health trainees per entrant are
    the same as in a population a hundred times larger."""
    def trainees(n_persons):
        m = MigrationModel(rng=5, world="abstract", n_persons=n_persons,
                           training_capacity_health=1.5, migration_enabled=False)
        m.run_for(80)
        df = m.country_frame()
        # the trainees of the simulated persons (the table's are in real persons)
        weight = dict(zip(m.world.origin_names, m.world.person_weight))
        trainees = (df.health_trainees / df.country.astype(str).map(weight)).sum()
        return trainees / m.migrant_state.entrants
    small, large = trainees(2000), trainees(100_000)
    assert small == pytest.approx(large, rel=0.06), (small, large)


def test_adapt():
    dm = np.ones((1, 2))
    tm = np.ones(2)
    government.adapt(dm, np.array([[0.5, 0.0]]), tm, np.array([True, False]), 0.1)
    assert dm[0].tolist() == pytest.approx([1.05, 1.0])
    assert tm.tolist() == pytest.approx([1.1, 1.0])


def test_densities_and_stocks_by_hand():
    # ODD §7.10: density = workers at home per 10,000 represented; a stock S becomes
    # S (1 - depreciation) + inflow
    m = MigrationModel(rng=2, n_persons=400)
    p, pop, w = m.p, m.pop, m.world
    k0 = m.community_state.knowledge.copy()
    m.flows["knowledge_in"][:] = 0.0
    m.flows["knowledge_in"][0] = 7.0
    community.update(m)
    home = np.isin(pop.status, [0, 4])  # home, returned
    health = np.bincount(pop.community[home & (pop.occ == 0)], minlength=m.n_comm)
    # each simulated worker stands for its origin's person weight of real ones
    assert m.community_state.health_density == pytest.approx(
        health * w.comm_weight * 10_000.0 / w.represented_pop)
    want = k0 * (1 - p.knowledge_depreciation)
    want[0] += 7.0
    assert m.community_state.knowledge == pytest.approx(want)


def test_development_index_by_hand():
    d = community.kernels.development_index(22.25, 44.5, 50.0, 100.0, 5.0, 10.0, 10.0, 100,
                                            P.knowledge_ref, P.investment_ref)
    service = 0.5 * 0.5 + 0.5 * 0.5
    know = 1 - math.exp(-5 / (100 * P.knowledge_ref))
    inv = 1 - math.exp(-20 / (100 * P.investment_ref))
    assert d == pytest.approx(0.5 * service + 0.25 * know + 0.25 * inv)
    # a density above its reference counts as the reference
    assert community.kernels.development_index(
        89.0, 44.5, 200.0, 100.0, 5.0, 10.0, 10.0, 100, P.knowledge_ref, P.investment_ref
    ) == pytest.approx(0.5 + 0.25 * know + 0.25 * inv)


def test_three_for_one_matching(handmade):
    # ODD §7.7: a member gives `collective_share` of the remittance to the association; the
    # origin matches it (ratio 3: "three for one"); gift less the formal fee, plus the
    # match, go to the community's projects
    hm = handmade(matching_ratio=3.0, formal_fee=0.05, collective_share=0.5)
    s = hm.abroad(0, 1, 0, 3, member=True)
    hm.draw("work", s, 0.0, row=0)  # stays a member
    c = int(hm.pop.community[s])
    projects = hm.m.community_state.projects.copy()
    hm.quarter_abroad()
    gift = hm.m.flows["collective"][c]
    assert gift > 0 and gift == pytest.approx(0.5 * hm.m.flows.corridor[:, :, 3].sum())
    assert hm.m.flows["matched"][c] == pytest.approx(3.0 * gift)
    assert hm.m.community_state.projects[c] - projects[c] == pytest.approx(gift - 0.05 * gift
                                                                   + 3.0 * gift)
    assert hm.m.association_state.fund.sum() == pytest.approx(gift)
    assert hm.m.association_state.matched.sum() == pytest.approx(3.0 * gift)

def test_government_roles_expose_their_levers():
    from migdev.model import MigrationModel

    m = MigrationModel(rng=1, n_persons=500, world="abstract", matching_ratio=3.0,
                       agreement_kind="restrictive",
                       agreement_start=0)
    m.run_for(2)
    o, d = m.origins[0], m.destinations[0]
    assert o.roles == {"origin"} and d.roles == {"destination"}
    assert o.matching_ratio == 3.0 and d.matching_ratio is None
    assert set(o.training_capacity) == {"health", "education", "other_skilled"}
    assert 0 < o.remittance_partnership["financial_access"] <= 1
    assert d.labour_demand["health"] > 0 and o.labour_demand is None
    assert d.protected_origins == [0] and m.destinations[1].protected_origins == []
    assert d.agency_regulation["regulated_share"] == m.p.agency_regulation
