"""The step's outputs: the one-pass person tallies of a hand-built population, the country
table's row worked out by hand, the stored rows against the state a step leaves, and the
compiled passes of the census, the market's groups and the destination draw."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from migdev.agents.government import corridor_right
from migdev.core.codes import HEALTH, HOME, IRREGULAR, LOW, RETURNED, TEMP
from migdev.model.params import make_params
from migdev.core.population import Population
from migdev.model.metrics import COLS, country_row
from migdev.model.model import MigrationModel
from migdev.model.tally import Tallies, person_tallies


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
    # income kept and quarters abroad over all stays, summed by origin and path
    pop.kept_total[:] = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0]
    pop.q_total[:] = [3, 5, 7, 11, 13, 17, 19]
    t = person_tallies(pop, hw, right, 2, 2)
    assert t.path_kept.tolist() == [[0.0, 0.0, 2.0, 1.0], [4.0, 8.0, 0.0, 64.0]]
    assert t.path_quarters.tolist() == [[0.0, 0.0, 5.0, 3.0], [7.0, 11.0, 0.0, 19.0]]
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
# the country table's row, worked out by hand
# ---------------------------------------------------------------------------------------
def _zero_tallies(n_orig: int, n_dest: int) -> Tallies:
    """Zero tallies of the types :func:`tallies_of` gives (counts as integers), so the row is
    computed by the same compiled code as in a run."""
    z, i = np.zeros(n_orig), np.zeros(n_orig, np.int64)
    return Tallies(abroad=i.copy(), debt=z.copy(), member=z.copy(), wasted=z.copy(),
                   skilled_regular=z.copy(), temporary=i.copy(), substituted=z.copy(),
                   right=z.copy(), stock=np.zeros((n_orig, n_dest), np.int64),
                   paths=np.zeros((n_orig, n_dest + 1, 4), np.int64),
                   earnings=np.zeros((n_orig, 2)),
                   wages=np.zeros((n_orig, 2)), path_kept=np.zeros((n_orig, 4)),
                   path_quarters=np.zeros((n_orig, 4)))


def test_country_row_by_hand():
    """One origin's row from flows, counts, stocks and tallies set by hand, each column
    worked out on paper; another origin with nothing in it has 0 in every ratio (zero
    denominators)."""
    from migdev.core.codes import OTHER

    m = MigrationModel(make_params(n_persons=600), rng=3)
    w, o = m.world, 0
    cs = np.flatnonzero(w.comm_origin == o)
    assert len(cs) >= 2
    c0, c1 = cs[0], cs[1]
    m.flows.reset()
    flows = {(c0, "rec_agreement"): 2.0, (c1, "rec_regulated"): 1.0, (c0, "rec_fee_paid"): 1.0,
             (c0, "rem_formal"): 30.0, (c1, "rem_formal"): 20.0, (c0, "rem_informal"): 10.0,
             (c0, "rem_fees"): 4.0, (c1, "rem_losses"): 1.0, (c1, "collective"): 10.0,
             (c0, "returns"): 3.0, (c0, "abroad_start"): 12.0}
    for (c, name), v in flows.items():
        m.flows[name][c] = v
    st = m.community_state
    st.counts = np.zeros_like(st.counts)
    st.counts[c0, HEALTH, 1], st.counts[c1, HEALTH, 1] = 3, 5  # health workers at home
    st.counts[c0, HEALTH, 0] = 2                                # and abroad
    st.counts[c1, OTHER, 1], st.counts[c1, OTHER, 0] = 6, 4
    st.development = np.zeros(m.n_comm)
    st.development[c0], st.development[c1] = 0.2, 0.6
    gs = m.government_state
    gs.measured = np.full(m.n_orig, 30.0)
    gs.measured[o] = 12.5
    gs.listed = gs.measured < 20.0
    gs.truly_short = np.zeros(m.n_orig, dtype=bool)
    t = _zero_tallies(m.n_orig, m.n_dest)
    t.abroad[o], t.member[o], t.debt[o] = 4.0, 1.0, 6.0
    t.temporary[o], t.substituted[o] = 2.0, 1.0
    t.paths[o, 0, :] = [1, 0, 2, 4]  # emigrants by path: circulated, ..., settled
    t.path_kept[o] = [3.0, 0.0, 10.0, 60.0]
    t.path_quarters[o] = [20.0, 0.0, 14.0, 100.0]

    row = country_row(m, t)
    got = dict(zip(COLS, row[o]))
    weight = w.person_weight[o]
    simulated_pop = w.represented_pop[cs].sum() / weight  # population in simulated persons
    size = w.comm_size[cs]
    want = {
        "population": w.represented_pop[cs].sum(),
        "health_density": 8 * 10_000 / simulated_pop,
        "health_emigration_rate": 2 / (2 + 8),
        "skilled_emigration_rate": (2 + 4) / (2 + 4 + 8 + 6),
        "skilled_home": (8 + 6) * weight,
        "recruits": 3 * weight,
        "recruits_agreement": 2 * weight,
        "remittances_formal": 50 * weight,
        "formal_share": 50 / 60,
        "remittance_cost_share": (4 + 1) / (60 + 10),
        "fee_paying_share": 1 / 3,
        "return_rate": 3 / 12,
        "development_index": (0.2 * size[0] + 0.6 * size[1]) / size.sum(),
        "association_membership": 1 / 4,
        "mean_recruitment_debt": 6 / 4,
        "substituted_share": 1 / 2,
        "abroad": 4 * weight,
        "association_trust": m.association_state.trust0,  # no members: where it started
        "health_density_measured": 12.5,
        "listed": 1.0,
        "misclassified": 1.0,
        "overstay_share": 0.0,  # no contract ended: 0, not a division by zero
        "ever_emigrated": 7 * weight,
        "path_settled": 4 / 7,
        # the means per emigrant of each path; none returned once: 0
        "lifetime_kept_circulated": 3.0, "lifetime_kept_returned_once": 0.0,
        "lifetime_kept_transnational": 5.0, "lifetime_kept_settled": 15.0,
        "quarters_abroad_circulated": 20.0, "quarters_abroad_transnational": 7.0,
        "quarters_abroad_settled": 25.0,
    }
    for name, value in want.items():
        assert got[name] == pytest.approx(value, rel=1e-12), name
    # an origin with no flows, persons or members: every ratio 0
    other = dict(zip(COLS, row[1]))
    for name in ("formal_share", "remittance_cost_share", "fee_paying_share", "return_rate",
                 "association_membership", "mean_recruitment_debt", "substituted_share",
                 "health_emigration_rate", "recruits", "misclassified",
                 "lifetime_kept_settled", "quarters_abroad_circulated", "ever_emigrated"):
        assert other[name] == 0.0, name


def test_the_stored_row_is_the_row_of_the_steps_state():
    """Every step of a seeded run (levers that move trust, rights, substitution, fees and
    adaptive policy): the row the step stored (tallies, row and corridor row in one compiled
    call) is :func:`country_row` of the state it left, and the run exercised most columns
    (a zero column would hide a wrong formula)."""
    m = MigrationModel(make_params(
        n_persons=3_000, employer_change_right=0.5, contract_substitution=0.3,
        worker_fee_ban=1.0, matching_honoured=0.2, formal_fee=0.12, adaptive_policy=True),
        rng=11)
    seen = np.zeros(len(COLS), dtype=bool)
    for _ in range(30):
        m.step()
        t = person_tallies(m.pop, m.world.home_wage,
                           corridor_right(m, "employer_change_right"), m.n_orig, m.n_dest)
        row = country_row(m, t)
        assert m.country_rows[-1].tobytes() == row.tobytes()
        seen |= (row != 0).any(axis=0)
    assert seen.mean() > 0.8, [c for c, s in zip(COLS, seen) if not s]


def test_destination_choice_by_hand():
    """Independent migrants' destinations, worked out on paper: weights 1, 1, 2, 4 (and three
    zeros) cumulate to shares 1/8, 1/4, 1/2, 1; a draw picks the first destination whose
    cumulated share exceeds it (a draw exactly on a share goes past it); a destination
    with no weight is never chosen."""
    from migdev.agents.agency.kernels import choose_destinations
    u = np.array([0.0, 0.1, 0.125, 0.2, 0.25, 0.4, 0.5, 0.99], dtype=np.float32)
    w = np.tile([1.0, 1.0, 2.0, 4.0, 0.0, 0.0, 0.0], (len(u), 1))
    got = choose_destinations(u, w)
    assert got.dtype == np.int8
    assert got.tolist() == [0, 0, 1, 1, 2, 2, 3, 3]
    w0 = np.tile([0.0, 1.0, 0.0, 1.0], (3, 1))  # shares 0, 1/2, 1/2, 1
    assert choose_destinations(np.array([0.0, 0.49, 0.5], dtype=np.float32),
                               w0).tolist() == [1, 1, 3]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0.0, 1e6), min_size=1, max_size=9).filter(lambda x: sum(x) > 0),
       st.lists(st.floats(0.0, 1.0, exclude_max=True, width=32), min_size=1, max_size=20))
def test_destination_choice_invariants(weights, draws):
    """Any weights (one positive at least) and draws: the destination chosen has a positive
    weight, and a larger draw never chooses an earlier destination."""
    from migdev.agents.agency.kernels import choose_destinations
    u = np.sort(np.array(draws, dtype=np.float32))
    w = np.tile(np.array(weights), (len(u), 1))
    got = choose_destinations(u, w)
    assert (w[0][got] > 0).all()
    assert (np.diff(got.astype(int)) >= 0).all()


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
        want = np.concatenate([m.flows.corridor * w, t.stock[:, :, None] * w,
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
