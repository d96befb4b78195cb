"""The recruitment market's compiled rules (ODD §7.4) by hand and by their invariants
(Hypothesis): the split of vacancies, the lowest draws per group, the agencies' offers and
their learning."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from migdev.agents import agency
from migdev.core import kernels as core_kernels

SETTINGS = settings(max_examples=150, deadline=None)


@st.composite
def splits(draw):
    n, m = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    totals = np.array(draw(st.lists(st.integers(0, 50), min_size=n, max_size=n)))
    weights = np.array(draw(st.lists(
        st.lists(st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.7, 1e-3]), min_size=m, max_size=m),
        min_size=n, max_size=n)))
    u = np.array(draw(st.lists(st.floats(0.0, 0.999), min_size=n, max_size=n)))
    return totals, weights, u


@SETTINGS
@given(splits(), st.booleans())
def test_apportion_gives_each_column_the_floor_or_ceiling_of_its_share(case, drawn):
    totals, weights, u = case
    out = agency.apportion(totals, weights, u if drawn else None)
    assert out.shape == weights.shape and (out >= 0).all()
    rows = weights.sum(axis=1)
    live = rows > 0
    # rows sum to their totals; a row without weight gets nothing
    assert (out.sum(axis=1)[live] == totals[live]).all()
    assert (out[~live] == 0).all()
    share = np.where(live[:, None], totals[:, None] * weights / np.where(live, rows, 1)[:, None],
                     0.0)
    assert (out >= np.floor(share - 1e-9)).all() and (out <= np.ceil(share + 1e-9)).all()
    assert (out[weights == 0] == 0).all()


def test_apportion_by_hand():
    # largest remainders: 5 x (1/3, 1/3, 1/3) -> 1.67 each: 2, 2, 1 (ties to the lower column)
    out = agency.apportion(np.array([5, 4, 3]), np.array([[1, 1, 1], [0, 0, 0], [3, 1, 0]]))
    assert out.tolist() == [[2, 2, 1], [0, 0, 0], [2, 1, 0]]
    # systematic: 1 unit over shares (0.25, 0.75); a draw of 0.5 lands in the second column
    drawn = agency.apportion(np.array([1]), np.array([[1.0, 3.0]]), np.array([0.5]))
    assert drawn.tolist() == [[0, 1]]
    drawn = agency.apportion(np.array([1]), np.array([[1.0, 3.0]]), np.array([0.1]))
    assert drawn.tolist() == [[1, 0]]


@SETTINGS
@given(st.data())
def test_lowest_per_group_takes_the_lowest_draws_of_each_group(data):
    n, n_g = data.draw(st.integers(0, 40)), data.draw(st.integers(1, 5))
    el = np.sort(np.array(data.draw(st.lists(st.integers(0, 200), min_size=n, max_size=n,
                                             unique=True)), dtype=np.int64))
    g = np.array(data.draw(st.lists(st.integers(0, n_g - 1), min_size=n, max_size=n)),
                 dtype=np.int64)
    u = np.array(data.draw(st.lists(st.sampled_from([0.1, 0.2, 0.5, 0.7, 0.9]), min_size=n,
                                    max_size=n)), dtype=np.float32)
    total = np.array(data.draw(st.lists(st.integers(0, 10), min_size=n_g, max_size=n_g)),
                     dtype=np.int64)
    supply = np.bincount(g, minlength=n_g)
    chosen, rank, group = core_kernels.lowest_per_group(el, g, u, total, supply)
    pos = {s: i for i, s in enumerate(el)}
    for k in range(n_g):
        mine = chosen[group == k]
        assert len(mine) == min(total[k], supply[k])
        assert rank[group == k].tolist() == list(range(len(mine)))
        # ordered by draw, then slot; none left behind has a lower draw or, at a tie, slot
        key = [(u[pos[s]], s) for s in mine]
        assert key == sorted(key)
        left = [(u[pos[s]], s) for s in el[g == k] if s not in set(mine)]
        if key and left:
            assert max(key) < min(left)


@st.composite
def markets(draw):
    n_dest, n_orig = draw(st.integers(1, 3)), draw(st.integers(1, 4))
    per = draw(st.integers(1, 3))
    n_ag = n_dest * per
    vac = np.array(draw(st.lists(st.lists(st.integers(0, 30), min_size=4, max_size=4),
                                 min_size=n_dest, max_size=n_dest)))
    cap = np.array(draw(st.lists(st.sampled_from([0.0, 3.0, 10.0, 100.0]), min_size=n_ag,
                                 max_size=n_ag)))
    respects = np.array(draw(st.lists(st.lists(st.booleans(), min_size=n_orig,
                                               max_size=n_orig), min_size=n_ag, max_size=n_ag)))
    protected = np.array(draw(st.lists(st.lists(st.booleans(), min_size=n_orig,
                                                max_size=n_orig), min_size=n_dest,
                                       max_size=n_dest)))
    supply = np.array(draw(st.lists(st.lists(st.integers(0, 40), min_size=4, max_size=4),
                                    min_size=n_orig, max_size=n_orig)))
    corridor = np.array(draw(st.lists(st.lists(st.sampled_from([0.0, 0.3, 1.0]),
                                               min_size=n_dest, max_size=n_dest),
                                      min_size=n_orig, max_size=n_orig)))
    return (vac, np.repeat(np.arange(n_dest), per), cap, np.ones((n_ag, n_orig)), respects,
            protected, np.repeat(protected[:, :, None], 4, axis=2), np.full((n_dest, n_orig), 0.5),
            supply, corridor)


@SETTINGS
@given(markets())
def test_agencies_offer_within_vacancies_capacity_corridors_and_the_bars_they_respect(m):
    vac, dest, cap, attract, respects, protected, covered, penalty, supply, corridor = m
    off = agency.agency_offers(vac, dest, cap, attract, respects, protected, covered, penalty,
                               supply, corridor)
    assert (off >= 0).all()
    for d in range(vac.shape[0]):
        # no more offers for an occupation than the destination's vacancies
        assert (off[dest == d].sum(axis=(0, 1)) <= vac[d]).all()
    # an agency offers at most its capacity, and only to origins
    # with supply, a corridor to its destination, and no bar it respects
    assert (off.sum(axis=(1, 2)) <= np.floor(cap)).all()
    assert (off[:, supply == 0] == 0).all()
    assert (off[corridor[:, dest].T == 0] == 0).all()
    barred = protected[dest] & respects
    assert (off[barred] == 0).all()


def test_learning_by_hand():
    st_ = agency.AgencyState(2, 3)
    st_.attractiveness[:] = [[1.0, 0.5, 0.04], [1.0, 1.0, 1.0]]
    st_.offers[:] = [[10, 4, 0], [0, 0, 0]]
    st_.offered[:] = [[10, 4, 0], [0, 0, 0]]  # real persons offered work
    st_.propensity[:] = [[5.0, 0, 0], [0, 0, 0]]  # the offers' chances of acceptance, summed
    st_.accepted[:] = [[4, 0, 0], [0, 0, 0]]
    agency.learn(st_, 0.2)
    # a <- 0.8 a + 0.2 propensity / offers where offers were made; floored at 0.05
    assert st_.attractiveness[0] == pytest.approx([0.9, 0.4, 0.05])
    assert st_.attractiveness[1] == pytest.approx([1.0, 1.0, 1.0])
    assert st_.total_placed.tolist() == [4, 0]  # the placements are the acceptances
    # real persons offered work for two quarters, a simulated person reached in the third
    # (chance of acceptance 0): the update weighs three quarters, 1 - 0.8^3
    st_ = agency.AgencyState(1, 1)
    st_.offered[:] = 0.4
    agency.learn(st_, 0.2)
    agency.learn(st_, 0.2)
    assert st_.attractiveness[0, 0] == 1.0 and st_.pending[0, 0] == 2
    st_.offers[:], st_.propensity[:] = 1, 0.0
    agency.learn(st_, 0.2)
    assert st_.attractiveness[0, 0] == pytest.approx(0.8 ** 3)
    assert st_.pending[0, 0] == 0


def test_market_blocks_by_hand():
    """The market's blocks, as the per-agent reference reads them, worked out on paper: one
    destination, a regulated agency (1 month's fee) and an unregulated one (3 months'),
    wages 6 (skilled) and 3 (low-skilled) kUSD a quarter, a worker-fee ban of 0.5 on the
    corridor (regulated agencies obey it), and a G2G block. Group by group, the G2G
    placements come first, then the agencies in their order."""
    from types import SimpleNamespace

    from migdev.agents.agency import kernels
    from migdev.core.codes import CH_AGREEMENT, CH_REGULATED, CH_UNREGULATED, HEALTH, LOW
    from migdev.core.offers import OFFER_BLOCK

    p = SimpleNamespace(contract_quarters_skilled=8, contract_quarters_low=4,
                        skill_match_agency=0.7)
    terms = kernels.market_terms([0, 0], [True, False], [1.0, 3.0],
                                 [[6.0, 6.0, 6.0, 3.0]], np.array([[0.5]]), p)
    offers = np.zeros((2, 1, 4), dtype=np.int64)
    offers[0, 0, HEALTH], offers[0, 0, LOW], offers[1, 0, HEALTH] = 2, 1, 1
    g2g = np.array([(HEALTH, 3, CH_AGREEMENT, 0, -1, 0.0, 12, 1.0, 0.5)], dtype=OFFER_BLOCK)
    b = kernels.market_blocks(g2g, offers, terms)
    assert b.dtype == OFFER_BLOCK
    assert b["group"].tolist() == [HEALTH, HEALTH, HEALTH, LOW]
    assert b["count"].tolist() == [3, 2, 1, 1]
    assert b["channel"].tolist() == [CH_AGREEMENT, CH_REGULATED, CH_UNREGULATED, CH_REGULATED]
    assert b["agency"].tolist() == [-1, 0, 1, 0]
    # fee: months x wage / 3 months, halved by the ban for the regulated agency
    assert b["fee"].tolist() == [0.0, 1 * 6 / 3 * 0.5, 3 * 6 / 3, 1 * 3 / 3 * 0.5]
    assert b["contract"].tolist() == [12, 8, 8, 4]
    assert b["match"].tolist() == [1.0, 0.7, 0.7, 1.0]
    assert b["guarantee"].tolist() == [0.5, 0.0, 0.0, 0.0]
