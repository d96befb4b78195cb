"""The match of collective remittances at three levels, each with a budget (ODD §7.7):
cases worked out by hand for the compiled rule, and runs showing that budgets are in real
money (the same whatever the number of simulated persons)."""

import numpy as np
import pytest

from migdev.agents.association.kernels import match_levels
from migdev.core.ledger import FLOW_ROW
from migdev.model import MigrationModel

INF = np.inf


def levels(gifts, ratio, budget, origin, development=None, least_developed_first=False):
    gifts = np.asarray(gifts, dtype=float)
    n = gifts.shape[0]
    matched, effective = np.full((3, n), np.nan), np.full(n, np.nan)
    match_levels(gifts, np.asarray(ratio, dtype=float), np.asarray(budget, dtype=float),
                 np.asarray(origin, dtype=np.int64),
                 np.zeros(n) if development is None else np.asarray(development, dtype=float),
                 least_developed_first, matched, effective)
    return matched, effective


def test_budgets_within_reach_pay_every_request_in_full():
    # ratios 1, 2, 3 (municipal, state, national) on gifts of 10 and 4: nothing binds
    m, eff = levels([10.0, 4.0], [[1, 1], [2, 2], [3, 3]], [[INF] * 2, [100, 100], [100, 100]],
                    [0, 0])
    np.testing.assert_array_equal(m, [[10, 4], [20, 8], [30, 12]])
    np.testing.assert_array_equal(eff, [6.0, 6.0])  # the ratios themselves, 1 + 2 + 3


def test_municipal_and_state_budgets_bind_community_by_community():
    # gifts 10, 20, 30; the municipality matches 1:1 up to 15, the state 2:1 up to 30
    m, eff = levels([10.0, 20.0, 30.0], [[1] * 3, [2] * 3, [0] * 3],
                    [[15] * 3, [30] * 3, [INF] * 3], [0, 0, 0])
    np.testing.assert_array_equal(m[0], [10, 15, 15])
    np.testing.assert_array_equal(m[1], [20, 30, 30])
    np.testing.assert_array_equal(m[2], [0, 0, 0])
    np.testing.assert_allclose(eff, [3.0, 45 / 20, 45 / 30])


def test_a_binding_national_budget_is_shared_in_proportion_to_the_requests():
    # one origin asks 10 + 20 + 30 = 60 of the nation (1:1) with a budget of 30: each gets
    # half of its request; the other origin (budget 100) is paid in full
    m, eff = levels([10.0, 20.0, 30.0, 50.0], [[0] * 4, [0] * 4, [1] * 4],
                    [[INF] * 4, [INF] * 4, [30, 30, 30, 100]], [0, 0, 0, 1])
    np.testing.assert_allclose(m[2], [5, 10, 15, 50])
    assert m[2, :3].sum() == pytest.approx(30.0)
    np.testing.assert_allclose(eff, [0.5, 0.5, 0.5, 1.0])


def test_the_least_developed_communities_are_paid_first():
    # development 0.5, 0.2, 0.2: the second (0.2, lower index) is paid its 20 first, the
    # third gets the 10 left of 30, the most developed nothing
    m, eff = levels([10.0, 20.0, 30.0], [[0] * 3, [0] * 3, [1] * 3],
                    [[INF] * 3, [INF] * 3, [30] * 3], [0, 0, 0],
                    development=[0.5, 0.2, 0.2], least_developed_first=True)
    np.testing.assert_array_equal(m[2], [0, 20, 10])
    np.testing.assert_allclose(eff, [0.0, 1.0, 1 / 3])


def test_a_community_without_gifts_gets_no_match():
    m, eff = levels([0.0, 8.0], [[1] * 2, [1] * 2, [1] * 2], [[INF] * 2, [INF] * 2, [4, 4]],
                    [0, 0])
    np.testing.assert_array_equal(m[:, 0], [0, 0, 0])
    np.testing.assert_array_equal(m[:, 1], [8, 8, 4])
    assert eff[0] == 0.0 and eff[1] == pytest.approx(20 / 8)


THREE_FOR_ONE = {"matching_ratio": 1.0, "matching_ratio_state": 1.0,
                 "matching_ratio_local": 1.0, "matching_budget": 300.0,
                 "matching_budget_local": 40.0}


@pytest.mark.parametrize("n_persons", [2000, 6000])
def test_budgets_are_real_money_whatever_the_number_of_persons(n_persons):
    """A binding national budget pays its origin exactly the budget each quarter (kUSD,
    real), and the municipalities at most their budget each, at any number of persons."""
    m = MigrationModel(n_persons=n_persons, rng=3, **THREE_FOR_ONE)
    m.run_for(8)
    c = m.country_frame()
    c = c[c.step >= 2]
    national = c.matched_funds - c.matched_funds_local - c.matched_funds_state
    asked = c.collective_contributions  # the nation's request at 1:1
    binding = asked > 300.0 * 1.001
    assert binding.sum() >= 10  # the budget binds for most origin-quarters
    np.testing.assert_allclose(national[binding], 300.0, rtol=1e-9)
    np.testing.assert_allclose(national[~binding], asked[~binding], rtol=1e-9)
    cpo = m.p.communities_per_origin
    assert (c.matched_funds_local <= 40.0 * cpo * (1 + 1e-9)).all()
    assert (c.matched_funds_local > 0).any()
    np.testing.assert_allclose(c.matched_funds_state, c.collective_contributions, rtol=1e-9)


def test_the_least_developed_rule_changes_who_gets_the_match_not_how_much():
    runs = {}
    for rule in ("proportional", "least_developed_first"):
        m = MigrationModel(n_persons=3000, rng=5, matching_allocation=rule,
                           **{**THREE_FOR_ONE, "matching_ratio_state": 0.0,
                              "matching_ratio_local": 0.0})
        m.run_for(3)
        runs[rule] = m
    # the same gifts in the first quarter abroad; the nation pays the same total
    a, b = (runs[r].country_frame() for r in ("proportional", "least_developed_first"))
    first = a.step == a.step.min()
    np.testing.assert_allclose(a.matched_funds[first], b.matched_funds[first], rtol=1e-9)
    # ... but to other communities (their projects differ where the budget bound)
    pa = runs["proportional"].community_state.projects
    pb = runs["least_developed_first"].community_state.projects
    assert not np.allclose(pa, pb)


# ------------------------------------------------------------------ social investment fund
def test_social_fund_by_hand():
    """Two origins. Origin 0's communities give 100, 50, 30 to projects; half goes through
    the fund (pool 90), which directs it by need (1 - development) x population: needs
    0.5 x 100 = 50, 0.8 x 100 = 80, 0 x 50 = 0 -> 90 x 50/130, 90 x 80/130, 0. Origin 1
    has no fund: its money stays where it was given."""
    from migdev.agents.association.kernels import social_fund

    to = np.array([100.0, 50.0, 30.0, 40.0])
    share = np.array([0.5, 0.5, 0.5, 0.0])
    dev = np.array([0.5, 0.2, 1.0, 0.3])
    pop = np.array([100.0, 100.0, 50.0, 70.0])
    fund_in = np.zeros(4)
    social_fund(to, share, dev, pop, np.array([0, 0, 0, 1]), 2, fund_in)
    np.testing.assert_allclose(fund_in[:3], [90 * 50 / 130, 90 * 80 / 130, 0.0])
    np.testing.assert_allclose(to, [50 + 90 * 50 / 130, 25 + 90 * 80 / 130, 15.0, 40.0])
    assert to[:3].sum() == pytest.approx(180.0)  # the origin's total is kept
    # no need anywhere: the money goes back where it came from
    to2, f2 = np.array([10.0, 20.0]), np.zeros(2)
    social_fund(to2, np.array([1.0, 1.0]), np.array([1.0, 1.0]), np.array([5.0, 5.0]),
                np.array([0, 0]), 1, f2)
    np.testing.assert_allclose(to2, [10.0, 20.0])


def test_a_social_fund_sends_mexicos_collective_money_to_the_poorer_communities():
    """In remit2005 under 3x1 at three levels, the match follows the emigrants (the very
    high migration class gets most per person); a social investment fund taking all of it
    sends it by need instead: the very low class (the largest population) gets more, the
    origin's total is the same, and the table reports what the fund directed."""
    def run(**kw):
        m = MigrationModel(world="remit2005", n_persons=6000, rng=5, matching_ratio=1.0,
                           matching_ratio_state=1.0, matching_ratio_local=1.0, **kw)
        per = []
        for _ in range(12):
            m.step()
            per.append(m.flows.data[FLOW_ROW["to_projects"]].copy())
        return m, np.sum(per, axis=0)

    plain, a = run()
    fund, b = run(**{"social_fund[Mexico]": 1.0})
    mex = np.flatnonzero(plain.world.comm_origin == 0)
    size = plain.world.comm_size[mex]
    assert (a[mex] / size)[0] > (a[mex] / size)[-1]  # without the fund: to the emigrants
    assert b[mex][-1] > a[mex][-1] and b[mex][0] < a[mex][0]
    cf = fund.country_frame()
    mx = cf[cf.country == "Mexico"]
    assert mx.social_fund.sum() > 0 and plain.country_frame().social_fund.sum() == 0
    assert mx.social_fund.sum() == pytest.approx(mx.collective_to_projects.sum(), rel=1e-9)
