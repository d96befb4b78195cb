"""Unit tests of agencies, governments, communities and associations (exact answers)."""

import math

import numpy as np
import pytest

from migdev.model.model import MigrationModel

from migdev.agents import agency, association, community, government
from migdev.core.params import Params

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
    a.accepted[:] = [5, 0, 0, 0]
    m.agency_state.offers[1:] = 0  # no other agency made offers
    agency.learn(m.agency_state, 0.2)  # all agencies at once; the agent reads its row
    assert a.attractiveness.tolist() == pytest.approx([0.9, 1, 1, 1])
    assert a.total_placed == 5


def test_wanted_stock_and_vacancies():
    w = government.wanted_stock(np.array([[100.0, 0, 0, 0]]), 0.04, 8, np.ones((1, 4)))
    assert w[0, 0] == pytest.approx(100 * 1.04 ** 2)
    v = government.vacancies(np.array([[100.0, 10.0]]), np.array([[60, 20]]), 0.25,
                             np.zeros((1, 2)))
    assert v.tolist() == [[10, 0]]
    # a fraction of a vacancy is advertised with that probability, not rounded away
    u = np.random.default_rng(0).random((20_000, 1))
    v = government.vacancies(np.full((20_000, 1), 10.3), np.full((20_000, 1), 10.0), 1.0, u)
    assert v.mean() == pytest.approx(0.3, abs=0.01)


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
        return df.health_trainees.sum() / m.totals["entrants"]
    small, large = trainees(2000), trainees(100_000)
    assert small == pytest.approx(large, rel=0.06), (small, large)


def test_adapt():
    dm = np.ones((1, 2))
    tm = np.ones(2)
    government.adapt(dm, np.array([[0.5, 0.0]]), tm, np.array([True, False]), 0.1)
    assert dm[0].tolist() == pytest.approx([1.05, 1.0])
    assert tm.tolist() == pytest.approx([1.1, 1.0])


def test_density_and_accumulate():
    assert community.density(np.array([23.0]), np.array([10_000.0])).tolist() == [23.0]
    assert community.accumulate(np.array([10.0]), np.array([2.0]), 0.1).tolist() == [11.0]


def test_development_index_by_hand():
    d = community.development_index(np.array([22.25]), 44.5, np.array([50.0]), np.array([100.0]),
                                    np.array([5.0]), np.array([10.0]), np.array([10.0]),
                                    np.array([100]), P)
    service = 0.5 * 0.5 + 0.5 * 0.5
    know = 1 - math.exp(-5 / (100 * P.knowledge_ref))
    inv = 1 - math.exp(-20 / (100 * P.investment_ref))
    assert d[0] == pytest.approx(0.5 * service + 0.25 * know + 0.25 * inv)


def test_three_for_one_matching():
    matched, projects, fees = association.collective_funds(np.array([10.0, 0.0]), 3.0, 0.05)
    assert matched.tolist() == [30.0, 0.0]
    assert projects.tolist() == pytest.approx([10 - 0.5 + 30, 0.0])
    assert fees.tolist() == pytest.approx([0.5, 0.0])


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
