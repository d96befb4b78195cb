"""The one-pass person tallies of the country table give the same bits as the numpy
statements of each column (a mask, a gather and a bincount per quantity)."""

from typing import NamedTuple

import numpy as np
import pytest

from migdev.core.codes import HOME, IRREGULAR, LOW, RETURNED, TEMP
from migdev.core.population import Population
from migdev.agents.government import corridor_right
from migdev.core.codes import EDUCATION, HEALTH
from migdev.core.ledger import FLOW_ROW
from migdev.core.measures import rate
from migdev.core.params import make_params
from migdev.core.records import Local
from migdev.model.metrics import (
    _FLOW_COLUMN_INDEX, _FLOW_COLUMN_ROWS, _FLOW_COLUMNS, _FLOW_RATIO_DEN, _FLOW_RATIO_INDEX,
    _FLOW_RATIO_NUM, _FLOW_RATIOS, _COMM_STOCKS, _RECRUIT_FLOWS, COL_INDEX, COLS,
    REAL_UNIT_COLUMNS, country_row,
    shares)
from migdev.model.tally import Tallies
from migdev.model.model import MigrationModel
from migdev.model.tally import person_tallies


def random_population(n, n_orig, n_dest, seed):
    rng = np.random.default_rng(seed)
    pop = Population.empty(n)
    pop.origin[:] = rng.integers(0, n_orig, n)
    pop.occ[:] = rng.integers(0, 4, n)
    pop.status[:] = rng.integers(0, 5, n)
    pop.n_stays[:] = rng.integers(0, 4, n)
    ever = (pop.n_stays > 0) | ((pop.status >= TEMP) & (pop.status <= IRREGULAR))
    pop.dest[:] = np.where(ever & (rng.random(n) < 0.95), rng.integers(0, n_dest, n), -1)
    abroad = (pop.status >= TEMP) & (pop.status <= IRREGULAR)
    pop.dest[abroad & (pop.dest < 0)] = 0
    pop.ties[:] = rng.random(n)
    pop.h[:] = 1.0 + rng.random(n) * 0.5
    pop.debt[:] = rng.random(n) * 3.0 * (rng.random(n) < 0.4)
    for name in ("member", "remitted", "matched", "substituted"):
        getattr(pop, name)[:] = rng.random(n) < 0.5
    return pop


def test_tallies_by_hand():
    from migdev.core.codes import EDUCATION, HEALTH, IRREGULAR, OTHER, RETURNED, SETTLED

    pop = Population.empty(7)
    rows = [  # origin, status, dest, occ, n_stays, debt, member, matched, substituted,
        #       remitted, ties, h
        (0, TEMP, 1, HEALTH, 1, 2.0, True, False, True, False, 1.0, 1.0),
        (0, SETTLED, 0, EDUCATION, 1, 0.0, True, True, False, True, 0.8, 1.0),
        (1, IRREGULAR, 0, OTHER, 2, 0.0, False, False, False, False, 1.0, 1.0),
        (1, RETURNED, 1, HEALTH, 1, 0.0, False, False, False, False, 1.0, 1.5),
        (0, HOME, -1, OTHER, 0, 0.0, False, False, False, False, 1.0, 1.25),
        (1, HOME, -1, LOW, 0, 0.0, False, False, False, False, 1.0, 1.0),
        (1, TEMP, 1, LOW, 1, 0.0, False, True, False, True, 1.0, 1.0),
    ]
    for name, values in zip(("origin", "status", "dest", "occ", "n_stays", "debt", "member",
                             "matched", "substituted", "remitted", "ties", "h"), zip(*rows)):
        getattr(pop, name)[:] = values
    hw = np.array([[10.0, 8.0, 6.0, 2.0], [12.0, 9.0, 7.0, 3.0]])
    right = np.array([[0.0, 0.25], [0.5, 0.75]])
    t = person_tallies(pop, hw, right, 2, 2)
    assert t.abroad.tolist() == [2, 2]
    assert t.debt.tolist() == [2.0, 0.0] and t.member.tolist() == [2.0, 0.0]
    # skilled abroad in a regular status, and of them in a job below their skills
    assert t.skilled_regular.tolist() == [2.0, 0.0] and t.wasted.tolist() == [1.0, 0.0]
    assert t.temporary.tolist() == [1, 1] and t.substituted.tolist() == [1.0, 0.0]
    assert t.right.tolist() == [0.25, 0.75]  # the temporary workers' corridors' right
    assert t.stock.tolist() == [[1, 1], [1, 1]]
    paths = np.zeros((2, 3, 4), int)
    paths[0, 1, 3] = 1  # one stay, abroad, not a member: settled
    paths[0, 0, 2] = 1  # one stay, abroad, remitting member with ties 0.8: transnational
    paths[1, 0, 0] = 1  # two stays: circulated
    paths[1, 1, 1] = 1  # one stay, back home: returned once
    paths[1, 1, 3] = 1
    assert t.paths.tolist() == paths.tolist()
    # skilled stayers (column 0) and returnees (column 1) at home: wage x h, and wage
    assert t.earnings.tolist() == [[6.0 * 1.25, 0.0], [0.0, 12.0 * 1.5]]
    assert t.wages.tolist() == [[6.0, 0.0], [0.0, 12.0]]
    # no right granted anywhere (the scalar 0.0): the right's sums are zero
    t0 = person_tallies(pop, hw, 0.0, 2, 2)
    assert not t0.right.any() and np.array_equal(t0.debt, t.debt)


def test_model_record_uses_the_tallies_of_its_own_persons():
    m = MigrationModel(n_persons=3_000, rng=5)
    for _ in range(8):
        m.step()
    t = person_tallies(m.pop, m.world.home_wage, 0.0, m.n_orig, m.n_dest)
    row = m.country_rows[-1]
    w = m.world.person_weight  # the table's counts are in real persons
    np.testing.assert_array_equal(row[:, m.col_index("abroad")], t.abroad * w)
    assert t.abroad.sum() == m.pop.abroad().sum() > 0
    cf = m.corridor_frame()
    last = cf[cf["step"] == cf["step"].max()]
    o, d = np.nonzero(m.world.corridor_weight > 0)
    np.testing.assert_array_equal(last["abroad"].to_numpy(), t.stock[o, d] * w[o])


def test_a_person_abroad_without_destination_is_an_error():
    pop = random_population(100, 2, 2, 0)
    pop.status[0], pop.dest[0] = TEMP, -1
    with pytest.raises(ValueError, match="no destination"):
        person_tallies(pop, np.ones((2, 4)), 0.0, 2, 2)


@pytest.mark.parametrize("seed", range(3))
def test_community_census_matches_the_bincounts(seed):
    from migdev.core.codes import EDUCATION, HEALTH
    from migdev.agents.community.kernels import community_census
    pop = random_population(5_000, 3, 2, seed)
    pop.community[:] = np.random.default_rng(seed).integers(0, 9, 5_000)
    counts, sums = community_census(pop, 9)
    home = pop.at_home()
    key = pop.community.astype(np.int64) * 8 + pop.occ * 2 + home
    np.testing.assert_array_equal(counts, np.bincount(key, minlength=72).reshape(9, 4, 2))
    h64 = pop.h.astype(np.float64)
    masks = [home & (pop.occ == HEALTH), home & (pop.occ == HEALTH) & (pop.status == RETURNED),
             home & (pop.occ == EDUCATION), home & (pop.occ < LOW)]
    for got, mask in zip(sums, masks):
        want = np.bincount(pop.community[mask], weights=h64[mask], minlength=9)
        assert got.tobytes() == want.tobytes()


@pytest.mark.parametrize("seed", range(3))
def test_market_passes_match_their_numpy_statements(seed):
    from migdev.agents.agency import kernels as agency_kernels
    from migdev.agents.migrant import kernels as migrant_kernels
    pop = random_population(6_000, 4, 3, seed)
    rng = np.random.default_rng(seed)
    pop.age[:] = rng.integers(18 * 4, 65 * 4, pop.n) / 4.0
    pop.community[:] = rng.integers(0, 8, pop.n)
    max_age = 44.7  # not a float32 number: numpy compares float32 ages with it as float32
    el, g_one, supply_one = agency_kernels.eligible_groups(pop, max_age, 4)
    np.testing.assert_array_equal(el, np.flatnonzero(pop.at_home() & (pop.age < max_age)))
    g_el, supply = agency_kernels.market_groups(pop, el, 4)
    want_g = pop.origin[el].astype(np.int64) * 4 + pop.occ[el]
    np.testing.assert_array_equal(g_el, want_g)
    np.testing.assert_array_equal(supply, np.bincount(want_g, minlength=16).reshape(4, 4))
    # the groups of the one call (the market's usual path) as market_groups gives them
    for got, want in zip((g_one, supply_one), (g_el, supply)):
        assert got.dtype == want.dtype and np.array_equal(got, want)
    u = rng.random(pop.n, dtype=np.float32)
    offered = rng.random(pop.n) < 0.2
    rate = np.where(pop.occ[el] < LOW, 0.3, 0.7)  # float64 rates: compared in float64
    np.testing.assert_array_equal(agency_kernels.independents(pop, el, u, 0.3, 0.7, offered),
                                  el[(u[el] < rate) & ~offered[el]])
    ab = pop.abroad()
    want = np.bincount(pop.community[ab].astype(np.int64) * 3 + pop.dest[ab],
                       minlength=24).reshape(8, 3)
    np.testing.assert_array_equal(migrant_kernels.abroad_by_community(pop, 8, 3), want)
    # the slots abroad, and their count per community added to a flow (Flows.add)
    row = rng.random(8)
    want_row = row + np.bincount(pop.community[ab], minlength=8)
    np.testing.assert_array_equal(migrant_kernels.abroad_slots(pop, row), np.flatnonzero(ab))
    assert row.tobytes() == want_row.tobytes() and ab.any()


# ---------------------------------------------------------------------------------------
# the country table's row: the compiled pass against its numpy statement
# ---------------------------------------------------------------------------------------
def _returnee_premium(t: Tallies) -> np.ndarray:
    """Per origin: mean h of skilled returnees at home / mean h of skilled stayers (never
    emigrated) at home - 1, both weighted by the home wage of their occupation."""
    mean = np.divide(t.earnings, t.wages, out=np.zeros_like(t.earnings), where=t.wages > 0)
    ok = (mean[:, 0] > 0) & (mean[:, 1] > 0)
    return np.where(ok, mean[:, 1] / np.where(ok, mean[:, 0], 1.0) - 1.0, 0.0)


def _member_trust(model) -> np.ndarray:
    """Per origin: the associations' trust weighted by their members this quarter."""
    st = model.association_state
    mem = np.asarray(model.assoc_members, dtype=float).reshape(model.n_comm, model.n_dest)
    tr = st.trust.reshape(model.n_comm, model.n_dest)
    num, den = model.origin_sum((mem * tr).sum(axis=1)), model.origin_sum(mem.sum(axis=1))
    return np.where(den > 0, num / np.maximum(den, 1e-300), st.trust0)


class _Ratio(NamedTuple):
    """A column that is a ratio (divided with the others at the end of country_row)."""
    num: np.ndarray
    den: np.ndarray


def _emigration(abroad, home) -> _Ratio:
    """:func:`emigration_rate` as a ratio: abroad / (abroad + home)."""
    return _Ratio(abroad, abroad + home)


#: the columns the numpy statement computed one by one
_NUMPY_ROW_COLUMNS = [c for c in COLS if c not in _FLOW_COLUMNS and c not in _FLOW_RATIOS]


def country_row_numpy(model, t: Tallies) -> np.ndarray:
    """metrics.country_row as it was stated with numpy."""
    w = model.world
    n_orig = model.n_orig
    # every per-community quantity summed over each origin's communities in one call
    fl_cols = model.flows.data.shape[0]
    per_comm = np.column_stack([model.flows.data.T, model.counts.reshape(model.n_comm, 8),
                                w.represented_pop, model.comm["development"] * w.comm_size,
                                w.comm_size] + [model.comm[k] for k in _COMM_STOCKS])
    summed = model.origin_sum(per_comm)
    fl = summed[:, :fl_cols]  # (n_orig, n_flows)
    cnt = summed[:, fl_cols:fl_cols + 8].reshape(n_orig, 4, 2)
    rep, dev_num, size = summed[:, fl_cols + 8], summed[:, fl_cols + 9], summed[:, fl_cols + 10]
    stock = dict(zip(_COMM_STOCKS, summed[:, fl_cols + 11:].T))
    weight = w.person_weight
    real_pop = rep
    rep = np.divide(rep, weight, out=np.zeros(n_orig), where=weight > 0)  # simulated units

    def f(name):
        return fl[:, FLOW_ROW[name]]

    n_ab = t.abroad
    recruits = fl[:, [FLOW_ROW[k] for k in _RECRUIT_FLOWS]].sum(axis=1)
    sent = f("rem_formal") + f("rem_informal")
    paths = shares(t.paths.sum(axis=1))
    # the other columns (the flows as they are and one flow over another: _FLOW_COLUMNS,
    # _FLOW_RATIOS) are placed below in bulk
    row = {
        "population": real_pop,
        "health_density": _Ratio(cnt[:, HEALTH, 1] * 10_000.0, rep),
        "effective_health_density": _Ratio(stock["health_effective"] * 10_000.0, rep),
        "effective_density_returnees": _Ratio(stock["health_eff_returnees"] * 10_000.0, rep),
        "effective_density_missions": _Ratio(stock["health_eff_missions"] * 10_000.0, rep),
        "education_density": _Ratio(cnt[:, EDUCATION, 1] * 10_000.0, rep),
        "effective_education_density": _Ratio(stock["education_effective"] * 10_000.0, rep),
        "skilled_emigration_rate": _emigration(cnt[:, :LOW, 0].sum(1), cnt[:, :LOW, 1].sum(1)),
        "health_emigration_rate": _emigration(cnt[:, HEALTH, 0], cnt[:, HEALTH, 1]),
        "recruits": recruits,
        "knowledge_stock": stock["knowledge"],
        "remittance_cost_share": _Ratio(f("rem_fees") + f("rem_losses"), sent + f("collective")),
        "formal_share": _Ratio(f("rem_formal"), sent),
        "association_trust": _member_trust(model),
        "association_membership": _Ratio(t.member, n_ab),
        "development_index": _Ratio(dev_num, size),
        "mean_recruitment_debt": _Ratio(t.debt, n_ab),
        "fee_paying_share": _Ratio(f("rec_fee_paid"), recruits),
        "change_employer_share": _Ratio(t.right, t.temporary),
        "substituted_share": _Ratio(t.substituted, t.temporary),
        "brain_waste_share": _Ratio(t.wasted, t.skilled_regular),
        "path_circulated": paths[:, 0],
        "path_returned_once": paths[:, 1],
        "path_transnational": paths[:, 2],
        "path_settled": paths[:, 3],
        "human_capital_home": stock["h_home"],
        "returnee_earnings_premium": _returnee_premium(t),
        "skilled_home": cnt[:, :LOW, 1].sum(axis=1),
        "abroad": n_ab,
        "health_density_measured": model.measured,
        "listed": model.listed,
        "misclassified": model.listed != model.truly_short,
    }
    out = np.empty((n_orig, len(COLS)))
    out[:, _FLOW_COLUMN_INDEX] = fl[:, _FLOW_COLUMN_ROWS]
    # every ratio in one division (numerator / denominator, 0 where it is 0)
    ratio_cols = [c for c in _NUMPY_ROW_COLUMNS if isinstance(row[c], _Ratio)]
    out[:, _FLOW_RATIO_INDEX + [COL_INDEX[c] for c in ratio_cols]] = rate(
        np.concatenate([fl[:, _FLOW_RATIO_NUM], np.stack([row[c].num for c in ratio_cols], 1)],
                       axis=1),
        np.concatenate([fl[:, _FLOW_RATIO_DEN], np.stack([row[c].den for c in ratio_cols], 1)],
                       axis=1))
    # a share, at most 1 (the fees and losses of lost transfers may round above them)
    cost = COL_INDEX["remittance_cost_share"]
    out[:, cost] = np.minimum(out[:, cost], 1.0)
    values = [c for c in _NUMPY_ROW_COLUMNS if not isinstance(row[c], _Ratio)]
    out[:, [COL_INDEX[c] for c in values]] = np.stack([row[c] for c in values], axis=1)
    # counts and amounts in real persons (each simulated person stands for its weight)
    scaled = [COL_INDEX[c] for c in REAL_UNIT_COLUMNS]
    out[:, scaled] = out[:, scaled] * weight[:, None]
    return out


@pytest.mark.parametrize("levers", [
    {},
    {"employer_change_right": 0.5, "contract_substitution": 0.3, "worker_fee_ban": 1.0,
     "matching_honoured": 0.2, "formal_fee": 0.12, "adaptive_policy": True},
    {"hazard_savings": 0.8, "settlement_visa_openness": 0.9, "return_incentive": 0.5,
     "local": (Local("matching_ratio", "Ghana", 3.0),)},
])
def test_country_row_matches_its_numpy_statement_bit_for_bit(levers):
    """Every step of a seeded run: the compiled row, the row the step stored and the numpy
    statement give the same bits, from the same state and tallies (the row's sums over communities, its ratios with
    zero denominators, the member-weighted trust once trust has moved, the flags)."""
    m = MigrationModel(make_params(n_persons=3_000, **levers), rng=11)
    seen = np.zeros(len(COLS), dtype=bool)
    for _ in range(30):
        m.step()
        t = person_tallies(m.pop, m.world.home_wage,
                           corridor_right(m, "employer_change_right"), m.n_orig, m.n_dest)
        got, want = country_row(m, t), country_row_numpy(m, t)
        assert got.tobytes() == want.tobytes()
        # the row the step stored (metrics.step_rows: tallies, row and corridor row at once)
        assert m.country_rows[-1].tobytes() == want.tobytes()
        seen |= (want != 0).any(axis=0)
    # the run exercised most columns (a zero column would hide a wrong formula)
    assert seen.mean() > 0.8, [c for c, s in zip(COLS, seen) if not s]


@pytest.mark.parametrize("seed", range(4))
def test_destination_choice_matches_its_numpy_statement(seed):
    """Independent migrants' destinations: the compiled draw gives numpy's cumulated-share
    statement's choices (weights spanning orders of magnitude, zeros, ties, draws landing
    on the cumulated shares)."""
    from migdev.agents.agency import kernels as agency_kernels
    rng = np.random.default_rng(seed)
    n, n_dest = 3_000, 7
    w = rng.random((n, n_dest)) * 10.0 ** rng.uniform(-3, 3, (n, n_dest))
    w[rng.random((n, n_dest)) < 0.3] = 0.0
    w[:, 0] += 1e-9  # every row has some weight
    w[::50] = [1.0, 1.0, 2.0, 4.0, 0.0, 0.0, 0.0]  # shares 1/8, 1/4, 1/2, 1, ...
    u = rng.random(n, dtype=np.float32)
    u[::50] = np.float32(0.25)  # a draw exactly on a cumulated share: counted
    cum = np.cumsum(w, axis=1)
    cum /= cum[:, -1:]
    want = np.minimum((u[:, None] >= cum[:, :-1]).sum(axis=1), n_dest - 1).astype(np.int8)
    got = agency_kernels.choose_destinations(u, w)
    assert got.dtype == np.int8 and np.array_equal(got, want)
    assert len(np.unique(got)) == n_dest


def test_corridor_row_matches_its_numpy_statement_bit_for_bit():
    """Every step of a seeded run: the stored corridor row is the numpy concatenation of the
    corridor flows, the stock and the path shares (0 where a corridor has no emigrant)."""
    from migdev.model import metrics
    m = MigrationModel(make_params(n_persons=3_000), rng=12)
    empty = 0
    for _ in range(25):
        m.step()
        t = person_tallies(m.pop, m.world.home_wage,
                           corridor_right(m, "employer_change_right"), m.n_orig, m.n_dest)
        w = m.world.person_weight[:, None, None]  # flows and stocks in real persons
        want = np.concatenate([m.flows_to_dest * w, t.stock[:, :, None] * w,
                               metrics.shares(t.paths[:, :-1])], axis=2)
        assert m._corridor_rows[-1].tobytes() == want.tobytes()
        empty += int((t.paths[:, :-1].sum(axis=-1) == 0).sum())
    assert empty > 0 and (want[..., -4:] > 0).any()


@pytest.mark.parametrize("seed", range(3))
def test_abroad_counts_match_dest_stock_and_own_health_abroad(seed):
    """labour demand's one compiled pass counts those abroad in a regular status by
    destination and occupation, and each origin's health workers abroad."""
    from migdev.agents.government.kernels import abroad_counts
    m = MigrationModel(make_params(n_persons=3_000), rng=seed)
    m.pop.status[:] = np.random.default_rng(seed).integers(0, 5, m.pop.n).astype(np.int8)
    abroad = m.pop.abroad()
    m.pop.dest[~abroad] = -1
    m.pop.dest[abroad] = np.random.default_rng(seed + 1).integers(0, m.n_dest, abroad.sum())
    w = m.world.person_weight
    stock, health = abroad_counts(m.pop, m.n_dest, m.n_orig, w)
    pop = m.pop
    reg = (pop.status == 1) | (pop.status == 2)
    # in real persons: each simulated person counts its origin's weight
    want_stock = np.bincount(pop.dest[reg].astype(np.int64) * 4 + pop.occ[reg],
                             weights=w[pop.origin[reg]],
                             minlength=m.n_dest * 4).reshape(m.n_dest, 4)
    want_health = np.bincount(pop.origin[abroad & (pop.occ == 0)], minlength=m.n_orig) * w
    assert np.allclose(stock, want_stock, rtol=1e-12) and np.array_equal(health, want_health)
    assert stock.sum() > 0 and health.sum() > 0
