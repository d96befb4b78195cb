"""The recruitment market's compiled kernels (ODD §7.4): the agencies' offers and their
split among origins, the market's offers to persons, independent attempts and their
destination choice, and the agencies' learning."""

from __future__ import annotations

import math
from collections import namedtuple

import numba
import numpy as np

from migdev.core.codes import (
    CH_AGREEMENT,
    CH_REGULATED,
    CH_UNREGULATED,
    HOME,
    LOW,
    RETURNED,
)
from migdev.core.fmath import exp_one, log_one
from migdev.core.kernels import (
    F32,
    NO_TABLE,
    apportion_into,
    as_array,
    as_vector,
    fresh_caches,
    is_scalar,
    log1p,
    lowest_per_group_into,
    nonzero,
    table_of,
)
from migdev.core.offers import OFFER_BLOCK


@numba.njit(cache=True, nogil=True)
def _spread(totals, base, margin_or_open, u_origin, use_u, out, add):
    """Each (agency, occupation) row's total spread over origins in proportion to
    base * margin (``agency.agency_offers``' inner split), added to ``out`` when ``add``."""
    n_ag, n_orig = base.shape[0], base.shape[1]
    w = np.empty((n_ag * 4, n_orig))
    t = np.empty(n_ag * 4, dtype=np.int64)
    for a in range(n_ag):
        for k in range(4):
            t[a * 4 + k] = totals[a, k]
            for o in range(n_orig):
                w[a * 4 + k, o] = base[a, o, k] * margin_or_open[a, o, k]
    rows = np.empty((n_ag * 4, n_orig), dtype=np.int64)
    apportion_into(t, w, u_origin, use_u, rows)
    for a in range(n_ag):
        for o in range(n_orig):
            for k in range(4):
                if add:
                    out[a, o, k] += rows[a * 4 + k, o]
                else:
                    out[a, o, k] = rows[a * 4 + k, o]


@numba.njit(cache=True, nogil=True)
def _agency_offers(vacancies, capacity, per_dest, agency_dest, attractiveness, respects,
                   protected, covered, penalty, supply, weight, corridor, u_split, use_split,
                   u_origin, use_origin, share, any_bound, u_bound, out):
    """The agencies' offers per origin and occupation in real persons (ODD §7.4;
    :func:`agency_offers` states the rule): a destination's vacancies split over its
    agencies by capacity and capped by it, then each agency's spread over origins by
    attractiveness x represented supply (supply x weight) x margin x corridor."""
    n_ag, n_orig = attractiveness.shape
    n_dest = vacancies.shape[0] // 4
    # a destination's vacancies of k over its agencies, in proportion to capacity
    w = np.empty((n_dest * 4, per_dest))
    for d in range(n_dest):
        for k in range(4):
            for j in range(per_dest):
                w[d * 4 + k, j] = capacity[d * per_dest + j]
    split = np.empty((n_dest * 4, per_dest), dtype=np.int64)
    apportion_into(vacancies, w, u_split, use_split, split)
    per = np.empty((n_ag, 4), dtype=np.int64)
    for d in range(n_dest):
        for j in range(per_dest):
            for k in range(4):
                per[d * per_dest + j, k] = split[d * 4 + k, j]
    # each capped at its capacity
    for a in range(n_ag):
        tot = per[a, 0] + per[a, 1] + per[a, 2] + per[a, 3]
        cap = math.floor(capacity[a])
        if tot > cap:
            scale = cap / max(tot, 1)
            for k in range(4):
                per[a, k] = np.int64(math.floor(per[a, k] * scale))
    base = np.empty((n_ag, n_orig, 4))
    margin = np.empty((n_ag, n_orig, 4))
    open_ = np.empty((n_ag, n_orig, 4))
    for a in range(n_ag):
        d = agency_dest[a]
        for o in range(n_orig):
            for k in range(4):
                base[a, o, k] = ((attractiveness[a, o] * (np.float64(supply[o, k]) * weight[o]))
                                 * corridor[o, d])
                bar = protected[d, o] and covered[d, o, k]
                if bar:
                    margin[a, o, k] = 0.0 if respects[a, o] else 1.0 - penalty[d, o]
                    open_[a, o, k] = 0.0
                else:
                    margin[a, o, k] = 1.0
                    open_[a, o, k] = 1.0
    if not any_bound:
        _spread(per, base, margin, u_origin, use_origin, out, False)
        return
    # employers bound by the codes never recruit from a barred origin
    bound = np.empty((n_ag, 4), dtype=np.int64)
    for a in range(n_ag):
        for k in range(4):
            bound[a, k] = min(np.int64(math.floor(per[a, k] * share[a] + u_bound[a, k])),
                              per[a, k])
    _spread(bound, base, open_, u_origin, use_origin, out, False)
    _spread(per - bound, base, margin, u_origin, use_origin, out, True)


@numba.njit(cache=True, nogil=True)
def _numbered(agency_dest, per_dest, n_dest):
    """Whether agencies are numbered destination by destination, per_dest each."""
    if agency_dest.shape[0] != per_dest * n_dest:
        return False
    for a in range(agency_dest.shape[0]):
        if agency_dest[a] != a // per_dest:
            return False
    return True


def agency_offers(vacancies, agency_dest, capacity, attractiveness, respects, protected,
                  covered, penalty, supply, corridor=None, u_split=None, u_origin=None,
                  bound_share=0.0, u_bound=None, weight=None) -> np.ndarray:
    """Compiled :func:`migdev.agents.agency.agency_offers` (same arguments, same result)."""
    n_ag, n_orig = attractiveness.shape
    n_dest = vacancies.shape[0]
    per_dest = n_ag // n_dest if n_dest else 0
    agency_dest = as_array(agency_dest, np.int64)
    if per_dest == 0 or not _numbered(agency_dest, per_dest, n_dest):
        raise ValueError("agency_offers: agencies must be numbered destination by destination, "
                         "the same number per destination")
    f64 = np.float64
    out = np.empty((n_ag, n_orig, 4), dtype=np.int64)
    _agency_offers(
        as_array(vacancies, np.int64).reshape(-1),
        as_array(capacity, f64), per_dest,
        as_array(agency_dest, np.int64),
        as_array(attractiveness, f64),
        as_array(respects, bool), as_array(protected, bool),
        as_array(covered, bool),
        as_array(penalty if np.shape(penalty) == (n_dest, n_orig)
             else np.broadcast_to(penalty, (n_dest, n_orig))),
        as_array(supply, np.int64),
        np.ones(n_orig) if weight is None else as_array(weight, f64),
        np.ones((n_orig, n_dest)) if corridor is None else as_array(corridor, f64),
        np.zeros(n_dest * 4) if u_split is None else as_array(u_split, f64).reshape(-1),
        u_split is not None,
        np.zeros(n_ag * 4) if u_origin is None else as_array(u_origin, f64).reshape(-1),
        u_origin is not None,
        as_vector(bound_share, n_dest)[agency_dest],
        nonzero(bound_share),
        np.zeros((n_ag, 4)) if u_bound is None else as_array(u_bound, f64),
        out)
    return out


#: the terms of :func:`offer_counts` kept while the parameters and the policy are the same
#: (:func:`offer_count_terms`): each agency's respect rate of each bar and whether the bar
#: concerns it (n_ag, n_orig), capacities, agencies per destination, each agency's
#: destination, the protected corridors and the occupations covered, the penalty of
#: recruiting in a protected origin, the corridors' weights, each agency's share of
#: vacancies at employers bound by the codes (and whether any is), the origins' person
#: weights
OfferCountTerms = namedtuple("OfferCountTerms", "respect_rate barred capacity per_dest "
                             "agency_dest protected covered penalty corridor share any_bound "
                             "weight")


@numba.njit(cache=True, nogil=True)
def _offer_counts(vacancies, draws, T, attractiveness, supply, complied, offered, out):
    """Which agencies respect each bar this quarter (a draw below the respect rate), which
    complied, and their offers (:func:`_agency_offers`, in real persons: summed over
    occupations into ``offered``) as offers to simulated persons into ``out``
    (:func:`offer_counts`). ``draws``: (u_respect, u_split, u_origin, u_bound, u_persons);
    ``T``: :data:`OfferCountTerms`."""
    u_respect, u_split, u_origin, u_bound, u_persons = draws
    n_ag, n_orig = T.respect_rate.shape
    respects = np.empty((n_ag, n_orig), dtype=np.bool_)
    for a in range(n_ag):
        kept = True
        for o in range(n_orig):
            respects[a, o] = u_respect[a, o] < T.respect_rate[a, o]
            if T.barred[a, o] and not respects[a, o]:
                kept = False
        complied[a] = kept
    real = np.empty_like(out)
    _agency_offers(vacancies, T.capacity, T.per_dest, T.agency_dest, attractiveness, respects,
                   T.protected, T.covered, T.penalty, supply, T.weight, T.corridor, u_split,
                   True, u_origin, True, T.share, T.any_bound, u_bound, real)
    for a in range(real.shape[0]):
        for o in range(real.shape[1]):
            offered[a, o] = np.float64(real[a, o, 0] + real[a, o, 1] + real[a, o, 2]
                                       + real[a, o, 3])
    to_persons(real, T.weight, u_persons, out)


@numba.njit(cache=True, nogil=True)
def to_persons(real, weight, u, out):
    """Offers of real persons as offers to simulated persons (ODD §7.4): each agency's
    offers R to origin o and occupation k become floor(R / w_o + u) offers to the origin's
    simulated persons, ``u`` uniform on [0, 1) (the expected number, R / w_o, is exact at
    any weight); none where the origin has no persons (w_o = 0)."""
    for a in range(real.shape[0]):
        for o in range(real.shape[1]):
            w = weight[o]
            for k in range(real.shape[2]):
                if w > 0.0:
                    out[a, o, k] = np.int64(math.floor(real[a, o, k] / w + u[a, o, k]))
                else:
                    out[a, o, k] = 0


def offer_count_terms(agency_dest, capacity, respect_rate, barred, protected, covered, penalty,
                      corridor, bound_share, n_dest: int, weight) -> tuple:
    """The terms of :func:`offer_counts` that change only with the parameters and the policy
    in force (:func:`migdev.agents.agency.agency_terms`, the agencies' destinations and
    capacities, the bars, the corridors' weights, the share of vacancies at employers
    bound by the codes, a scalar or one per destination, and the origins' person weights),
    as :func:`agency_offers` takes them."""
    n_ag, n_orig = np.shape(respect_rate)
    per_dest = n_ag // n_dest if n_dest else 0
    agency_dest = as_array(agency_dest, np.int64)
    if per_dest == 0 or not _numbered(agency_dest, per_dest, n_dest):
        raise ValueError("offer_count_terms: agencies must be numbered destination by "
                         "destination, the same number per destination")
    return OfferCountTerms(
        as_array(respect_rate), as_array(barred, bool), as_array(capacity), per_dest,
        agency_dest, as_array(protected, bool), as_array(covered, bool),
        table_of(penalty, (n_dest, n_orig)), as_array(corridor),
        as_vector(bound_share, n_dest)[agency_dest], nonzero(bound_share), as_array(weight))


def offer_counts(vacancies, supply, u_respect, u_alloc, u_bound, u_persons, attractiveness,
                 complied, offered, terms: OfferCountTerms) -> np.ndarray:
    """Each agency's offers to simulated persons this quarter per origin and occupation,
    (n_ag, n_orig, 4), in one compiled call: whether it respects each bar (``u_respect`` <
    its rate), then :func:`agency_offers` of the real vacancies over the origins' represented
    candidates with ``u_alloc`` (n_dest + n_ag, 4) placing the units left after rounding and
    ``u_bound`` (n_ag, 4) rounding the bound part, then :func:`to_persons` with
    ``u_persons`` (n_ag, n_orig, 4). Writes which agencies respected every bar that
    concerns them into ``complied`` and the real persons each offered work to in each origin
    into ``offered`` (n_ag, n_orig). ``terms``: :func:`offer_count_terms`."""
    n_ag, n_orig = terms.respect_rate.shape
    n_dest = n_ag // terms.per_dest
    if u_respect.shape != (n_ag, n_orig) or u_alloc.shape != (n_dest + n_ag, 4) \
            or u_bound.shape != (n_ag, 4) or u_persons.shape != (n_ag, n_orig, 4):
        raise ValueError(f"offer_counts: draws of shapes {u_respect.shape}, {u_alloc.shape}, "
                         f"{u_bound.shape} for {n_ag} agencies, {n_orig} origins and "
                         f"{n_dest} destinations")
    out = np.empty((n_ag, n_orig, 4), dtype=np.int64)
    u_alloc = as_array(u_alloc)
    draws = (as_array(u_respect), u_alloc[:n_dest].reshape(-1), u_alloc[n_dest:].reshape(-1),
             as_array(u_bound), as_array(u_persons))
    _offer_counts(as_array(vacancies, np.int64).reshape(-1), draws, terms,
                  as_array(attractiveness), as_array(supply, np.int64), complied, offered, out)
    return out


@numba.njit(cache=True, nogil=True)
def agencies_learn(attractiveness, offers, offered, propensity, accepted, pending, rate,
                   total_placed):
    """agents.agency.learn in place: each quarter an agency offered work to real persons of
    an origin counts towards its learning there (``pending``); when its offers reached
    simulated persons, its attractiveness moves toward their mean chance of acceptance
    (``propensity`` / ``offers``) by the weight of every quarter counted since the last
    time, 1 - (1 - rate)^m; then (if any moved) every attractiveness is floored at 0.05;
    each agency's placements (``accepted``) are counted."""
    n_ag, n_orig = offers.shape
    made = False
    for a in range(n_ag):
        for o in range(n_orig):
            if offered[a, o] > 0:
                pending[a, o] += 1
            if offers[a, o] > 0:
                made = True
                keep = (1.0 - rate) ** max(pending[a, o], 1)
                attractiveness[a, o] = (keep * attractiveness[a, o]
                                        + (1.0 - keep) * (propensity[a, o] / offers[a, o]))
                pending[a, o] = 0
    if made:
        for a in range(n_ag):
            for o in range(n_orig):
                attractiveness[a, o] = max(attractiveness[a, o], 0.05)
    for a in range(n_ag):
        placed = 0
        for o in range(n_orig):
            placed += accepted[a, o]
        total_placed[a] += placed


@numba.njit(cache=True, nogil=True)
def _offer_fields(n):
    """n offers' fields, unset, with OFFER_BLOCK's types: channel, destination, agency,
    fee, contract, skill match, guarantee."""
    return (np.empty(n, np.int8), np.empty(n, np.int8), np.empty(n, np.int64), np.empty(n),
            np.empty(n, np.int16), np.empty(n), np.empty(n))


@numba.njit(cache=True, nogil=True)
def _market_blocks(g2g_group, g2g_count, g2g_dest, g2g_contract, g2g_match, g2g_guarantee,
                   offers, agency_dest, regulated, fee_months, wage_dest, ban, has_ban,
                   contract_skilled, contract_low, match_skilled):
    """The market's blocks of identical offers (ODD §7.4): the G2G placements first, then each
    agency's offers per origin and occupation with its channel, destination, fee (fee months
    of the wage; regulated agencies obey a fee ban), contract and skill match; grouped by
    (origin, occupation). Returns each group's offers and where they start, and the blocks'
    fields (group, count, channel, destination, agency, fee, contract, match, guarantee)."""
    n_ag, n_orig, n_occ = offers.shape
    n_g = n_orig * n_occ
    m = g2g_group.shape[0]
    nb = m
    for a in range(n_ag):
        for o in range(n_orig):
            for k in range(n_occ):
                if offers[a, o, k] != 0:
                    nb += 1
    group = np.empty(nb, np.int64)
    count = np.empty(nb, np.int64)
    channel, dest, agency, fee, contract, match, guarantee = _offer_fields(nb)
    total = np.zeros(n_g, np.int64)
    start = np.zeros(n_g, np.int64)
    b = 0
    run = 0
    # group by group (a stable sort by group of the G2G rows, then the agencies' rows in
    # np.nonzero's order): G2G placements first, then the agencies in their order
    for g in range(n_g):
        o = g // n_occ
        k = g % n_occ
        start[g] = run
        for i in range(m):
            if g2g_group[i] == g:
                group[b] = g
                count[b] = g2g_count[i]
                channel[b] = CH_AGREEMENT
                dest[b] = g2g_dest[i]
                agency[b] = -1
                fee[b] = 0.0
                contract[b] = g2g_contract[i]
                match[b] = g2g_match[i]
                guarantee[b] = g2g_guarantee[i]
                run += count[b]
                b += 1
        for a in range(n_ag):
            c = offers[a, o, k]
            if c == 0:
                continue
            d = agency_dest[a]
            group[b] = g
            count[b] = c
            channel[b] = CH_REGULATED if regulated[a] else CH_UNREGULATED
            dest[b] = d
            agency[b] = a
            f = fee_months[a] * wage_dest[d, k] / 3.0
            if has_ban:  # regulated agencies obey a fee ban; unregulated ones do not
                f = f * ((1.0 - ban[o, d]) if regulated[a] else 1.0)
            fee[b] = f
            skilled = k < LOW
            contract[b] = contract_skilled if skilled else contract_low
            match[b] = match_skilled if skilled else 1.0
            guarantee[b] = 0.0
            run += c
            b += 1
        total[g] = run - start[g]
    return total, start, group, count, channel, dest, agency, fee, contract, match, guarantee


@numba.njit(cache=True, nogil=True)
def _take_offers(chosen, rank, gsel, start, count, channel, dest, agency, fee, contract,
                 match, guarantee, origin, per_agency):
    """Each chosen person takes the offer of its rank in its group's blocks; the agencies'
    offers per origin are counted."""
    n = chosen.shape[0]
    block_end = np.cumsum(count)
    o_channel, o_dest, o_agency, o_fee, o_contract, o_match, o_guarantee = _offer_fields(n)
    for j in range(n):
        # the i-th chosen person of a group takes the group's i-th offer
        bi = np.searchsorted(block_end, start[gsel[j]] + rank[j], side="right")
        o_channel[j] = channel[bi]
        o_dest[j] = dest[bi]
        o_agency[j] = agency[bi]
        o_fee[j] = fee[bi]
        o_contract[j] = contract[bi]
        o_match[j] = match[bi]
        o_guarantee[j] = guarantee[bi]
        if agency[bi] >= 0:
            per_agency[agency[bi], origin[chosen[j]]] += 1
    return o_channel, o_dest, o_agency, o_fee, o_contract, o_match, o_guarantee


#: the G2G placements' blocks as arrays (OFFER_BLOCK's fields)
G2GBlocks = namedtuple("G2GBlocks", "group count dest contract match guarantee")
#: the market's terms fixed by the parameters and the policy in force (:func:`market_terms`)
MarketTerms = namedtuple("MarketTerms", "agency_dest regulated fee_months wage_dest ban "
                         "has_ban contract_skilled contract_low match_skilled")
#: the persons eligible this quarter: their slots and groups (origin x 4 + occupation),
#: every slot's draw, the persons per group and every slot's origin
Eligible = namedtuple("Eligible", "el g_el u_all supply origin")


@numba.njit(cache=True, nogil=True)
def _market(G, offers, T, E, per_agency):
    """:func:`_market_blocks`, :func:`lowest_per_group_into` and :func:`_take_offers` in one
    call (one crossing into compiled code, the blocks never boxed): the G2G placements
    ``G`` and the agencies' ``offers`` go, group by group, to the eligible persons ``E``
    with the lowest draws; ``any_offer`` False when there is no offer at all."""
    total, start, _, count, channel, dest, agency, fee, contract, match, guarantee = \
        _market_blocks(G.group, G.count, G.dest, G.contract, G.match, G.guarantee, offers,
                       T.agency_dest, T.regulated, T.fee_months, T.wage_dest, T.ban,
                       T.has_ban, T.contract_skilled, T.contract_low, T.match_skilled)
    n_g = total.shape[0]
    want = np.empty(n_g, dtype=np.int64)
    for g in range(n_g):
        want[g] = min(total[g], E.supply[g])
    chosen, rank, gsel = lowest_per_group_into(E.el, E.g_el, E.u_all, True, want, E.supply,
                                               n_g)
    fields = _take_offers(chosen, rank, gsel, start, count, channel, dest, agency, fee,
                          contract, match, guarantee, E.origin, per_agency)
    return count.shape[0] > 0, chosen, fields


@numba.njit(cache=True, nogil=True)
def _market_and_attempts(G, offers, T, E, per_agency, u_ind, occ, rate_skilled, rate_low):
    """:func:`_market`, then :func:`_independents` of the eligible persons left without an
    offer, in one call."""
    any_offer, chosen, fields = _market(G, offers, T, E, per_agency)
    offered = np.zeros(E.origin.shape[0], dtype=np.bool_)
    if any_offer:
        for j in range(chosen.shape[0]):
            offered[chosen[j]] = True
    out = np.empty(E.el.shape[0], dtype=np.int64)
    k = _independents(E.el, occ, u_ind, rate_skilled, rate_low, offered, out)
    return any_offer, chosen, fields, out[:k].copy()


_NO_G2G = G2GBlocks(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int8),
                    np.zeros(0, np.int16), np.zeros(0), np.zeros(0))


def market_terms(agency_dest, regulated, fee_months, wage_dest, ban, p) -> MarketTerms:
    """The terms of :func:`market_offers` that change only with the parameters and the
    policy in force (the agencies' destinations, regulation and fees, the wages abroad, the
    worker-fee ban or a scalar where none applies, the contract lengths and the agencies'
    skill match), as it takes them."""
    has_ban = not is_scalar(ban)
    return MarketTerms(
        agency_dest=as_array(agency_dest, np.int64), regulated=as_array(regulated, bool),
        fee_months=as_array(fee_months), wage_dest=as_array(wage_dest),
        ban=as_array(ban) if has_ban else NO_TABLE, has_ban=has_ban,
        contract_skilled=int(p.contract_quarters_skilled),
        contract_low=int(p.contract_quarters_low), match_skilled=float(p.skill_match_agency))


def _g2g_blocks(g2g) -> G2GBlocks:
    """The G2G placements' blocks (OFFER_BLOCK rows) as :data:`G2GBlocks`."""
    if not len(g2g):
        return _NO_G2G
    return G2GBlocks(as_array(g2g["group"], np.int64), as_array(g2g["count"], np.int64),
                     as_array(g2g["dest"], np.int8), as_array(g2g["contract"], np.int16),
                     as_array(g2g["match"]), as_array(g2g["guarantee"]))


def market_blocks(g2g, offers, terms: MarketTerms) -> np.ndarray:
    """The market's blocks of identical offers as OFFER_BLOCK rows, group by group (the G2G
    placements ``g2g`` first, then the agencies' ``offers``, (n_ag, n_orig, 4)): the blocks
    :func:`market_offers` gives to the persons with the lowest draws, made by the same
    compiled rule (:func:`_market_blocks`); the per-agent reference reads them."""
    G = _g2g_blocks(g2g)
    T = terms
    _, _, *fields = _market_blocks(
        G.group, G.count, G.dest, G.contract, G.match, G.guarantee, as_array(offers, np.int64),
        T.agency_dest, T.regulated, T.fee_months, T.wage_dest, T.ban, T.has_ban,
        T.contract_skilled, T.contract_low, T.match_skilled)
    out = np.empty(len(fields[0]), dtype=OFFER_BLOCK)
    for name, values in zip(OFFER_BLOCK.names, fields):
        out[name] = values
    return out


def market_offers(g2g, offers, terms: MarketTerms, el, g_el, u_all, supply, origin, per_agency,
                  u_ind, occ, rate_skilled: float, rate_low: float):
    """The recruitment market's offers, one per chosen person, then the eligible persons
    without one who try on their own (:func:`independents`), in one compiled call
    (the per-agent reference reads the same offers as blocks: :func:`market_blocks`). ``g2g``:
    the G2G placements' blocks (OFFER_BLOCK rows); ``offers``:
    (n_ag, n_orig, 4) the agencies' offers; ``terms``: :func:`market_terms`; ``el``,
    ``g_el``, ``supply``: the eligible persons, their groups and the persons per group;
    ``u_all``: every slot's draw (the lowest in a group are chosen); ``u_ind``, ``occ``,
    ``rate_skilled``, ``rate_low``: as :func:`independents` takes them. Adds each agency's
    offers per origin to ``per_agency``. Returns the chosen slots and their offers' fields
    (channel, dest, agency, fee, contract, match, guarantee), or None when there is no offer
    at all; and the slots of those who try on their own."""
    any_offer, chosen, fields, ind = _market_and_attempts(
        _g2g_blocks(g2g), as_array(offers, np.int64), terms, Eligible(el, g_el, u_all, supply, origin),
        per_agency, u_ind, occ, float(rate_skilled), float(rate_low))
    return ((chosen, fields) if any_offer else None), ind


@numba.njit(cache=True, nogil=True)
def _eligible(status, age, max_age, out):
    """The persons who may be recruited this quarter: at home or returned and below ``max_age``
    (:func:`eligible_groups`)."""
    limit = F32(max_age)  # a float32 age is compared with the age as float32
    k = 0
    for i in range(status.shape[0]):
        s = status[i]
        # without branches (the ages are in no order: a branch would be mispredicted)
        ok = ((s == HOME) | (s == RETURNED)) & (age[i] < limit)
        out[k] = i
        k += ok
    return k


@numba.njit(cache=True, nogil=True)
def _eligible_groups(status, age, max_age, origin, occ, el, g_el, supply):
    # the two passes of _eligible and _groups in one call: a branch on eligibility in a
    # single pass (the ages are in no order) was slower within a step than both passes
    """:func:`_eligible` and :func:`_groups` in one call."""
    k = _eligible(status, age, max_age, el)
    _groups(el[:k], origin, occ, supply.shape[0], g_el, supply)
    return k


def eligible_groups(pop, max_age: float, n_orig: int):
    """The slots of the persons at home (never left or returned) younger than ``max_age``,
    in order: those the market can recruit; their groups (origin x 4 + occupation) and the
    persons per group, (n_orig, 4) (:func:`market_groups`), in one call."""
    el = np.empty(pop.n, dtype=np.int64)
    g_el = np.empty(pop.n, dtype=np.int64)
    supply = np.zeros(n_orig * 4, dtype=np.int64)
    k = _eligible_groups(pop.status, pop.age, float(max_age), pop.origin, pop.occ, el, g_el,
                         supply)
    return el[:k], g_el[:k], supply.reshape(n_orig, 4)


@numba.njit(cache=True, nogil=True)
def _groups(el, origin, occ, n_groups, g_el, supply):
    """Each eligible person's group, origin x 4 + occupation, and the persons per group
    (:func:`market_groups`)."""
    for n in range(el.shape[0]):
        i = el[n]
        g = np.int64(origin[i]) * 4 + occ[i]
        g_el[n] = g
        supply[g] += 1


def market_groups(pop, el: np.ndarray, n_orig: int):
    """Each eligible person's group (origin x 4 + occupation) and the persons per group
    (the supply of candidates), (n_orig, 4)."""
    g_el = np.empty(len(el), dtype=np.int64)
    supply = np.zeros(n_orig * 4, dtype=np.int64)
    _groups(el, pop.origin, pop.occ, n_orig * 4, g_el, supply)
    return g_el, supply.reshape(n_orig, 4)


@numba.njit(cache=True, nogil=True)
def _independents(el, occ, u, rate_skilled, rate_low, offered, out):
    """The eligible persons without an offer who try on their own (ODD §7.4): a draw below the
    skilled or the low-skilled (irregular) rate (:func:`independents`)."""
    k = 0
    for n in range(el.shape[0]):
        i = el[n]
        rate = rate_skilled if occ[i] < LOW else rate_low
        if np.float64(u[i]) < rate and not offered[i]:
            out[k] = i
            k += 1
    return k


def independents(pop, el, u, rate_skilled: float, rate_low: float, offered) -> np.ndarray:
    """The eligible persons without an offer whose draw ``u`` (one per person) is below
    their rate of trying on their own (skilled or low-skilled; compared in float64)."""
    out = np.empty(len(el), dtype=np.int64)
    return out[:_independents(el, pop.occ, u, float(rate_skilled), float(rate_low), offered,
                              out)].copy()


@numba.njit(cache=True, nogil=True)
def _dest_weights(ind, origin, occ, community, wage_dest, wage_base, net, net0, integ_term,
                  rights, has_rights, rights_weight, beta_wage, beta_network, corridor, out):
    """The independent migrants' destination weights (ODD §7.4; :func:`destination_weights`
    states the equation), one row per migrant."""
    n_dest = wage_dest.shape[0]
    v = np.empty(n_dest)
    for n in range(ind.shape[0]):
        i = ind[n]
        o = np.int64(origin[i])
        k = occ[i]
        c = community[i]
        for d in range(n_dest):
            x = beta_wage * log_one(wage_dest[d, k] / wage_base[d, k])
            x = x + beta_network * (log1p(net[c, d]) - log1p(net0[c, d]))
            x = x + integ_term[d]
            if has_rights:
                x = x + rights_weight * rights[o, d]
            v[d] = x
        m = v[0]  # the row's maximum, NaN if any is (as numpy's max)
        for d in range(1, n_dest):
            if v[d] > m or math.isnan(v[d]):
                m = v[d]
        for d in range(n_dest):
            out[n, d] = corridor[o, d] * exp_one(v[d] - m)


@numba.njit(cache=True, nogil=True)
def _choose(u, weights, out):
    """Each migrant's destination: the number of its weights' cumulated shares at or below its
    draw (:func:`choose_destinations`)."""
    n_dest = weights.shape[1]
    cum = np.empty(n_dest)
    for n in range(weights.shape[0]):
        c = 0.0
        for d in range(n_dest):
            c = weights[n, d] if d == 0 else c + weights[n, d]
            cum[d] = c
        total = cum[n_dest - 1]
        x = np.float64(u[n])
        k = 0
        for d in range(n_dest - 1):
            if x >= cum[d] / total:
                k += 1
        out[n] = min(k, n_dest - 1)


def choose_destinations(u, weights) -> np.ndarray:
    """Each row's destination drawn with ``u`` (one number a row) in proportion to its
    ``weights``: the number of cumulated shares at or below u, at most n_dest - 1, as int8.
    With numpy: ``cum = np.cumsum(weights, axis=1); cum /= cum[:, -1:]`` then
    ``np.minimum((u[:, None] >= cum[:, :-1]).sum(axis=1), n_dest - 1)``
    (``tests/model/test_tally.py`` compares the two)."""
    out = np.empty(weights.shape[0], dtype=np.int8)
    _choose(np.ascontiguousarray(u), as_array(weights), out)
    return out


def destination_weights(pop, ind, wage_dest, wage_base, net, net0, integ_term, rights,
                        rights_weight, beta_wage, beta_network, corridor) -> np.ndarray:
    """The independent migrants' destination weights (ODD §7.4,
    :func:`migdev.agents.agency.destination_weights`) for the persons ``ind``
    (``integ_term``: beta_integration_policy * (I_d - I_default) per destination;
    ``rights``: the corridors' rights index, or a scalar 0.0 where none is granted)."""
    ind = as_array(ind, np.int64)
    f64 = np.float64
    out = np.empty((len(ind), wage_dest.shape[0]))
    has_rights = not is_scalar(rights)
    _dest_weights(ind, pop.origin, pop.occ, pop.community, as_array(wage_dest, f64),
                  as_array(wage_base, f64), as_array(net, f64),
                  as_array(net0, f64), as_array(integ_term, f64),
                  as_array(rights, f64) if has_rights else np.zeros((1, 1)),
                  has_rights, float(rights_weight), float(beta_wage), float(beta_network),
                  as_array(corridor, f64), out)
    return out


fresh_caches(__name__)
