"""The one-pass person tallies of the country table give the same bits as the numpy
statements of each column (a mask, a gather and a bincount per quantity)."""

import numpy as np
import pytest

from migdev.core.codes import HOME, IRREGULAR, LOW, RETURNED, TEMP
from migdev.core.population import Population
from migdev.model.metrics import path_counts
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


def numpy_tallies(pop, home_wage, right, n_orig, n_dest):
    ia = np.flatnonzero(pop.abroad())
    oa = pop.origin[ia]
    sk = pop.occ[ia] < LOW
    temp = pop.status[ia] == TEMP
    regular = pop.status[ia] != IRREGULAR
    home_sk = ((pop.status == RETURNED) | ((pop.status == HOME) & (pop.n_stays == 0))) \
        & (pop.occ < LOW)
    idx = np.flatnonzero(home_sk)
    o, k = pop.origin[idx].astype(np.int64), pop.occ[idx]
    key = o * 2 + (pop.status[idx] == RETURNED)
    return {
        "abroad": np.bincount(oa, minlength=n_orig),
        "debt": np.bincount(oa, weights=pop.debt[ia], minlength=n_orig),
        "member": np.bincount(oa, weights=pop.member[ia], minlength=n_orig),
        "wasted": np.bincount(oa, weights=sk & ~pop.matched[ia] & regular, minlength=n_orig),
        "skilled_regular": np.bincount(oa, weights=sk & regular, minlength=n_orig),
        "temporary": np.bincount(oa[temp], minlength=n_orig),
        "substituted": np.bincount(oa[temp], weights=pop.substituted[ia][temp],
                                   minlength=n_orig),
        "right": np.bincount(oa[temp], weights=right[oa[temp], pop.dest[ia][temp]],
                             minlength=n_orig),
        "stock": np.bincount(oa.astype(np.int64) * n_dest + pop.dest[ia],
                             minlength=n_orig * n_dest).reshape(n_orig, n_dest),
        "paths": path_counts(pop.origin, pop.dest, pop.status, pop.n_stays, pop.ties,
                             pop.member, pop.remitted, n_orig, n_dest),
        "earnings": np.bincount(key, weights=home_wage[o, k] * pop.h[idx],
                                minlength=2 * n_orig).reshape(n_orig, 2),
        "wages": np.bincount(key, weights=home_wage[o, k],
                             minlength=2 * n_orig).reshape(n_orig, 2),
    }


@pytest.mark.parametrize("seed", range(3))
def test_tallies_match_the_numpy_statements_bit_for_bit(seed):
    n_orig, n_dest = 5, 3
    pop = random_population(5_000, n_orig, n_dest, seed)
    rng = np.random.default_rng(100 + seed)
    home_wage = rng.random((n_orig, 4)) * 1000.0
    right = rng.random((n_orig, n_dest))
    t = person_tallies(pop, home_wage, right, n_orig, n_dest)
    want = numpy_tallies(pop, home_wage, right, n_orig, n_dest)
    for name, value in want.items():
        got = getattr(t, name)
        np.testing.assert_array_equal(got, value, err_msg=name)
        assert got.tobytes() == np.asarray(value, dtype=got.dtype).tobytes(), name
    # no right granted anywhere (the scalar 0.0): the right's sums are zero
    t0 = person_tallies(pop, home_wage, 0.0, n_orig, n_dest)
    assert not t0.right.any() and np.array_equal(t0.debt, t.debt)


def test_model_record_uses_the_tallies_of_its_own_persons():
    m = MigrationModel(n_persons=3_000, rng=5)
    for _ in range(8):
        m.step()
    t = person_tallies(m.pop, m.world.home_wage, 0.0, m.n_orig, m.n_dest)
    row = m._rows[-1]
    np.testing.assert_array_equal(row[:, m.col_index("abroad")], t.abroad)
    assert t.abroad.sum() == m.pop.abroad().sum() > 0
    cf = m.corridor_frame()
    last = cf[cf["step"] == cf["step"].max()]
    o, d = np.nonzero(m.world.corridor_weight > 0)
    np.testing.assert_array_equal(last["abroad"].to_numpy(), t.stock[o, d])


def test_a_person_abroad_without_destination_is_an_error():
    pop = random_population(100, 2, 2, 0)
    pop.status[0], pop.dest[0] = TEMP, -1
    with pytest.raises(ValueError, match="no destination"):
        person_tallies(pop, np.ones((2, 4)), 0.0, 2, 2)


@pytest.mark.parametrize("seed", range(3))
def test_community_census_matches_the_bincounts(seed):
    from migdev.core.codes import EDUCATION, HEALTH
    from migdev.core.kernels import community_census
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
    from migdev.core import kernels
    pop = random_population(6_000, 4, 3, seed)
    rng = np.random.default_rng(seed)
    pop.age[:] = rng.integers(18 * 4, 65 * 4, pop.n) / 4.0
    pop.community[:] = rng.integers(0, 8, pop.n)
    max_age = 44.7  # not a float32 number: numpy compares float32 ages with it as float32
    el = kernels.eligible(pop, max_age)
    np.testing.assert_array_equal(el, np.flatnonzero(pop.at_home() & (pop.age < max_age)))
    g_el, supply = kernels.market_groups(pop, el, 4)
    want_g = pop.origin[el].astype(np.int64) * 4 + pop.occ[el]
    np.testing.assert_array_equal(g_el, want_g)
    np.testing.assert_array_equal(supply, np.bincount(want_g, minlength=16).reshape(4, 4))
    u = rng.random(pop.n, dtype=np.float32)
    offered = rng.random(pop.n) < 0.2
    rate = np.where(pop.occ[el] < LOW, 0.3, 0.7)  # float64 rates: compared in float64
    np.testing.assert_array_equal(kernels.independents(pop, el, u, 0.3, 0.7, offered),
                                  el[(u[el] < rate) & ~offered[el]])
    ab = pop.abroad()
    want = np.bincount(pop.community[ab].astype(np.int64) * 3 + pop.dest[ab],
                       minlength=24).reshape(8, 3)
    np.testing.assert_array_equal(kernels.abroad_by_community(pop, 8, 3), want)
