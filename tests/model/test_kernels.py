"""The compiled kernels give the same bits as the numpy statements of the same rules."""

import numpy as np
import pytest

from migdev.agents import agency, community, government, migrant
from migdev.agents.agency import kernels as agency_kernels
from migdev.agents.community import kernels as community_kernels
from migdev.agents.government import kernels as government_kernels
from migdev.agents.migrant import kernels as migrant_kernels
from migdev.core import measures
from migdev.core.codes import (
    EDUCATION,
    HEALTH,
    LOW,
)
from migdev.core.params import make_params
from migdev.core.records import Event, Local
from migdev.model.scenarios import scenario
from migdev.core.kernels import apportion, pairwise_sum


def apportion_numpy(totals, weights, u=None):
    """The agencies' split of vacancies (agency.apportion) stated with numpy: the rule the
    compiled kernel must follow operation for operation."""
    totals = np.asarray(totals, dtype=np.int64)
    w = np.asarray(weights, dtype=float)
    s = w.sum(axis=1, keepdims=True)
    share = np.divide(w, s, out=np.zeros_like(w), where=s > 0)
    exact = totals[:, None] * share
    out = np.floor(exact).astype(np.int64)
    left = np.where(s[:, 0] > 0, totals - out.sum(axis=1), 0)
    if not left.any():
        return out
    rem = np.where(w > 0, exact - out, 0.0)
    if u is not None:
        # systematic sampling: points u, u + 1, ..., u + left - 1 along the cumulated
        # remainders (rescaled to sum to left); a column gets a unit per point in its span
        tot = rem.sum(axis=1, keepdims=True)
        scaled = np.divide(rem * left[:, None], tot, out=np.zeros_like(rem), where=tot > 0)
        cum = np.cumsum(scaled, axis=1)
        uu = np.asarray(u, dtype=float)[:, None]
        hi = np.ceil(np.minimum(cum, left[:, None]) - uu)
        lo = np.concatenate([np.zeros((len(w), 1)), hi[:, :-1]], axis=1)
        extra = np.maximum(hi - lo, 0).astype(np.int64)
        np.minimum(extra, 1, out=extra)
        out += extra
        # rounding at the edges of floating point: settle the last unit, if any, on the
        # largest remainder not yet served (or take it from the smallest served)
        diff = left - extra.sum(axis=1)
        for i in np.flatnonzero(diff):
            r = np.where(extra[i] == 0, rem[i], -1.0) if diff[i] > 0 else \
                np.where(extra[i] == 1, -rem[i], -np.inf)
            for j in np.argsort(-r, kind="stable")[:abs(diff[i])]:
                out[i, j] += np.sign(diff[i])
        return out
    # order columns by remainder, largest first (stable: lower column wins ties)
    order = np.argsort(-rem, axis=1, kind="stable")
    ranks = np.empty_like(order)
    rows = np.arange(w.shape[0])[:, None]
    ranks[rows, order] = np.arange(w.shape[1])[None, :]
    out += (ranks < left[:, None]) & (w > 0)
    return out


@pytest.mark.parametrize("n", [0, 1, 5, 7, 8, 9, 15, 16, 17, 127, 128, 129, 200, 256, 257, 1000,
                               4097, 100_003])
def test_pairwise_sum_is_numpys_sum(n):
    rng = np.random.default_rng(n)
    x = rng.random(n) * 10.0 ** rng.uniform(-6, 6, n) * rng.choice([-1.0, 1.0], n)
    assert pairwise_sum(x, 0, n) == x.sum()
    if n:  # and along the rows of a matrix, as x.sum(axis=1)
        m = rng.random((3, n)) * 10.0 ** rng.uniform(-3, 3, (3, n))
        assert [pairwise_sum(row, 0, n) for row in m] == list(m.sum(axis=1))


def _cases(seed, n_cases=400):
    rng = np.random.default_rng(seed)
    for _ in range(n_cases):
        n, m = int(rng.integers(1, 12)), int(rng.integers(1, 14))
        totals = rng.integers(0, 60, n)
        w = rng.random((n, m)) * 10.0 ** rng.uniform(-4, 4, (n, m))
        w[rng.random((n, m)) < 0.3] = 0.0  # columns without weight
        w[rng.random(n) < 0.1] = 0.0  # rows without any
        if rng.random() < 0.3:  # ties
            w = np.round(w, 0)
        yield totals, w, rng.random(n)


@pytest.mark.parametrize("seed", range(4))
def test_apportion_kernel_matches_numpy_bit_for_bit(seed):
    for totals, w, u in _cases(seed):
        for uu in (None, u):
            want = apportion_numpy(totals, w, uu)
            got = apportion(totals, w, uu)
            assert got.dtype == np.int64
            np.testing.assert_array_equal(got, want)
            # rows with weight sum to their totals, the others get nothing
            has = w.sum(axis=1) > 0
            np.testing.assert_array_equal(got.sum(axis=1), np.where(has, totals, 0))


def test_apportion_systematic_rounding_is_unbiased():
    """With draws, a column's mean count is its exact share (here 10 x 0.25 = 2.5 and
    10 x 0.75 = 7.5 would round to 2 and 8 by largest remainders, ties to the lower)."""
    rng = np.random.default_rng(7)
    k = 20_000
    out = agency.apportion(np.full(k, 10), np.tile([1.0, 3.0], (k, 1)), rng.random(k))
    assert abs(out[:, 0].mean() - 2.5) < 0.02 and abs(out[:, 1].mean() - 7.5) < 0.02


def lowest_per_group_numpy(el, g_el, u_el, total, supply):
    """For each group g, the ``total[g]`` eligible persons with the lowest draws.

    Exact and deterministic (ties broken by slot order): it first keeps only draws
    below a per-group threshold generous enough to hold the wanted number, then sorts
    that small set; groups where the threshold kept too few are redone with all.

    Returns:
        (chosen slots, their rank within their group, their group).
    """
    want = np.minimum(total, supply)
    need = want[g_el] > 0
    el, g_el, u_el = el[need], g_el[need], u_el[need]
    q = np.minimum(1.0, 2.0 * want / np.maximum(supply, 1) + 0.02)
    keep = u_el < q[g_el]
    kept = np.bincount(g_el[keep], minlength=len(total))
    short = kept < want
    if short.any():
        keep |= short[g_el]
    el, g_el, u_el = el[keep], g_el[keep], u_el[keep]
    order = np.lexsort((u_el, g_el))
    gs = g_el[order]
    start = np.searchsorted(gs, np.arange(len(total)))
    rank = np.arange(len(gs)) - start[gs]
    take = rank < want[gs]
    return el[order][take], rank[take], gs[take]


@pytest.mark.parametrize("seed", range(4))
def test_lowest_per_group_kernel_matches_numpy(seed):
    rng = np.random.default_rng(seed)
    for _ in range(200):
        n, n_g = int(rng.integers(0, 3000)), int(rng.integers(1, 40))
        el = np.sort(rng.choice(5 * n + 1, n, replace=False)).astype(np.int64)
        g_el = rng.integers(0, n_g, n).astype(np.int64)
        u_el = rng.random(n, dtype=np.float32)
        if rng.random() < 0.3:  # ties among the draws
            u_el = np.round(u_el, 2).astype(np.float32)
        supply = np.bincount(g_el, minlength=n_g)
        total = rng.integers(0, 3, n_g) * rng.integers(0, 200, n_g)
        want = lowest_per_group_numpy(el, g_el, u_el, total, supply)
        got = agency.lowest_per_group(el, g_el, u_el, total, supply)
        for w, g in zip(want, got):
            np.testing.assert_array_equal(g, w)
        assert len(got[0]) == np.minimum(total, supply).sum()


def paired_runs(monkeypatch, module, name, statement, levers, seed, steps, n=4_000):
    """The same seeded run twice: with the model's compiled process, then with ``module.name``
    replaced by its numpy ``statement`` (which the run must call). Checks that every
    person's state and the country and corridor tables have the same bits; returns both
    models."""
    from migdev.model.model import MigrationModel
    runs = []
    calls = []

    def counted(*args, **kwargs):
        calls.append(1)
        return statement(*args, **kwargs)

    for swapped in (False, True):
        if swapped:
            monkeypatch.setattr(module, name, counted)
        m = MigrationModel(make_params(n_persons=n, **levers), rng=seed)
        for _ in range(steps):
            m.step()
        runs.append(m)
    # else the two runs are the same run: the model no longer calls module.name
    assert calls, f"the run never called {module.__name__}.{name}"
    a, b = runs
    for f in a.pop.__dataclass_fields__:
        assert getattr(a.pop, f).tobytes() == getattr(b.pop, f).tobytes(), f
    assert a.country_frame().equals(b.country_frame())
    assert a.corridor_frame().equals(b.corridor_frame())
    return a, b


def agency_offers_numpy(vacancies: np.ndarray, agency_dest: np.ndarray, capacity: np.ndarray,
                  attractiveness: np.ndarray, respects: np.ndarray, protected: np.ndarray,
                  covered: np.ndarray, penalty: np.ndarray, supply: np.ndarray,
                  corridor: np.ndarray | None = None,
                  u_split: np.ndarray | None = None,
                  u_origin: np.ndarray | None = None,
                  bound_share: np.ndarray | float = 0.0,
                  u_bound: np.ndarray | None = None) -> np.ndarray:
    """The agencies' offers (agency.agency_offers) stated with numpy."""
    n_ag, n_orig = attractiveness.shape
    n_dest = vacancies.shape[0]
    # every destination at once: row (d, k) splits d's vacancies of k over d's agencies, in
    # proportion to capacity (agencies are numbered destination by destination, the same
    # number per destination, as the model builds them)
    per_dest = n_ag // n_dest if n_dest else 0
    if per_dest == 0 or not np.array_equal(agency_dest, np.repeat(np.arange(n_dest), per_dest)):
        raise ValueError("agency_offers: agencies must be numbered destination by destination, "
                         "the same number per destination")
    cap = capacity.reshape(n_dest, per_dest)
    per = apportion_numpy(vacancies.reshape(-1), np.repeat(cap, 4, axis=0),
                    None if u_split is None else u_split.reshape(-1))  # (n_dest * 4, per_dest)
    per = per.reshape(n_dest, 4, per_dest).transpose(0, 2, 1).reshape(n_ag, 4)
    # cap by capacity
    tot = per.sum(axis=1)
    over = tot > np.floor(capacity)
    if over.any():
        scale = np.where(over, np.floor(capacity) / np.maximum(tot, 1), 1.0)
        per = np.where(over[:, None], np.floor(per * scale[:, None]), per).astype(np.int64)
    bar = protected[agency_dest][:, :, None] & covered[agency_dest]  # (n_ag, n_orig, 4)
    margin = np.where(bar, np.where(respects[:, :, None], 0.0,
                                    1.0 - penalty[agency_dest][:, :, None]), 1.0)
    base = attractiveness[:, :, None] * supply[None, :, :]  # (n_ag, n_orig, 4)
    if corridor is not None:
        base = base * corridor.T[agency_dest][:, :, None]
    score = base * margin

    def spread(totals, weights):  # one row per (agency, occupation), every one at once
        rows = apportion_numpy(totals.reshape(-1),
                               weights.transpose(0, 2, 1).reshape(n_ag * 4, n_orig),
                         None if u_origin is None else u_origin.reshape(-1))
        return rows.reshape(n_ag, 4, n_orig).transpose(0, 2, 1)

    if not np.any(bound_share):
        return spread(per, score)
    # employers bound by the codes (public services) never recruit from a barred origin
    share = np.broadcast_to(np.asarray(bound_share, dtype=float), (n_dest,))[agency_dest]
    u = np.zeros((n_ag, 4)) if u_bound is None else u_bound
    bound = np.minimum(np.floor(per * share[:, None] + u).astype(np.int64), per)
    return spread(bound, base * np.where(bar, 0.0, 1.0)) + spread(per - bound, score)


def random_agencies(rng):
    """A random market of agencies: sizes, the agencies' destinations, vacancies,
    capacities, attractiveness, bars, supply and corridor weights."""
    n_dest, per_dest, n_orig = int(rng.integers(1, 5)), int(rng.integers(1, 6)), \
        int(rng.integers(1, 8))
    n_ag = n_dest * per_dest
    return (n_dest, n_orig, n_ag, np.repeat(np.arange(n_dest), per_dest),
            rng.integers(0, 300, (n_dest, 4)),
            rng.uniform(5, 120, n_ag),  # capacities, often below an agency's share: capped
            rng.uniform(0.05, 2.0, (n_ag, n_orig)), rng.random((n_dest, n_orig)) < 0.4,
            rng.random((n_dest, n_orig, 4)) < 0.7, rng.integers(0, 500, (n_orig, 4)),
            rng.uniform(0, 1, (n_orig, n_dest)) * (rng.random((n_orig, n_dest)) < 0.8))


@pytest.mark.parametrize("seed", range(8))
def test_agency_offers_kernel_matches_numpy(seed):
    rng = np.random.default_rng(seed)
    for _ in range(25):
        n_dest, n_orig, n_ag, dest, vac, cap, attract, protected, covered, supply, corridor = \
            random_agencies(rng)
        respects = rng.random((n_ag, n_orig)) < 0.5
        penalty = rng.uniform(0, 1, (n_dest, n_orig))
        draws = rng.random() < 0.7
        u_split = rng.random((n_dest, 4)) if draws else None
        u_origin = rng.random((n_ag, 4)) if draws else None
        bound = (rng.uniform(0, 1, n_dest) if rng.random() < 0.5 else 0.0)
        u_bound = rng.random((n_ag, 4)) if rng.random() < 0.7 else None
        args = (vac, dest, cap, attract, respects, protected, covered, penalty, supply,
                corridor if rng.random() < 0.8 else None, u_split, u_origin, bound, u_bound)
        np.testing.assert_array_equal(agency.agency_offers(*args), agency_offers_numpy(*args))


@pytest.mark.parametrize("seed", range(4))
def test_offer_counts_in_one_call_match_their_statement(seed):
    # agency.agency_offer_counts as it was stated: respects = u < rate; complied =
    # ~(~respects & barred).any(axis=1); agency.agency_offers with the draws
    rng = np.random.default_rng(seed)
    for _ in range(25):
        n_dest, n_orig, n_ag, dest, vac, cap, attract, protected, covered, supply, corridor = \
            random_agencies(rng)
        rate = rng.random((n_ag, n_orig))
        barred = rng.random((n_ag, n_orig)) < 0.5
        penalty = rng.uniform(0, 1, (n_dest, n_orig)) if seed % 2 else 0.3
        bound = rng.uniform(0, 1, n_dest) if rng.random() < 0.5 else 0.0
        u_ag, u_alloc, u_bound = (rng.random((n_ag, n_orig)), rng.random((n_dest + n_ag, 4)),
                                  rng.random((n_ag, 4)))
        if seed == 0:  # draws equal to the rates
            u_ag[:, ::2] = rate[:, ::2]
        respects = u_ag < rate
        want = agency.agency_offers(vac, dest, cap, attract, respects, protected, covered,
                                    np.broadcast_to(penalty, (n_dest, n_orig)), supply,
                                    corridor, u_alloc[:n_dest], u_alloc[n_dest:], bound,
                                    u_bound)
        terms = agency_kernels.offer_count_terms(dest, cap, rate, barred, protected, covered, penalty,
                                          corridor, bound, n_dest)
        complied = np.ones(n_ag, dtype=bool)
        got = agency_kernels.offer_counts(vac, supply, u_ag, u_alloc, u_bound, attract, complied,
                                   terms)
        np.testing.assert_array_equal(got, want)
        np.testing.assert_array_equal(complied, ~(~respects & barred).any(axis=1))
    with pytest.raises(ValueError, match="draws of shapes"):
        agency_kernels.offer_counts(vac, supply, u_ag[:, :0], u_alloc, u_bound, attract, complied,
                             terms)


def record_acceptances(model, agency_of: np.ndarray, origin: np.ndarray) -> None:
    """Agencies note which of their offers were accepted (numpy statement)."""
    model.agency_state.accepted[:] = per_agency(agency_of, origin, len(model.agencies),
                                                 model.n_orig)


def per_agency(agency_of: np.ndarray, origin: np.ndarray, n_ag: int, n_orig: int) -> np.ndarray:
    """Offers per agency and origin (numpy statement)."""
    has = agency_of >= 0
    return np.bincount(agency_of[has] * n_orig + origin[has],
                       minlength=n_ag * n_orig).reshape(n_ag, n_orig)


def recruitment_market_numpy(model, vacancies: np.ndarray):
    """agency.recruitment_market with its offers made from blocks of identical offers with
    numpy (agency_blocks, g2g_placements), as it was before agency_kernels.market_offers."""
    p, pop = model.p, model.pop
    n_ag, n_orig = len(model.agencies), model.n_orig
    u = model.streams["recruit"].random((3, pop.n), dtype=np.float32)
    u_ag = model.streams["agency"].random((n_ag, n_orig))
    u_alloc = model.streams["allocate"].random((model.n_dest + n_ag, 4))
    u_g2g = model.streams["g2g"].random((n_orig, model.n_dest, 4))
    u_named = model.streams["rehire"].random(pop.n, dtype=np.float32)
    model.agency_state.offers[:] = 0
    model.agency_state.accepted[:] = 0
    if not p.migration_enabled:
        return None, None
    # at home, younger than the age limit (float32 ages compared as float32, as numpy does)
    el = np.flatnonzero(pop.at_home() & (pop.age < p.max_migration_age))
    vac_left = vacancies.copy()
    # employers first re-hire the workers they named (ODD §7.4)
    named = agency.named_offers(pop, el, vac_left, u_named)
    if named is not None:
        el = el[~np.isin(el, named.idx, assume_unique=True)]
    g_el, supply = agency_kernels.market_groups(pop, el, n_orig)
    n_g = n_orig * 4

    g2g = agency.g2g_placements(model.policy.g2g, vac_left, supply, p.skill_match_agreement,
                                u_g2g)
    blocks = np.concatenate([g2g, agency.agency_blocks(model, vac_left, supply, u_ag,
                                                       u_alloc)])
    offers = None
    offered = np.zeros(pop.n, dtype=bool)
    if len(blocks):
        b = blocks[np.argsort(blocks["group"], kind="stable")]
        total = np.bincount(b["group"], weights=b["count"], minlength=n_g).astype(np.int64)
        chosen, rank, gsel = agency.lowest_per_group(el, g_el, u[0][el], total,
                                                     supply.reshape(-1))
        # the i-th chosen person of a group takes the group's i-th offer
        block_end = np.cumsum(b["count"])
        group_first = np.searchsorted(b["group"], np.arange(n_g))
        offer_start = np.concatenate(([0], block_end))[group_first]
        bi = np.searchsorted(block_end, offer_start[gsel] + rank, side="right")
        got = b[bi]
        offers = agency.Offers(idx=chosen, channel=got["channel"], dest=got["dest"],
                               agency=got["agency"], fee=got["fee"], contract=got["contract"],
                               match=got["match"], guarantee=got["guarantee"])
        model.agency_state.offers[:] = per_agency(offers.agency, pop.origin[chosen], n_ag,
                                                  n_orig)
        offered[chosen] = True
    if named is not None:
        offers = named if offers is None else agency.concat_offers(named, offers)
    # independent (network-driven) migration where the visa regime allows
    visa = model.lever("settlement_visa_openness")
    # with one openness everywhere a skilled person tries at rate independent_rate * V;
    # with one per destination, at independent_rate * sum_d P(d) V_d, and goes to d with
    # probability proportional to P(d) V_d (the same when every V_d is equal)
    per_dest = np.ndim(visa) > 0
    ind = agency_kernels.independents(pop, el, u[1], p.independent_rate * (1.0 if per_dest else visa),
                               p.irregular_rate * (1.0 - p.border_enforcement), offered)
    attempts = None
    if len(ind):
        net = model.diaspora_share()  # (n_comm, n_dest) per cent abroad
        weights = agency.compiled_destination_weights(model, ind, net)
        if per_dest:
            ind, weights = agency.open_doors(ind, weights, pop.occ[ind] < LOW, u[1][ind],
                                             visa, p.independent_rate)
    if len(ind):
        cum = np.cumsum(weights, axis=1)
        cum /= cum[:, -1:]
        dest = np.minimum((u[2][ind][:, None] >= cum[:, :-1]).sum(axis=1), model.n_dest - 1)
        attempts = agency.Attempts(idx=ind, dest=dest.astype(np.int8))
    return offers, attempts


@pytest.mark.parametrize("levers", [
    {},
    {"integration_policy": 0.7, "employer_change_right": 0.4, "worker_fee_ban": 1.0,
     "wage_dest_scale": 1.1, "local": (Local("integration_policy", "Canada", 0.9),)},
])
def test_destination_weights_kernel_matches_numpy(levers):
    from migdev.model.model import MigrationModel
    m = MigrationModel(make_params(n_persons=3_000, **levers), rng=2)
    for _ in range(12):
        m.step()
    m.world.wage_dest = m.world.wage_dest * np.linspace(0.9, 1.2, m.n_dest)[:, None]
    ind = np.flatnonzero(m.pop.at_home())[::3]
    net = m.diaspora_share()
    want = agency.destination_weights(m, m.pop.origin[ind], m.pop.occ[ind],
                                      net[m.pop.community[ind]], m.pop.community[ind])
    got = agency.compiled_destination_weights(m, ind, net)
    assert len(ind) > 100 and got.tobytes() == want.tobytes()


def community_update_numpy(model) -> None:
    """The communities' update (community.update) as it was stated with numpy."""
    p, pop, w = model.p, model.pop, model.world
    # one pass over the persons (compiled): counts, and skill sums of those at home
    cnt, (h_health, h_back, h_edu, h_skilled) = community_kernels.community_census(pop, model.n_comm)
    model.counts = cnt  # (community, occupation, at home?) persons
    c = model.comm
    c["health_home"] = cnt[:, HEALTH, 1].astype(float)
    c["education_home"] = cnt[:, EDUCATION, 1].astype(float)
    c["health_density"] = community.density(c["health_home"], w.represented_pop)
    edu_density = community.density(c["education_home"], w.represented_pop)
    c["knowledge"] = community.accumulate(c["knowledge"], model.flows["knowledge_in"],
                                p.knowledge_depreciation)
    c["investment"] = community.accumulate(c["investment"], 0.0, p.investment_depreciation)
    c["projects"] = community.accumulate(c["projects"], 0.0, p.project_depreciation)
    c["development"] = community.development_index(
        c["health_density"], p.health_density_ref, edu_density, w.education_ref,
        c["knowledge"], c["investment"], c["projects"], w.comm_size, p)
    # effective capacity: skills of those at home, knowledge and missions (ODD §7.10)
    uplift = community.knowledge_uplift(c["knowledge"], w.comm_size, p)
    eff = community.effective_health(h_health, h_back, model.flows["mission_health_h"], uplift,
                                     p)
    c["health_effective"] = eff["total"]
    c["health_eff_returnees"] = eff["returnees"]
    c["health_eff_missions"] = eff["missions"]
    # the same for teachers: skill-weighted, the same uplift, missions while they last
    c["education_effective"] = community.effective_health(
        h_edu, 0.0, model.flows["mission_education_h"], uplift, p)["total"]
    c["h_home"] = h_skilled
    # the perceived chance of emigrating, per origin and occupation (brain-gain prospect)
    abroad_oc = model.origin_sum(cnt[:, :, 0])
    home_oc = model.origin_sum(cnt[:, :, 1])
    model.prospect = np.clip(p.prospect_weight * measures.emigration_rate(abroad_oc, home_oc),
                             0.0, 1.0)


@pytest.mark.parametrize("levers", [{}, {"knowledge_per_mission": 0.37, "mission_rate": 0.05,
                                         "knowledge_depreciation": 0.03}])
def test_community_update_kernel_matches_numpy_in_a_run(levers, monkeypatch):
    a, b = paired_runs(monkeypatch, community, "update", community_update_numpy, levers, 4, 30,
                       n=3_000)
    for key in a.comm:
        assert np.asarray(a.comm[key]).tobytes() == np.asarray(b.comm[key]).tobytes(), key
    assert a.prospect.tobytes() == b.prospect.tobytes()
    assert (a.comm["knowledge"] > 0).any()


@pytest.mark.parametrize("levers", [
    {},
    {**scenario("circular_mou"), "agreement_start": 4, "g2g_quota": 0.05,
     "named_rehire_rate": 0.5, "code_bound_share": 0.4,
     "local": (Local("worker_fee_ban", "United Kingdom", 1.0),
               Local("worker_fee_ban", "Canada", 0.5))},
    {**scenario("restrictive_mou"), "agreement_start": 3, "agency_regulation": 0.3,
     "settlement_visa_openness": 0.8, "worker_fee_ban": 0.7},
])
def test_market_offers_match_the_blocks_in_a_run(levers, monkeypatch):
    """The same seeded run with the offers made by agency_kernels.market_offers and with the numpy
    statement (blocks of identical offers, a stable sort by group, searchsorted): every
    person's state and every output the same bits after 30 quarters."""
    a, _ = paired_runs(monkeypatch, agency, "recruitment_market", recruitment_market_numpy,
                       levers, 5, 30)
    assert a.agency_state.total_placed.sum() > 0


def _training_terms_uncached(model):
    model._derived.pop("training_terms", None)
    model._derived.pop("home_wage", None)
    return _TRAINING_TERMS(model)


_TRAINING_TERMS = migrant._training_terms


def test_training_terms_are_recomputed_when_parameters_or_wages_change(monkeypatch):
    """The training system's kept terms: a run with events that change the wages abroad and
    the home wages equals the run that recomputes them every quarter, bit for bit."""
    levers = {"events": (Event(6, "wage_dest_scale", 1.5), Event(12, "home_wage_scale", 0.5),
                         Event(18, "training_capacity_health", 0.9))}
    a, _ = paired_runs(monkeypatch, migrant, "_training_terms", _training_terms_uncached,
                       levers, 3, 30)
    # the events changed the entrants' choices: a run without them trains otherwise
    from migdev.model.model import MigrationModel
    b = MigrationModel(make_params(n_persons=4_000), rng=3)
    for _ in range(30):
        b.step()
    assert not np.array_equal(a.pop.occ, b.pop.occ)


def learn_numpy(state, rate: float) -> None:
    """agency.learn as it was stated with numpy."""
    made = state.offers > 0
    if made.any():
        a = state.attractiveness
        a[made] = (1 - rate) * a[made] + rate * (state.accepted[made] / state.offers[made])
        np.maximum(a, 0.05, out=a)
    state.total_placed += state.accepted.sum(axis=1)


@pytest.mark.parametrize("seed", range(4))
def test_agencies_learn_matches_numpy(seed):
    rng = np.random.default_rng(seed)
    for _ in range(50):
        n_ag, n_orig = int(rng.integers(1, 30)), int(rng.integers(1, 8))
        states = [agency.AgencyState(n_ag, n_orig) for _ in range(2)]
        attr = rng.uniform(0.0, 2.0, (n_ag, n_orig))
        offers = rng.integers(0, 4, (n_ag, n_orig)) * (rng.random((n_ag, n_orig)) < 0.5)
        accepted = np.minimum(offers, rng.integers(0, 4, (n_ag, n_orig)))
        if rng.random() < 0.2:
            offers[:] = 0
            accepted[:] = 0
        for st in states:
            st.attractiveness[:] = attr
            st.offers[:] = offers
            st.accepted[:] = accepted
            st.total_placed[:] = rng.integers(0, 9, n_ag) if st is states[0] else \
                states[0].total_placed
        rate = float(rng.uniform(0, 1))
        learn_numpy(states[0], rate)
        agency.learn(states[1], rate)
        assert states[0].attractiveness.tobytes() == states[1].attractiveness.tobytes()
        assert np.array_equal(states[0].total_placed, states[1].total_placed)


def labour_demand_numpy(model, t):
    """government.labour_demand stated with numpy (the counts, replacement_demand,
    wanted_now and vacancies)."""
    p = model.p
    stock, health_abroad = government.dest_stock(model), government.own_health_abroad(model)
    if model.both_roles:
        model.replacement = government.replacement_demand(
            health_abroad, model.health_abroad0, model.world.dest_of_origin,
            model.lever("replacement_hiring"), model.n_dest)
    vac = government.vacancies(government.wanted_now(model, t), stock, p.vacancy_fill_rate,
                               model.u_round["vacancies"])
    model.last_vacancies = vac
    return vac


@pytest.mark.parametrize("levers", [
    {},
    {"adaptive_policy": True, "demand_growth": 0.08, "replacement_hiring": 1.5,
     "local": (Local("replacement_hiring", "South Africa", 0.2),)},
    {"demand_growth": -0.05, "vacancy_fill_rate": 0.9, "world": "abstract"},
])
def test_labour_demand_kernel_matches_numpy_in_a_run(levers, monkeypatch):
    """Vacancies and the replacement demand: the compiled labour demand gives the numpy
    statement's bits at every step, and the runs with either are the same."""
    compiled = government.labour_demand

    def statement(model, t):
        replacement = model.replacement.copy()
        got = government_kernels.labour_demand(model.pop, model.n_orig, model.both_roles,
                                    model.health_abroad0, model.world.dest_of_origin,
                                    model.lever("replacement_hiring"), model.wanted_base,
                                    model.p.demand_growth, t, model.demand_multiplier,
                                    model.p.vacancy_fill_rate, model.u_round["vacancies"],
                                    replacement)
        want = labour_demand_numpy(model, t)
        assert got.dtype == want.dtype and got.tobytes() == want.tobytes()
        assert replacement.tobytes() == model.replacement.tobytes()
        seen.append((int(want.sum()), float(model.replacement.sum())))
        return want

    seen = []
    a, b = paired_runs(monkeypatch, government, "labour_demand", statement, levers, 8, 40,
                       n=3_000)
    assert compiled is not statement and len(seen) == 40
    assert sum(v for v, _ in seen) > 0
    if levers.get("world") != "abstract":
        assert a.both_roles and max(r for _, r in seen) > 0  # the replacement demand acted


def test_passes_refuse_a_whole_row_of_draws():
    """The compiled passes read the n-th person's draw at n, unchecked: their wrappers refuse
    draws that are not one per person handled (a whole row, read by slot, would give other
    persons' numbers silently)."""
    from migdev.model import MigrationModel

    m = MigrationModel(n_persons=300, rng=3)
    pop = m.pop
    idx = np.array([2, 5, 7])
    whole = np.random.default_rng(1).random((3, pop.n), dtype=np.float32)
    mine = whole[:, idx]
    calls = {
        "enter": lambda u: migrant_kernels.enter(pop, idx, np.zeros(3, np.int8), 10_000, 18.0, u[0],
                                         m.n_comm),
        "choose_tracks": lambda u: migrant_kernels.choose_tracks(
            idx, pop.origin, u[0], u[1], np.full((m.n_orig, 4), 0.25),
            np.zeros((m.n_orig, 3), np.int64), 0.0, 0.0),
    }
    for name, call in calls.items():
        with pytest.raises(ValueError, match="one draw per person"):
            call(whole)
        call(mine)  # one per person: accepted
