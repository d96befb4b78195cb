"""The match of collective remittances at three levels, each with a budget (ODD §7.7):
cases worked out by hand for the compiled rule, and runs showing that budgets are in real
money (the same whatever the number of simulated persons)."""

import numpy as np
import pytest

from migdev.agents.association.kernels import match_levels
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
